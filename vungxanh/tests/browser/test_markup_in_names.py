"""Names are text on every map (issue 9, finding 7).

A zone, a smaller unit and a ward named with markup: each map's tooltip shows the name as
typed, and no element of the name (its <b>, its <img src=x onerror=…>) reaches the page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from vungxanh.areas import services as areas
from vungxanh.lockdowns import services as lockdowns
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.surveillance.models import Series
from vungxanh.tests.browser.helpers import login, square

pytestmark = pytest.mark.browser

MARKUP = "<b>x</b><img src=x onerror=alert(1)>"
ZONE = square(105.72, 10.02, 105.7215, 10.0215)  # inside An Hòa's square
UNIT = square(105.715, 10.01, 105.74, 10.05)


def injected(page: Page) -> int:
    """How many elements of the planted markup made it into the page."""
    return page.evaluate("document.querySelectorAll('img[src=x], .leaflet-tooltip b').length")


def hover_middle(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_zone_named_with_markup_is_named_as_text_on_its_maps(page, live_server, world):
    lockdowns.sync_lift_rules()
    zone = lockdowns.create_zone(
        world.anhoa,
        actor=world.anhoa_official,
        name=MARKUP,
        scope_type="alley",
        geometry=ZONE,
        households=3,
        residents=9,
    )
    lockdowns.transition(
        zone,
        actor=world.anhoa_official,
        to="active",
        decision_number="QĐ 1/QĐ-UBND",
        effective_on=dt.date(2021, 7, 10),
    )
    login(page, live_server, "anhoa_official")

    page.goto(f"{live_server.url}/lockdowns/{zone.pk}/?date=12/07/2021")
    expect(page.get_by_test_id("zone-map")).to_have_attribute("data-ready", "1")
    page.wait_for_timeout(300)  # the map has finished fitting the zone
    hover_middle(page, "#zone-map")
    tooltip = page.locator("#zone-map .leaflet-tooltip")
    expect(tooltip).to_contain_text(MARKUP)
    assert injected(page) == 0

    page.goto(f"{live_server.url}/lockdowns/?area=31120&date=12/07/2021")
    expect(page.get_by_test_id("lockdown-map")).to_have_attribute("data-ready", "1")
    page.wait_for_timeout(300)
    marker = page.locator("#lockdown-map path.leaflet-interactive").last  # the zone's dot
    marker.hover(force=True)
    expect(page.locator("#lockdown-map .leaflet-tooltip")).to_contain_text(MARKUP)
    assert injected(page) == 0


def test_a_smaller_unit_named_with_markup_is_named_as_text_on_the_area_map(
    page, live_server, world
):
    unit = areas.create_subunit(
        world.anhoa, actor=world.anhoa_official, name=MARKUP, unit_type="Hẻm"
    )
    areas.set_boundary(unit, actor=world.anhoa_official, geometry=UNIT, source="test")
    login(page, live_server, "anhoa_official")

    page.goto(f"{live_server.url}/areas/31120/")
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "2")
    label = page.locator("#area-map .vx-label")
    expect(label).to_have_count(1)  # the unit's; the ward itself is not labelled
    expect(label).to_have_text(MARKUP)
    assert injected(page) == 0


def test_a_ward_named_with_markup_is_named_as_text_on_the_level_map(page, live_server, world):
    # Ward names come from the reference list an administrator loads; plant one there.
    world.anhoa.name = f"Phường {MARKUP}"
    world.anhoa.save(update_fields=["name"])
    Series.objects.get_or_create(
        code="reported", defaults={"name": "Số liệu các địa bàn báo cáo", "priority": 20}
    )
    build_levels(world)
    login(page, live_server, "district_steering")

    page.goto(f"{live_server.url}/risk/map/?area=916&date=17/09/2021&rules=vn-green-zone-14d")
    risk_map = page.locator("#risk-map")
    expect(risk_map).to_have_attribute("data-ready", "2")
    expect(page.locator("#risk-map .vx-label").filter(has_text="<b>x</b>")).to_have_text(MARKUP)
    assert injected(page) == 0

    # Moving the date rewrites every tooltip: still text.
    page.get_by_test_id("date-slider").focus()
    page.keyboard.press("ArrowRight")
    expect(risk_map).to_have_attribute("data-date", "18/09/2021")
    expect(page.locator("#risk-map .vx-label").filter(has_text="<b>x</b>")).to_have_text(MARKUP)
    assert injected(page) == 0
