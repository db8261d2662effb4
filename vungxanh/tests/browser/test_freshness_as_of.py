"""Freshness, the "as of" date and the projection warning, as a district officer sees them.

Levels of ``vungxanh.risk.tests.test_views.build_levels``: An Hòa has 7 community cases a
day from 14/10/2021 after six weeks without one, so on 17/10 the projection warns that it
is likely to move to a higher level within 7 days.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from vungxanh.risk.tests.test_views import build_levels
from vungxanh.surveillance.models import Series
from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("VX_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    """Keep a screenshot to look at when VX_SCREENSHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def levels(world):
    Series.objects.get_or_create(
        code="reported", defaults={"name": "Số liệu các địa bàn báo cáo", "priority": 20}
    )
    build_levels(world)
    return world


def test_the_freshness_line_on_the_map_and_the_area_pages(page, live_server, levels):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/risk/map/?area=916&date=20/10/2021&rules=vn-4800-2021")
    expect(page.locator("#risk-map")).to_have_attribute("data-ready", "2")
    line = page.get_by_test_id("freshness-line")
    expect(line).to_contain_text(tr("Data up to %(moment)s", moment="").strip())
    expect(page.get_by_test_id("recompute-pending")).to_have_count(0)
    shot(page, "map-freshness")
    map_line = line.inner_text()

    page.goto(f"{live_server.url}/risk/areas/31120/")
    expect(page.get_by_test_id("freshness-line")).to_have_text(map_line)
    expect(page.get_by_test_id("area-level")).to_be_visible()
    shot(page, "risk-area-freshness")
    page.goto(f"{live_server.url}/surveillance/areas/31120/")
    expect(page.get_by_test_id("freshness-line")).to_have_text(map_line)
    level = page.get_by_test_id("area-level").inner_text()
    page.goto(f"{live_server.url}/risk/areas/31120/")
    expect(page.get_by_test_id("area-level")).to_have_text(level)


def test_the_as_of_picker_moves_the_surveillance_page_and_the_map_together(
    page, live_server, levels
):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/surveillance/areas/916/")
    picker = page.get_by_test_id("as-of-day")
    picker.fill("15/10/2021")
    page.get_by_test_id("as-of-submit").click()
    expect(page.get_by_test_id("as-of-day")).to_have_value("15/10/2021")
    expect(page.get_by_test_id("indicator-table").locator("tbody tr").first).to_contain_text(
        "15/10/2021"
    )
    shot(page, "surveillance-as-of")

    # The map, opened from the menu without a date, shows the same day.
    page.get_by_role("navigation", name=tr("Main")).get_by_role("link", name=tr("Levels")).click()
    risk_map = page.locator("#risk-map")
    expect(risk_map).to_have_attribute("data-ready", "2")
    expect(risk_map).to_have_attribute("data-date", "15/10/2021")
    expect(page.get_by_test_id("slider-date")).to_have_text("15/10/2021")
    expect(page.get_by_test_id("as-of-day")).to_have_value("15/10/2021")
    shot(page, "map-as-of")

    # A day that does not exist: a message in Vietnamese, the chosen day stays.
    page.get_by_test_id("as-of-day").fill("31/02/2021")
    page.get_by_test_id("as-of-submit").click()
    expect(page.get_by_test_id("as-of-error")).to_contain_text("31/02/2021")
    expect(risk_map).to_have_attribute("data-date", "15/10/2021")
    shot(page, "as-of-error")

    # Back to the default day: the last reported day again.
    page.get_by_test_id("as-of-reset").click()
    expect(page.locator("#risk-map")).to_have_attribute("data-date", "20/10/2021")


def test_the_projection_warning_on_the_map_and_the_area_page(page, live_server, levels):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/risk/map/?area=916&date=17/10/2021&rules=vn-4800-2021")
    risk_map = page.locator("#risk-map")
    expect(risk_map).to_have_attribute("data-ready", "2")
    warning = tr("Likely to move to a higher level in the next 7 days")
    expect(page.get_by_test_id("legend-warning")).to_contain_text(warning)
    expect(page.get_by_test_id("map-warnings")).to_contain_text("An Hòa")
    expect(page.locator("#risk-map path[data-code='31120']")).to_have_attribute("data-warning", "1")
    expect(page.locator("#risk-map path[data-code='31117']")).to_have_attribute("data-warning", "")
    expect(page.locator("#risk-levels-table tr[data-code='31120']")).to_contain_text(warning)
    shot(page, "map-warning")

    page.get_by_test_id("map-warnings").get_by_role("link", name="Phường An Hòa").click()
    expect(page.get_by_test_id("outlook-warning").first).to_contain_text(warning)
    shot(page, "area-warning")
