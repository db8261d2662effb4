"""Every page is usable on a phone: at 390 px wide nothing makes the page scroll sideways.

Wide tables scroll inside their own box (``div.scroll``), forms wrap, the top bar wraps
(docs/ui.md). Each persona opens every page without arguments and the pages of an area, a zone
and the levels, with the data of the no-leak test (levels, zones, a decision); the page's
width is read after it has drawn (maps and charts included).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from vungxanh.accounts.roles import Role
from vungxanh.lockdowns.tests.world import build_zones
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.testing import make_user
from vungxanh.tests.browser.helpers import login
from vungxanh.tests.test_no_leaks import pages_without_arguments

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Sub-pixel rounding of borders may add a pixel; anything more is a page wider than the phone.
TOLERANCE_PX = 1


@pytest.fixture
def phone_world(world) -> SimpleNamespace:
    build_levels(world)
    build_zones(world)
    world.construction = make_user("construction", Role.DEPT_CONSTRUCTION, world.cantho)
    world.business = make_user("business", Role.BUSINESS, world.ninhkieu)
    return world


def data_pages(world) -> list[str]:
    zone = world.zone.pk
    return [
        reverse("risk:area", args=["31120"]) + "?date=23/09/2021",
        reverse("risk:map") + "?area=916&date=23/09/2021",
        reverse("risk:map_table") + "?area=916&date=23/09/2021",
        reverse("surveillance:area", args=["31120"]),
        reverse("surveillance:overview", args=["916"]),
        reverse("areas:detail", args=["916"]),
        reverse("lockdowns:index") + "?area=916&date=20/07/2021",
        reverse("lockdowns:detail", args=[zone]) + "?date=20/07/2021",
        reverse("lockdowns:edit", args=[zone]),
    ]


def too_wide(browser: Browser, live_server, username: str, urls: list[str]) -> dict[str, int]:
    """The pages (of those ``username`` may open) wider than a phone, with their width."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        login(page, live_server, username)
        wide = {}
        for url in urls:
            try:
                response = page.goto(url)
            except PlaywrightError:  # a POST-only URL answers 405 with no page to show
                continue
            if response is None or "html" not in response.headers.get("content-type", ""):
                continue
            page.wait_for_load_state("load")
            if page.locator("body > main").count() == 0:
                continue  # an htmx fragment (e.g. the map's table), shown inside its page
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + TOLERANCE_PX:
                wide[url] = width
        return wide
    finally:
        context.close()


@pytest.mark.parametrize(
    "username",
    ["district_steering", "anhoa_official", "health_officer", "admin", "construction", "business"],
)
def test_no_page_is_wider_than_a_phone(browser, live_server, phone_world, username):
    urls = ["/"] + pages_without_arguments() + data_pages(phone_world)
    wide = too_wide(browser, live_server, username, urls)
    assert wide == {}, f"pages wider than {PHONE['width']} px for {username}: {wide}"


def test_the_phone_layout_keeps_the_menu_and_a_wide_table_reachable(page, live_server, world):
    page.set_viewport_size(PHONE)
    login(page, live_server, "admin", landing="/audit/")
    # The menu wraps instead of running off the screen: its last entry is on screen.
    last_entry = page.locator("header nav a").last
    expect(last_entry).to_be_visible()
    box = last_entry.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
