"""Each persona signs in and lands on their own first screen (docs/ui.md), in Vietnamese.

A ward official: their ward's levels page; a committee member or a viewer: the levels map of
their area; a health officer: the epidemic page of their area; a department officer or a
business: the page of their work (no page of zeros); the administrator: the area browser.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vungxanh.accounts.roles import Role
from vungxanh.testing import make_user
from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser

FIRST_SCREENS = [
    ("anhoa_official", r"/risk/areas/31120/$"),
    ("district_steering", r"/risk/map/\?area=916$"),
    ("viewer", r"/risk/map/\?area=916$"),
    ("health_officer", r"/surveillance/areas/916/$"),
    ("construction", r"/accounts/my-work/$"),
    ("business", r"/accounts/my-work/$"),
    ("admin", r"/areas/$"),
]


@pytest.mark.parametrize(("username", "first_screen"), FIRST_SCREENS)
def test_each_persona_signs_in_to_their_first_screen(
    page, live_server, world, username, first_screen
):
    make_user("construction", Role.DEPT_CONSTRUCTION, world.cantho)
    make_user("business", Role.BUSINESS, world.ninhkieu)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    login(page, live_server, username, landing=None)

    expect(page).to_have_url(re.compile(first_screen))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_test_id("who")).to_have_text(username)
    expect(page.locator("main h1")).to_be_visible()
    assert errors == []


def test_a_department_officers_first_screen_names_its_work_and_what_is_not_built(
    page, live_server, world
):
    make_user("labour", Role.DEPT_LABOUR, world.cantho)
    login(page, live_server, "labour", landing=None)

    expect(page.locator("main h1")).to_have_text(tr("Your work here"))
    work = page.get_by_test_id("role-work")
    expect(work.locator("h2")).to_contain_text(
        tr("Department officer: labour, invalids and social affairs")
    )
    # Support for residents comes with the welfare module: named, marked, not a link.
    coming = work.get_by_test_id("work-item").filter(has_text=tr("Support for residents"))
    expect(coming).to_have_attribute("data-available", "no")
    expect(coming).to_contain_text(tr("not in this version yet"))
    expect(coming.locator("a")).to_have_count(0)
    # The levels of the officer's area are there today: a link that opens them.
    levels = work.get_by_test_id("work-item").filter(has_text=tr("Levels of your area"))
    levels.locator("a").click()
    expect(page).to_have_url(re.compile(r"/risk/map/\?area=92$"))
