"""Signing in, and switching the interface language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_then_right_password_opens_the_first_screen(page, live_server):
    login(page, live_server, "anhoa_official", password="not the password", landing=None)

    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(tr("Wrong username or password. Both are case-sensitive."))
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    # The username is kept, the password is not.
    expect(page.locator("input[name=username]")).to_have_value("anhoa_official")
    expect(page.locator("input[name=password]")).to_have_value("")

    login(page, live_server, "anhoa_official", landing=None)

    # Signing in opens the ward official's first screen: their ward's levels page.
    expect(page).to_have_url(f"{live_server.url}/risk/areas/31120/")
    expect(page.get_by_test_id("who")).to_have_text("anhoa_official")


def test_language_switch_changes_the_page_and_persists(page, live_server):
    login(page, live_server, "district_steering")
    html = page.locator("html")
    areas_link = page.locator("header nav a[href='/areas/']")
    expect(html).to_have_attribute("lang", "vi")
    expect(areas_link).to_have_text(tr("Areas", "vi"))
    expect(page.locator("button[data-lang=vi]")).to_have_attribute("aria-pressed", "true")

    page.locator("button[data-lang=en]").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/areas/")  # back where the user was
    expect(areas_link).to_have_text("Areas")
    expect(page.locator("header nav a[href='/audit/']")).to_have_text("Audit trail")
    expect(page.locator("button[data-lang=en]")).to_have_attribute("aria-pressed", "true")

    # The choice outlives the page: the next page is in English too.
    page.goto(f"{live_server.url}/accounts/tokens/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Personal API tokens")

    page.locator("button[data-lang=vi]").click()

    expect(html).to_have_attribute("lang", "vi")
    expect(page).to_have_url(f"{live_server.url}/accounts/tokens/")
    expect(page.locator("main h1")).to_have_text(tr("Personal API tokens", "vi"))
    page.goto(f"{live_server.url}/areas/")
    expect(html).to_have_attribute("lang", "vi")
    expect(areas_link).to_have_text(tr("Areas", "vi"))
