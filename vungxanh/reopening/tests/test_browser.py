"""Anyone, without signing in, looks up a tax code and sees what it may do (browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vungxanh.reopening.tests.world import CHANGE_DAY, build_establishments
from vungxanh.risk.tests.test_views import build_levels

pytestmark = pytest.mark.browser


def test_the_public_lookup_shows_an_establishments_status(page, live_server, world, settings):
    settings.DEMO, settings.VX_DEMO_DAY = True, CHANGE_DAY
    build_levels(world)
    build_establishments(world)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))

    page.goto(f"{live_server.url}/public/lookup/")
    form = page.get_by_test_id("lookup-form")
    form.locator("input[name=tax_code]").fill(world.restaurant.tax_code)
    form.locator("button[type=submit]").click()
    answer = page.get_by_test_id("lookup-answer")
    expect(answer).to_contain_text("Quán cơm Cái Khế")
    # Cái Khế is at Cấp 2 on 25/10/2021: restaurants may open (NQ 128, row 7).
    expect(page.get_by_test_id("lookup-status")).to_have_attribute("data-status", "allowed")
    expect(answer).to_contain_text("128/NQ-CP")

    # A malformed tax code: the message names the field, and what was typed is escaped.
    form = page.get_by_test_id("lookup-form")
    form.locator("input[name=tax_code]").fill("<b>12</b>")
    form.locator("button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("<b>12</b>")
    expect(page.get_by_test_id("lookup-answer")).to_have_count(0)
    assert errors == []
