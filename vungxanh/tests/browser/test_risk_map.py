"""The level map: open it, move the date slider, click a ward, read why it has its level.

Levels of ``vungxanh.risk.tests.test_views.build_levels``: An Hòa's last community case was
on 2/9/2021, so under vn-green-zone-14d it is "not green" on 17/9 and green from 18/9.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from vungxanh.risk.tests.test_views import build_levels
from vungxanh.surveillance.models import Series
from vungxanh.tests.browser.helpers import login

pytestmark = pytest.mark.browser

ORANGE, GREEN = "#ef6c00", "#2e7d32"


@pytest.fixture
def levels(world):
    # A live-server test empties every table after it, the migration's series too.
    Series.objects.get_or_create(
        code="reported", defaults={"name": "Số liệu các địa bàn báo cáo", "priority": 20}
    )
    build_levels(world)
    return world


def test_move_the_date_click_a_ward_and_read_why(page, live_server, levels):
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/risk/map/?area=916&date=17/09/2021&rules=vn-green-zone-14d")

    risk_map = page.locator("#risk-map")
    expect(risk_map).to_have_attribute("data-ready", "2")
    expect(risk_map).to_have_attribute("data-date", "17/09/2021")
    anhoa = page.locator("#risk-map path[data-code='31120']")
    expect(anhoa).to_have_attribute("data-level", "not_green")
    expect(anhoa).to_have_attribute("fill", ORANGE)
    expect(page.locator("#risk-levels-table tr[data-code='31120']")).to_have_attribute(
        "data-level", "not_green"
    )
    expect(page.get_by_test_id("legend")).to_contain_text("Vùng xanh")

    # One day on: the slider fetches the levels of 18/9 and the map turns An Hòa green.
    slider = page.get_by_test_id("date-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("slider-date")).to_have_text("18/09/2021")
    expect(risk_map).to_have_attribute("data-date", "18/09/2021")
    expect(anhoa).to_have_attribute("data-level", "green")
    expect(anhoa).to_have_attribute("fill", GREEN)
    expect(page.locator("#risk-map path[data-code='31117']")).to_have_attribute(
        "data-level", "not_green"
    )
    # The table follows (htmx), and so do the date field and the address.
    expect(page.locator("#risk-levels-table")).to_have_attribute("data-date", "18/09/2021")
    expect(page.locator("#risk-levels-table tr[data-code='31120']")).to_have_attribute(
        "data-level", "green"
    )
    expect(page.locator("#risk-date")).to_have_value("18/09/2021")
    expect(page).to_have_url(re.compile(r"date=18%2F09%2F2021"))
    expect(page.get_by_test_id("export-xlsx")).to_have_attribute(
        "href", re.compile(r"date=18%2F09%2F2021")
    )

    # A click on An Hòa explains its level: the sentence, the criterion, the rule set.
    label = page.locator("#risk-map .vx-label").filter(has_text="An Hòa")
    box = label.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    panel = page.get_by_test_id("explain-panel")
    expect(panel.locator("h2")).to_have_text("Phường An Hòa")
    expect(panel.get_by_test_id("explain-sentence")).to_have_text(
        "Vùng xanh vì 16 ngày kể từ ca cộng đồng gần nhất (> 14)"
    )
    expect(panel.get_by_test_id("explain-level")).to_have_text("Vùng xanh")
    expect(panel.get_by_test_id("explain-criterion")).to_contain_text(
        "14 ngày trọn không có ca mắc mới"
    )
    expect(panel.get_by_test_id("explain-unverified")).to_be_visible()
    expect(panel.locator("dd[data-input='days_since_community_case']")).to_have_text("16")
    expect(panel.get_by_test_id("explain-ruleset")).to_contain_text("Vùng xanh: 14 ngày liên tục")
    expect(panel.get_by_test_id("compare-official")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/risk/map/"))  # no navigation: htmx fragment

    # Moving the date again refreshes the open explanation.
    page.get_by_test_id("date-slider").focus()
    page.keyboard.press("ArrowLeft")
    expect(risk_map).to_have_attribute("data-date", "17/09/2021")
    expect(panel.get_by_test_id("explain-level")).to_have_text("Chưa là vùng xanh")

    assert [text for text in errors if "Content Security Policy" in text] == []
    assert failed == []
    assert errors == []


def test_the_public_map_needs_no_sign_in(page, live_server, levels):
    page.goto(f"{live_server.url}/public/map/?area=916&date=18/09/2021&rules=vn-green-zone-14d")
    expect(page.locator("#risk-map")).to_have_attribute("data-ready", "2")
    expect(page.locator("#risk-map path[data-code='31120']")).to_have_attribute("fill", GREEN)
    expect(page.locator("tr[data-code='31120']")).to_contain_text("Vùng xanh")
    expect(page.locator("body")).not_to_contain_text("Sign out")


def _publish_ninh_kieu(world) -> None:
    from vungxanh.risk import services
    from vungxanh.risk.models import RuleSetRecord

    record = RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True)
    series = Series.objects.get(code="reported")
    services.publish(record, series, dt.date(2021, 9, 20), world.ninhkieu, actor=world.admin)


def _boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_public_map_opens_on_the_publishing_area_with_readable_names(page, live_server, levels):
    _publish_ninh_kieu(levels)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/public/map/")
    risk_map = page.locator("#risk-map")
    expect(risk_map).to_have_attribute("data-ready", "2")
    expect(page.locator("h1")).to_contain_text("Ninh Kiều")
    # The view is Ninh Kiều's two wards (105.71–105.79 E, 10.00–10.06 N), not the country.
    west, south, east, north = map(float, risk_map.get_attribute("data-view").split(","))
    assert west <= 105.71 and east >= 105.79 and south <= 10.00 and north >= 10.06
    assert east - west < 0.5 and north - south < 0.5
    labels = page.locator("#risk-map .vx-label")
    expect(labels).to_have_count(2)
    boxes = [labels.nth(i).bounding_box() for i in range(2)]
    assert all(boxes) and not _boxes_overlap(boxes[0], boxes[1])
    # Dark text on a light label, whatever the level's colour underneath.
    colours = labels.first.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert colours[0] != colours[1] and colours[1].startswith("rgba(255, 255, 255")
    # Offline by default: no tile layer, nothing asked of another host.
    expect(page.locator("#risk-map .leaflet-tile")).to_have_count(0)
    assert [url for url in requests if not url.startswith(live_server.url)] == []


TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_street_tile_server_draws_under_the_outlines(page, live_server, levels, settings):
    settings.VX_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    settings.VX_TILE_ATTRIBUTION = "© Bản đồ thử"
    tiles: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    page.route("https://tiles.example.test/**", serve_tile)
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/risk/map/?area=916&date=18/09/2021&rules=vn-green-zone-14d")
    expect(page.locator("#risk-map")).to_have_attribute("data-ready", "2")
    expect(page.locator("#risk-map img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles and all(re.search(r"/\d+/\d+/\d+\.png$", url) for url in tiles)
    expect(page.locator("#risk-map .leaflet-control-attribution")).to_have_text("© Bản đồ thử")
    assert [text for text in errors if "Content Security Policy" in text] == []


@pytest.mark.parametrize(
    "path",
    [
        "/risk/map/?area=916&date=25/09/2021",
        "/risk/areas/31120/?date=25/09/2021",
        "/public/map/?area=916&date=25/09/2021",
    ],
)
def test_the_level_pages_fit_a_phone(browser, live_server, levels, path):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="vi-VN"
    )
    phone = context.new_page()
    try:
        if not path.startswith("/public/"):
            login(phone, live_server, "district_steering")
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390 px"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/lockdowns/new/", "/areas/916/"])
def test_the_drawing_and_area_maps_get_the_street_tiles_too(
    page, live_server, world, settings, path
):
    settings.VX_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    tiles: list[str] = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    page.route("https://tiles.example.test/**", serve_tile)
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(".leaflet-container img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles
