"""Reopening end to end (issue 12), in the browser, as each person does it.

A bar in Cái Khế is suspended at the ward's Cấp 2 on 20/10/2021 (NQ 128 row 9). Its owner
writes a safety plan and applies to operate beyond the level's default from that day; the
Industry and Trade officer reviews and approves it; the loop recomputes the statuses; anyone
looking up the tax code sees the bar limited on the permit's terms. Then the district's
steering committee publishes the ward's levels of 25/10 and decides Cấp 4 instead of the
computed Cấp 1: the ward's change list of 25/10 shows its restaurant and grocery newly
limited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from vungxanh.accounts.roles import Role
from vungxanh.permits.models import PermitApplication
from vungxanh.reopening.tests.world import CHANGE_DAY, build_establishments, establish
from vungxanh.risk.models import Assessment
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.testing import make_user
from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser

BAR_VSIC = "56301"  # Quán rượu, bia, quầy bar: NQ 128 row 9, suspended at Cấp 2 and Cấp 4
PERMIT_DAY = dt.date(2021, 10, 20)  # Cái Khế at Cấp 2 (computed by vn-4800-2021)
DAY = CHANGE_DAY.strftime("%d/%m/%Y")  # the day the committee decides Cấp 4
CONDITIONS = "Đóng cửa trước 21 giờ; khách quét mã QR khi vào"


def _look_up(page: Page, live_server, tax_code: str) -> None:
    """An anonymous visitor asks the public lookup about ``tax_code``."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/lookup/")
    form = page.get_by_test_id("lookup-form")
    form.locator("input[name=tax_code]").fill(tax_code)
    form.locator("button[type=submit]").click()


def _write_plan_and_apply(page: Page, live_server, bar) -> None:
    """The bar's owner: a safety plan scored low, then an application beyond the default."""
    login(page, live_server, "business_bar", landing="/permits/")
    page.get_by_test_id("new-plan").click()
    form = page.get_by_test_id("plan-form")
    form.locator("select[name=establishment]").select_option(str(bar.pk))
    form.locator("select[name=production_model]").select_option("on_site")
    form.locator("input[name=workers_on_site]").fill("4")
    form.locator("input[name=test_every_days]").fill("5")
    form.locator("input[name=responsible_person]").fill("Trần Thị Bích")
    form.locator("input[name=answer_score]").fill("15")
    form.locator("input[name=answer_maximum]").fill("60")
    page.get_by_test_id("save-plan").click()
    expect(page.get_by_test_id("plan-band")).to_contain_text("Nguy cơ lây nhiễm thấp")

    page.get_by_test_id("apply-with-plan").click()
    form = page.get_by_test_id("application-form")
    form.locator("select[name=kind]").select_option("beyond_default")
    form.locator("input[name=first_day]").fill(PERMIT_DAY.strftime("%d/%m/%Y"))
    form.locator("input[name=max_people]").fill("20")
    form.locator("textarea[name=description]").fill("Mở lại quầy bar, tối đa 20 khách")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "submitted")


def _review_and_approve(page: Page, live_server) -> None:
    """The Industry and Trade officer takes the application from the queue and approves it."""
    page.context.clear_cookies()
    login(page, live_server, "dept_trade", landing="/permits/")
    row = page.get_by_test_id("application-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Quán bar <Bến Ninh Kiều>")
    row.get_by_role("link").click()
    page.get_by_test_id("decide-review").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "under_review")
    page.locator("textarea[name=reason]").fill(CONDITIONS)
    page.get_by_test_id("decide-approve").click()
    expect(page.get_by_test_id("application-state")).to_have_attribute("data-state", "approved")


def _decide_level_4(page: Page, live_server, ward) -> None:
    """Ninh Kiều's steering committee publishes the ward's levels of the day, then decides
    Cấp 4 on the ward's page."""
    page.context.clear_cookies()
    login(page, live_server, "district_steering", landing=f"/risk/areas/{ward.code}/?date={DAY}")
    publish = page.get_by_test_id("publish-form")
    publish.locator("input[name=date]").fill(DAY)
    publish.locator("select[name=rules]").select_option("vn-4800-2021")
    publish.locator("select[name=series]").select_option("reported")
    publish.locator("button[type=submit]").click()
    expect(page.get_by_test_id("assessments")).to_contain_text(DAY)
    published = Assessment.objects.get(area=ward, date=CHANGE_DAY, ruleset__code="vn-4800-2021")
    row = page.locator(f"tr[data-assessment='{published.pk}']")
    expect(row).to_contain_text(DAY)
    row.locator("details.decide summary").click()
    form = row.get_by_test_id("decide-form")
    prefix = f"a{published.pk}"
    form.locator(f"select[name={prefix}-level]").select_option("4")
    form.locator(f"textarea[name={prefix}-reason]").fill("Ổ dịch mới ở chợ Cái Khế")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"tr[data-assessment='{published.pk}']")).to_contain_text("Cấp 4")


def test_a_permit_reopens_a_bar_and_a_new_level_fills_the_change_list(
    page, live_server, world, settings
):
    settings.DEMO, settings.VX_DEMO_DAY = True, PERMIT_DAY  # the lookup's "today"
    build_levels(world)
    build_establishments(world)  # Cái Khế: a restaurant and a grocery, allowed at Cấp 2
    owner = make_user("business_bar", Role.BUSINESS, world.caikhe)
    make_user("dept_trade", Role.DEPT_INDUSTRY_TRADE, world.cantho)
    with transaction.atomic():
        bar = establish(world, 5, world.caikhe, BAR_VSIC, "Quán bar <Bến Ninh Kiều>", owner)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))

    # Before: Cái Khế is at Cấp 2 on 20/10 and bars must stay closed.
    _look_up(page, live_server, bar.tax_code)
    expect(page.get_by_test_id("lookup-answer")).to_contain_text("Quán bar <Bến Ninh Kiều>")
    expect(page.get_by_test_id("lookup-status")).to_have_attribute("data-status", "suspended")

    _write_plan_and_apply(page, live_server, bar)
    _review_and_approve(page, live_server)
    application = PermitApplication.objects.get(establishment=bar)
    assert (application.kind, application.max_people) == ("beyond_default", 20)

    # After the approval the loop has run: the bar may open, capped at 20 people, on the
    # department's conditions, since the permit's first day.
    _look_up(page, live_server, bar.tax_code)
    answer = page.get_by_test_id("lookup-answer")
    expect(page.get_by_test_id("lookup-status")).to_have_attribute("data-status", "limited")
    expect(page.get_by_test_id("lookup-status")).to_contain_text(tr("limited").capitalize())
    expect(answer).to_contain_text(f"tối đa 20 người cùng lúc; {CONDITIONS}")
    expect(answer).to_contain_text(tr("Since %(day)s.", day=PERMIT_DAY.strftime("%d/%m/%Y")))

    # The committee puts Cái Khế at Cấp 4 on 25/10…
    _decide_level_4(page, live_server, world.caikhe)

    # …and the ward's change list of the day names the establishments it limits.
    page.goto(f"{live_server.url}/reopening/changes/?area={world.caikhe.code}&date={DAY}")
    rows = page.get_by_test_id("change-row")
    expect(rows).to_have_count(2)
    for name in ("Quán cơm Cái Khế", "Tạp hóa Cái Khế"):
        row = rows.filter(has_text=name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(tr("allowed"))
        expect(row.locator("strong")).to_have_text(tr("limited"))
    expect(rows.filter(has_text="Quán cơm Cái Khế")).to_contain_text("mang về")
    # The bar keeps its permit's terms whatever the level (permits.queries.Override): not a
    # change of that day.
    expect(page.get_by_test_id("changes")).not_to_contain_text("Quán bar")
    expect(page.get_by_test_id("change-total")).to_contain_text(f"{tr('limited').capitalize()}: 2")

    # The permit is a change of its own first day, in the same list.
    permit_day = PERMIT_DAY.strftime("%d/%m/%Y")
    page.goto(f"{live_server.url}/reopening/changes/?area={world.caikhe.code}&date={permit_day}")
    rows = page.get_by_test_id("change-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Quán bar <Bến Ninh Kiều>")
    expect(rows).to_contain_text(tr("suspended"))
    expect(rows).to_contain_text(tr("a permit"))
    expect(rows.locator("strong")).to_have_text(tr("limited"))
    assert errors == []
