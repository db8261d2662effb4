"""Recovery indicators (issue 12, item 8): the counts per day against a small world built by
hand, the span bound, the scope of the page and the API, and the decision times.

The world, from 01/10 to 10/10/2021 in Ninh Kiều (periods written directly, as the
isolation checks do: the counts, not the status computation, are under test here):

- An Hòa grocery (G, 3 workers): allowed until 04/10, suspended from 05/10;
- An Hòa builder (F, public-investment works, 10 workers): limited from 03/10;
- An Hòa shop (G, 5 workers): unknown on 08/10 and 09/10 only;
- Cái Khế restaurant (I, no number of workers): allowed all along;
- Hưng Phú restaurant (Cái Răng, outside Ninh Kiều, 7 workers): allowed all along.
"""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.economy import services as economy
from vungxanh.economy.tests.world import values
from vungxanh.permits.models import PermitApplication, SafetyPlan
from vungxanh.reopening.indicators import MAX_SPAN_DAYS, SpanError, recovery_indicators
from vungxanh.reopening.models import StatusPeriod
from vungxanh.testing import BaseTestCase
from vungxanh.tests.browser.helpers import login

FIRST, LAST = dt.date(2021, 10, 1), dt.date(2021, 10, 10)
SPAN = {"area": "916", "from": "01/10/2021", "to": "10/10/2021"}
TRADE, CONSTRUCTION = Role.DEPT_INDUSTRY_TRADE.value, Role.DEPT_CONSTRUCTION.value


def day(d: int, month: int = 10) -> dt.date:
    return dt.date(2021, month, d)


def moment(d: int, hour: int = 9, month: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2021, month, d, hour))


def period(est, start, end, status, previous=""):
    StatusPeriod.objects.create(
        establishment=est, ward=est.ward, section=est.section, start=start, end=end,
        since=start, status=status, previous_status=previous, reason="level",
        computed_at=timezone.now(),
    )  # fmt: skip


def application(est, department, state, submitted, decided=None):
    plan = SafetyPlan.objects.create(
        establishment=est, production_model="on_site", workers_on_site=1, scheme="vn-2194-2020",
        score=20, maximum=100, percent=20, band="low", decision="operate", test_every_days=7,
        responsible_person="Nguyễn Văn A",
    )  # fmt: skip
    return PermitApplication.objects.create(
        establishment=est, plan=plan, kind="reopen", state=state, department=department,
        first_day=FIRST, description="Mở lại", submitted_at=submitted, due_on=FIRST,
        decided_at=decided,
    )  # fmt: skip


class IndicatorsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()

        def create(n, ward, **changes):
            return economy.create_establishment(actor=cls.admin, ward=ward, **values(n, **changes))

        cls.grocery = create(1, cls.anhoa, workers=3)
        cls.builder = create(
            2, cls.anhoa, vsic_code="41010", workers=10, essential_goods=False, goods="",
            public_investment=True, investor="UBND quận Ninh Kiều",
        )  # fmt: skip
        cls.shop = create(3, cls.anhoa, workers=5)
        cls.restaurant = create(4, cls.caikhe, vsic_code="56101", workers=None)
        cls.outside = create(5, cls.hungphu, vsic_code="56101", workers=7)
        period(cls.grocery, day(25, 9), day(4), "allowed")
        period(cls.grocery, day(5), None, "suspended", "allowed")
        period(cls.builder, day(3), None, "limited")
        period(cls.shop, day(8), day(9), "unknown")
        period(cls.restaurant, day(1, 9), None, "allowed")
        period(cls.outside, day(1, 9), None, "allowed")
        # Decision times of industry and trade: 1, 2, 4 and 10 days; construction: 12 hours.
        application(cls.grocery, TRADE, "approved", moment(1), moment(2))
        application(cls.grocery, TRADE, "rejected", moment(1), moment(3))
        application(cls.shop, TRADE, "changes_requested", moment(2), moment(6))
        application(cls.shop, TRADE, "approved", moment(25, month=9), moment(5))  # before
        application(cls.builder, CONSTRUCTION, "approved", moment(3, 8), moment(3, 20))
        application(cls.shop, TRADE, "submitted", moment(4))
        application(cls.outside, TRADE, "approved", moment(2), moment(3))  # outside the area


class CountsTests(IndicatorsTestCase):
    def indicators(self, area=None):
        return recovery_indicators(self.district_steering, area or self.ninhkieu, FIRST, LAST)

    def test_establishments_per_day_by_status(self) -> None:
        found = self.indicators()
        by = {s: a.tolist() for s, a in found.total.by_status.items()}
        self.assertEqual(found.days[0], FIRST)
        self.assertEqual(found.days[-1], LAST)
        self.assertEqual(by["allowed"], [2, 2, 2, 2, 1, 1, 1, 1, 1, 1])
        self.assertEqual(by["limited"], [0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
        self.assertEqual(by["suspended"], [0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        self.assertEqual(by["unknown"], [0, 0, 0, 0, 0, 0, 0, 1, 1, 0])

    def test_workers_back_and_works_running_count_the_allowed_and_limited(self) -> None:
        found = self.indicators()
        # 3 (grocery) until 04/10, + 10 (builder) from 03/10; the restaurant has no figure.
        self.assertEqual(found.total.workers_back.tolist(), [3, 3, 13, 13, 10, 10, 10, 10, 10, 10])
        self.assertEqual(found.total.workers_missing.tolist(), [1] * 10)
        self.assertEqual(found.total.works_running.tolist(), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1])

    def test_by_ward_and_by_sector_on_the_last_day(self) -> None:
        found = self.indicators()
        wards = {w.code: f for w, f in found.by_ward}
        self.assertEqual(set(wards), {"31120", "31117"})  # not Hưng Phú (Cái Răng)
        self.assertEqual(
            (wards["31120"]["allowed"], wards["31120"]["limited"], wards["31120"]["suspended"]),
            (0, 1, 1),
        )
        self.assertEqual(wards["31120"]["workers_back"], 10)
        self.assertEqual(wards["31117"]["allowed"], 1)
        sections = {code: f for code, _name, f in found.by_section}
        self.assertEqual(sections["F"]["limited"], 1)
        self.assertEqual(sections["F"]["works_running"], 1)
        self.assertEqual(sections["G"]["suspended"], 1)
        self.assertEqual(sections["I"]["allowed"], 1)

    def test_a_ward_counts_only_its_establishments(self) -> None:
        found = self.indicators(self.caikhe)
        self.assertEqual(found.total.by_status["allowed"].tolist(), [1] * 10)
        self.assertEqual(found.total.by_status["suspended"].tolist(), [0] * 10)

    def test_permits_by_state_count_the_applications_submitted_in_the_span(self) -> None:
        found = self.indicators()
        states = {state: n for state, _label, n in found.permits_by_state}
        self.assertEqual(
            states,
            {"submitted": 1, "under_review": 0, "approved": 2,
             "changes_requested": 1, "rejected": 1},
        )  # fmt: skip

    def test_processing_time_median_and_90th_percentile(self) -> None:
        found = {p.department: p for p in self.indicators().processing}
        trade = found[TRADE]
        self.assertEqual(trade.decided, 4)  # 1, 2, 4, 10 days; Hưng Phú's is outside
        self.assertEqual(trade.median_days, 3.0)
        self.assertEqual(trade.p90_days, 8.2)  # 4 + 0.7 × (10 − 4)
        self.assertEqual(
            (found[CONSTRUCTION].median_days, found[CONSTRUCTION].p90_days), (0.5, 0.5)
        )

    def test_the_queries_do_not_grow_with_days_or_establishments(self) -> None:
        def queries(last_day):
            with CaptureQueriesContext(connection) as captured:
                recovery_indicators(self.district_steering, self.ninhkieu, FIRST, last_day)
            return len(captured)

        queries(LAST)  # the user's memberships are read once, then kept on the user
        short = queries(LAST)
        self.assertEqual(queries(FIRST + dt.timedelta(days=MAX_SPAN_DAYS - 1)), short)
        for n in range(10, 15):
            est = economy.create_establishment(actor=self.admin, ward=self.anhoa, **values(n))
            period(est, day(1), None, "allowed")
        self.assertEqual(queries(LAST), short)

    def test_a_span_over_a_year_is_refused_naming_the_field(self) -> None:
        with self.assertRaises(SpanError) as raised:
            recovery_indicators(
                self.district_steering,
                self.ninhkieu,
                day(1, 1),
                day(1, 1) + dt.timedelta(days=3650),
            )
        self.assertEqual(raised.exception.field, "from")
        with translation.override("en"):
            with self.assertRaises(SpanError) as raised:
                recovery_indicators(self.district_steering, self.ninhkieu, LAST, FIRST)
            self.assertIn("From", raised.exception.message)
        # A full year is allowed.
        recovery_indicators(
            self.district_steering,
            self.ninhkieu,
            FIRST,
            FIRST + dt.timedelta(days=MAX_SPAN_DAYS - 1),
        )


class PageTests(IndicatorsTestCase):
    def test_the_page_shows_the_tables_and_the_chart_data(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("reopening:indicators"), SPAN)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="recovery-chart"')
        self.assertContains(response, 'id="recovery-data"')
        self.assertContains(response, 'data-code="31120"')
        self.assertContains(response, 'data-code="31117"')
        self.assertNotContains(response, "Hưng Phú")
        latest = response.context["latest"]
        self.assertEqual((latest["allowed"], latest["limited"], latest["suspended"]), (1, 1, 1))
        self.assertEqual(
            response.context["chart"]["statuses"]["allowed"], [2, 2, 2, 2, 1, 1, 1, 1, 1, 1]
        )

    def test_a_ten_year_span_is_reported_naming_the_field(self) -> None:
        self.client.force_login(self.district_steering)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get(reverse("reopening:indicators"), SPAN | {"from": "01/10/2011"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["errors"], ["From: at most 366 days from the first day to the last."]
        )
        self.assertContains(response, 'data-testid="indicator-error"')
        # The page still shows, over the default span (the 90 days up to the "as of" day).
        self.assertEqual((response.context["last"] - response.context["first"]).days, 89)

    def test_a_bad_day_is_named_and_the_page_still_shows(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("reopening:indicators"), SPAN | {"to": "31/09/2021"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["errors"]), 1)
        self.assertIn("31/09/2021", response.context["errors"][0])

    def test_simulated_establishments_are_labelled(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("reopening:indicators"), SPAN)
        self.assertNotContains(response, 'data-testid="simulated"')
        type(self.grocery).objects.filter(pk=self.grocery.pk).update(simulated=True)
        response = self.client.get(reverse("reopening:indicators"), SPAN)
        self.assertContains(response, 'data-testid="simulated"')

    def test_an_area_without_statuses_says_what_would_fill_it(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(
            reverse("reopening:indicators"), SPAN | {"from": "01/01/2021", "to": "31/01/2021"}
        )
        self.assertContains(response, 'data-testid="no-statuses"')
        self.assertNotContains(response, 'data-testid="recovery-chart"')

    def test_another_wards_user_gets_404(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("reopening:indicators"), SPAN | {"area": "31117"})
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("reopening:indicators"), SPAN | {"area": "916"})
        self.assertEqual(response.status_code, 404)
        own = self.client.get(reverse("reopening:indicators"), SPAN | {"area": "31120"})
        self.assertEqual(own.status_code, 200)
        self.assertNotContains(own, 'data-code="31117"')


class ApiTests(IndicatorsTestCase):
    url = "/api/v1/reopening/indicators"

    def test_the_api_returns_the_figures(self) -> None:
        self.client.force_login(self.district_steering)
        body = self.client.get(self.url, SPAN).json()
        self.assertEqual(body["from"], "2021-10-01")
        self.assertEqual(len(body["dates"]), 10)
        self.assertEqual(body["statuses"]["suspended"], [0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        self.assertEqual(body["workers_back"][2], 13)
        self.assertEqual(body["latest"]["works_running"], 1)
        trade = next(p for p in body["processing"] if p["department"] == TRADE)
        self.assertEqual((trade["median_days"], trade["p90_days"]), (3.0, 8.2))

    def test_by_ward_or_sector_gives_every_days_figures_per_group(self) -> None:
        self.client.force_login(self.district_steering)
        body = self.client.get(self.url, SPAN | {"by": "ward"}).json()
        wards = {row["code"]: row for row in body["series_by"]}
        self.assertEqual(set(wards), {"31120", "31117"})
        self.assertEqual(wards["31120"]["statuses"]["suspended"], [0] * 4 + [1] * 6)
        self.assertEqual(wards["31120"]["workers_back"], [3, 3, 13, 13] + [10] * 6)
        self.assertEqual(wards["31117"]["statuses"]["allowed"], [1] * 10)
        body = self.client.get(self.url, SPAN | {"by": "section"}).json()
        sections = {row["code"]: row for row in body["series_by"]}
        self.assertEqual(sections["F"]["works_running"], [0, 0] + [1] * 8)
        self.assertIsNone(self.client.get(self.url, SPAN).json()["series_by"])

    def test_a_breakdown_too_large_or_unknown_is_a_422_naming_by(self) -> None:
        self.client.force_login(self.district_steering)
        with mock.patch("vungxanh.reopening.indicators.MAX_GROUP_DAYS", 19):
            response = self.client.get(self.url, SPAN | {"by": "ward"})  # 2 wards × 10 days
        self.assertEqual(response.status_code, 422)
        self.assertIn("by", response.json()["errors"])
        response = self.client.get(self.url, SPAN | {"by": "street"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("by", response.json()["errors"])

    def test_a_ten_year_span_is_a_422_naming_the_field(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(self.url, SPAN | {"from": "01/10/2011"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("from", response.json()["errors"])
        response = self.client.get(self.url, SPAN | {"to": "not a day"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("to", response.json()["errors"])

    def test_another_wards_user_gets_404(self) -> None:
        self.client.force_login(self.anhoa_official)
        self.assertEqual(self.client.get(self.url, SPAN | {"area": "31117"}).status_code, 404)
        self.assertEqual(self.client.get(self.url, SPAN | {"area": "916"}).status_code, 404)
        own = self.client.get(self.url, SPAN | {"area": "31120"}).json()
        self.assertEqual([w["code"] for w in own["by_ward"]], ["31120"])

    def test_a_business_applicant_is_refused(self) -> None:
        from vungxanh.testing import make_user

        self.client.force_login(make_user("business_x", Role.BUSINESS, self.anhoa))
        self.assertEqual(self.client.get(self.url, SPAN | {"area": "31120"}).status_code, 403)


# -- in the browser ------------------------------------------------------------------------------
def build_browser_world(world) -> None:
    """Two An Hòa establishments (one suspended from 05/10) and one in Cái Khế."""
    grocery, builder = (
        economy.create_establishment(actor=world.admin, ward=world.anhoa, **values(n, **changes))
        for n, changes in (
            (1, {}),
            (2, {"vsic_code": "41010", "essential_goods": False, "goods": "",
                 "public_investment": True, "investor": "UBND quận Ninh Kiều"}),
        )
    )  # fmt: skip
    restaurant = economy.create_establishment(
        actor=world.admin, ward=world.caikhe, **values(3, vsic_code="56101")
    )
    period(grocery, day(1, 9), day(4), "allowed")
    period(grocery, day(5), None, "suspended", "allowed")
    period(builder, day(3), None, "limited")
    period(restaurant, day(1, 9), None, "allowed")


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1400])
def test_the_indicators_page_shows_the_chart_and_the_tables(page, live_server, world, width):
    build_browser_world(world)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}{reverse('reopening:indicators')}?{urlencode(SPAN)}")
    # The chart is drawn with one bar per day of the span.
    expect(page.get_by_test_id("recovery-chart")).to_have_attribute("data-ready", "10")
    wards = page.get_by_test_id("indicator-wards")
    expect(wards).to_be_visible()
    expect(wards.locator("[data-testid=ward-row]")).to_have_count(2)
    expect(wards.locator("[data-code='31120']")).to_contain_text("An Hòa")
    expect(page.get_by_test_id("indicator-sections")).to_be_visible()
    expect(page.get_by_test_id("permit-states")).to_be_visible()
    expect(page.get_by_test_id("workers-back")).to_have_text("6")  # builder + restaurant
    # Nothing makes the page itself scroll sideways, on a phone or a desktop.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []


class ExportTests(IndicatorsTestCase):
    def test_the_workbook_holds_the_tables_with_formulas_neutralised(self) -> None:
        Area.objects.filter(pk=self.caikhe.pk).update(name="=HYPERLINK(1)")
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("reopening:indicators_export"), SPAN)
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        per_day, by_ward = book.worksheets[0], book.worksheets[1]
        rows = list(per_day.iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(rows), 10)
        self.assertEqual(rows[4][1:5], (1, 1, 1, 0))  # 05/10: allowed, limited, suspended
        wards = [row[0] for row in by_ward.iter_rows(min_row=2, values_only=True)]
        self.assertIn("Phường An Hòa", wards)
        self.assertFalse(any(str(w).startswith("=") for w in wards), wards)
        self.assertTrue(any("HYPERLINK" in str(w) for w in wards), wards)

    def test_another_wards_user_gets_404(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("reopening:indicators_export"), SPAN | {"area": "31117"})
        self.assertEqual(response.status_code, 404)

    def test_a_translated_sheet_title_never_holds_a_character_excel_refuses(self) -> None:
        from vungxanh.reopening.views import _sheet_title

        self.assertEqual(_sheet_title("Theo phường/xã: [1]"), "Theo phường-xã- -1-")
