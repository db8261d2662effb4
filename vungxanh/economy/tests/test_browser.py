"""A ward official enters an establishment by the form and finds it in the list (browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vungxanh.economy.models import Establishment
from vungxanh.economy.tests.world import tax_code
from vungxanh.tests.browser.helpers import login

pytestmark = pytest.mark.browser


def test_a_ward_official_enters_an_establishment_and_sees_it_in_the_list(page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}/economy/establishments/")
    expect(page.get_by_test_id("establishment-row")).to_have_count(0)
    page.get_by_test_id("new-establishment").click()

    form = page.get_by_test_id("establishment-form")
    form.locator("input[name=name]").fill("Tạp hóa <Minh Anh>")
    # A typo first: the check digit is wrong, and the form says so at the field.
    wrong = tax_code(1)[:9] + str((int(tax_code(1)[9]) + 1) % 10)
    form.locator("input[name=tax_code]").fill(wrong)
    form.locator("select[name=kind]").select_option("household")
    form.locator("input[name=vsic_code]").fill("47112")
    form.locator("select[name=ward]").select_option("31120")
    form.locator("input[name=workers]").fill("4")
    form.locator("input[name=essential_goods]").check()
    form.locator("input[name=goods]").fill("Gạo, mì, nước uống")
    page.get_by_test_id("save-establishment").click()
    expect(page.locator(".errorlist")).to_contain_text(wrong)
    assert not Establishment.objects.exists()

    page.get_by_test_id("establishment-form").locator("input[name=tax_code]").fill(tax_code(1))
    page.get_by_test_id("save-establishment").click()

    expect(page).to_have_url(f"{live_server.url}/economy/establishments/?ward=31120")
    expect(page.locator(".messages li.success")).to_contain_text("Tạp hóa <Minh Anh>")
    row = page.get_by_test_id("establishment-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tạp hóa <Minh Anh>")  # shown as typed, escaped
    expect(row).to_contain_text(tax_code(1))
    expect(row).to_contain_text("Bán lẻ trong cửa hàng tiện lợi")

    # The sector filter keeps it under G (trade) and drops it under F (construction).
    filters = page.get_by_test_id("establishment-filters")
    filters.locator("select[name=section]").select_option("F")
    filters.locator("button[type=submit]").click()
    expect(page.get_by_test_id("establishment-row")).to_have_count(0)
    filters.locator("select[name=section]").select_option("G")
    filters.locator("button[type=submit]").click()
    expect(page.get_by_test_id("establishment-row")).to_have_count(1)
    assert errors == []
    stored = Establishment.objects.get()
    assert (stored.ward.code, stored.section, stored.workers) == ("31120", "G", 4)
