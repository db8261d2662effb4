"""A business submits a safety plan and an application; the department approves (browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vungxanh.accounts.roles import Role
from vungxanh.economy import services as economy
from vungxanh.economy.tests.world import values
from vungxanh.permits.models import PermitApplication, SafetyPlan
from vungxanh.testing import make_user
from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser


def test_a_business_applies_and_the_department_approves(page, live_server, world):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    business = make_user("business_anhoa", Role.BUSINESS, world.anhoa)
    make_user("dept_trade", Role.DEPT_INDUSTRY_TRADE, world.cantho)
    shop = economy.create_establishment(
        actor=world.admin,
        ward=world.anhoa,
        representative=business,
        **values(1, name="Tạp hóa <Minh Anh>"),
    )

    # The business writes its safety plan: QĐ 2194's form scored 18 of 60 points (30 %).
    login(page, live_server, "business_anhoa", landing="/permits/")
    page.get_by_test_id("new-plan").click()
    form = page.get_by_test_id("plan-form")
    form.locator("select[name=establishment]").select_option(str(shop.pk))
    form.locator("select[name=production_model]").select_option("on_site")
    form.locator("input[name=workers_on_site]").fill("6")
    form.locator("input[name=test_every_days]").fill("5")
    form.locator("input[name=responsible_person]").fill("Lê Minh Anh")
    form.locator("input[name=answer_score]").fill("18")
    form.locator("input[name=answer_maximum]").fill("60")
    page.get_by_test_id("save-plan").click()
    expect(page.get_by_test_id("plan-band")).to_contain_text("Nguy cơ lây nhiễm thấp")
    assert SafetyPlan.objects.get().band == "low"

    # …and applies with it to reopen.
    page.get_by_test_id("apply-with-plan").click()
    form = page.get_by_test_id("application-form")
    form.locator("select[name=kind]").select_option("reopen")
    form.locator("input[name=first_day]").fill("01/10/2021")
    form.locator("textarea[name=description]").fill("Mở lại cửa hàng, bán mang đi")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "submitted")
    application = PermitApplication.objects.get()

    # The industry-and-trade officer finds it in the queue, reviews and approves it.
    page.context.clear_cookies()
    login(page, live_server, "dept_trade", landing="/permits/")
    row = page.get_by_test_id("application-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tạp hóa <Minh Anh>")  # shown as typed, escaped
    row.get_by_role("link").click()
    page.get_by_test_id("decide-review").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "under_review")
    page.locator("textarea[name=reason]").fill("Tối đa 6 người làm việc cùng lúc")
    page.get_by_test_id("decide-approve").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "approved")

    # The business sees "approved", the conditions, and can download its permit.
    page.context.clear_cookies()
    login(page, live_server, "business_anhoa", landing=f"/permits/applications/{application.pk}/")
    state = page.get_by_test_id("application-state")
    expect(state).to_have_attribute("data-state", "approved")
    expect(state).to_contain_text(tr("Approved"))
    expect(page.get_by_test_id("application-reason")).to_contain_text("Tối đa 6 người")
    with page.expect_download() as download:
        page.get_by_test_id("permit-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert errors == []
