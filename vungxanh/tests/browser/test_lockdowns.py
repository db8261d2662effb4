"""A narrow lockdown in the browser: draw the zone on the map, lock it down, staff a post,
record a round of tests, read the day it may be lifted."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect
from shapely.geometry import shape

from vungxanh.audit.models import AuditEntry
from vungxanh.lockdowns import services
from vungxanh.lockdowns.models import LockdownZone
from vungxanh.tests.browser.helpers import AN_HOA, login, tr

pytestmark = pytest.mark.browser


@pytest.fixture
def rules(world):
    services.sync_lift_rules()
    return world


def test_draw_a_zone_staff_it_test_it_and_read_the_lift_date(page, live_server, rules):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}/lockdowns/new/")

    # Draw: the map shows An Hòa; four clicks make the corners of the zone.
    draw_map = page.get_by_test_id("draw-map")
    expect(draw_map).to_have_attribute("data-ready", "1")
    draw_map.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the map has finished fitting the ward
    box = draw_map.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-30, -20), (30, -20), (30, 20), (-30, 20)):
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(350)  # not a double click
    expect(page.locator("#draw-count")).to_have_text("4")
    page.locator("#draw-undo").click()
    expect(page.locator("#draw-count")).to_have_text("3")
    # Clicking the button may have scrolled the page: find the map again.
    draw_map.scroll_into_view_if_needed()
    box = draw_map.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx - 30, cy + 20)
    expect(page.locator("#draw-count")).to_have_text("4")
    page.fill("input[name=name]", "Hẻm 51 Mậu Thân")
    page.select_option("select[name=scope_type]", "alley")
    page.fill("input[name=households]", "26")
    page.fill("input[name=residents]", "108")
    page.get_by_test_id("save-zone").click()

    expect(page).to_have_url(re.compile(r"/lockdowns/\d+/$"))
    expect(page.get_by_test_id("zone-name")).to_contain_text("Hẻm 51 Mậu Thân")
    zone = LockdownZone.objects.get(name="Hẻm 51 Mậu Thân")
    ring = json.loads(zone.geometry)["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert shape(AN_HOA).contains(shape(json.loads(zone.geometry)))
    assert zone.status == "proposed"

    # Lock it down from 10/07/2021, looking at the zone as of 12/07/2021.
    page.goto(f"{live_server.url}/lockdowns/{zone.pk}/?date=12/07/2021")
    expect(page.get_by_test_id("zone-map")).to_have_attribute("data-ready", "1")
    decision = page.get_by_test_id("transition-form")
    decision.locator("select[name=to_status]").select_option("active")
    decision.locator("input[name=decision_number]").fill("QĐ 101/QĐ-UBND")
    decision.locator("input[name=effective_on]").fill("10/07/2021")
    decision.locator("button[type=submit]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "active")
    assert AuditEntry.objects.get(action="activate").legal_basis == "QĐ 101/QĐ-UBND"

    # A guard post, a shift on 12/07 needing one official, who is then assigned.
    page.get_by_test_id("post-form").locator("input[name=name]").fill("Chốt đầu hẻm")
    page.get_by_test_id("post-form").locator("button[type=submit]").click()
    shift_form = page.get_by_test_id("shift-form-1")
    expect(shift_form.locator("input[name=day]")).to_have_value("12/07/2021")
    shift_form.locator("input[name=start]").fill("06:00")
    shift_form.locator("input[name=end]").fill("18:00")
    shift_form.locator("input[name=required_staff]").fill("1")
    shift_form.locator("button[type=submit]").click()
    row = page.locator("table[data-testid=shifts] tr[data-shift]")
    expect(row).to_have_attribute("data-unstaffed", "1")
    row.locator("summary").click()
    row.locator("select[name=user]").select_option(label="anhoa_official")
    row.locator("form button[type=submit]").click()
    row = page.locator("table[data-testid=shifts] tr[data-shift]")
    expect(row.locator("[data-official]")).to_have_text("anhoa_official")
    expect(row).not_to_have_attribute("data-unstaffed", "1")

    # A round of tests on 13/07, all negative.
    page.get_by_test_id("round-form").locator("input[name=day]").fill("13/07/2021")
    page.get_by_test_id("round-form").locator("button[type=submit]").click()
    round_row = page.locator("tr[data-round='1']")
    expect(round_row).to_have_attribute("data-status", "planned")
    round_row.locator("summary").click()
    result = page.get_by_test_id("result-form-1")
    result.locator("select[name=status]").select_option("done")
    result.locator("input[name=samples]").fill("108")
    result.locator("input[name=positives]").fill("0")
    result.locator("button[type=submit]").click()
    expect(page.locator("tr[data-round='1']")).to_have_attribute("data-status", "done")

    # The lift date: 14 days after the start; one more negative round still missing, so
    # the date reads "expected" (dự kiến) and the round done is counted (issue 11).
    lift = page.get_by_test_id("lift-date")
    expect(lift).to_have_attribute("data-date", "24/07/2021")
    expect(lift).to_have_attribute("data-expected", "1")
    expect(lift).to_have_text(tr("expected: may be lifted from %(day)s", day="24/07"))
    missing = page.get_by_test_id("lift-missing").locator("li")
    expect(missing).to_have_count(2)  # 12 more days; 1 more round
    expect(missing.nth(1)).to_contain_text("1")
    assert [text for text in errors if "Content Security Policy" in text] == []
    assert errors == []


def test_the_dashboard_maps_the_zones_and_flags_short_shifts(page, live_server, world):
    from vungxanh.lockdowns.tests.world import build_zones

    build_zones(world)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/lockdowns/?date=20/07/2021")

    expect(page.get_by_test_id("lockdown-map")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("zones-in-force")).to_contain_text("2")
    expect(page.get_by_test_id("unstaffed").locator("tr.unstaffed")).to_have_count(2)
    expect(page.get_by_test_id("zone-table")).not_to_contain_text("Hưng Phú")
    page.get_by_test_id("zone-table").get_by_role("link", name="Hẻm 51 Mậu Thân").click()
    expect(page.get_by_test_id("zone-name")).to_contain_text("Hẻm 51 Mậu Thân")
    expect(page.get_by_test_id("lift-date")).to_have_attribute("data-date", "24/07/2021")
    expect(page.get_by_test_id("zone-map")).to_have_attribute("data-ready", "1")
    assert failed == []
    assert errors == []


def test_the_lockdown_pages_fit_a_phone_and_offer_the_roster(page, live_server, world):
    """At 390 px the page never scrolls sideways (wide tables scroll in their box), and a
    shift's "Assign" offers the ward's officials only (issue 11)."""
    from vungxanh.lockdowns.tests.world import build_zones

    build_zones(world)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}/lockdowns/?date=20/07/2021")
    expect(page.get_by_test_id("zone-table")).to_contain_text("Hẻm 51 Mậu Thân")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The zone table keeps its words whole and scrolls in its own box instead.
    box = page.locator("div.scroll:has(> table[data-testid=zone-table])")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    page.get_by_test_id("zone-table").get_by_role("link", name="Hẻm 51 Mậu Thân").click()
    expect(page.get_by_test_id("zone-name")).to_contain_text("Hẻm 51 Mậu Thân")
    row = page.locator("table[data-testid=shifts] tr[data-shift]").first
    row.locator("summary").click()
    offered = row.locator("select[name=user] option").all_inner_texts()
    assert "anhoa_official" in offered and "health_officer" in offered
    assert not {"viewer", "admin", "caikhe_official"} & set(offered)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_business_account_is_shown_who_may_see_the_lockdowns(page, live_server, world):
    from vungxanh.accounts.roles import Role
    from vungxanh.testing import make_user

    make_user("business", Role.BUSINESS, world.ninhkieu)
    login(page, live_server, "business")
    response = page.goto(f"{live_server.url}/lockdowns/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "403")
    with translation.override("vi"):
        viewer = str(Role.VIEWER.label)
    expect(page.get_by_test_id("error-page")).to_contain_text(viewer)
