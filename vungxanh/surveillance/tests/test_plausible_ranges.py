"""Issue 9, findings 2 and 11: every value has a plausible range, in files, forms and the API.

A year typed wrong (2099) once made the next recompute build a days × days matrix and
crash; a count of 9,223,372,036,854,775,807, a zone starting 9999-12-31 decided
0001-01-01, a testing round in 2099, a case isolated in 1900 and free text as a phone or
an ID number were all accepted. Each is refused here with a message naming its row and
column or its field, and a long but real series recomputes in memory linear in its days.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from vungxanh.imports.problems import as_rows
from vungxanh.lockdowns.forms import CaseLinkForm, RoundPlanForm, ZoneForm
from vungxanh.lockdowns.models import TestingRound, ZoneCase
from vungxanh.lockdowns.tests.world import ZONE_SHAPE, build_zones
from vungxanh.surveillance import services
from vungxanh.surveillance.indicators import recompute
from vungxanh.surveillance.models import CasePerson, DailyCount, RtSeries
from vungxanh.surveillance.rt import recompute_rt
from vungxanh.testing import BaseTestCase

DAILY_HEADER = "Địa bàn,Ngày,Ca cộng đồng"
CASE_HEADER = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Số điện thoại,Số CCCD/CMND"
HUGE = 9_223_372_036_854_775_807


def problems(kind: str, text: str, actor) -> list[dict]:
    """The problems the import check reports for ``text`` (nothing is written)."""
    check = services.check_import(kind, text.encode(), f"{kind}.csv", actor=actor)
    return as_rows(check.errors)


class FilesTestCase(BaseTestCase):
    def test_a_daily_count_dated_2099_is_refused_naming_row_and_column(self):
        found = problems("daily", f"{DAILY_HEADER}\n31120,01/01/2099,3\n", self.anhoa_official)
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in found], [(2, "Ngày", "date_out_of_range")]
        )
        with translation.override("en"):
            found = problems("daily", f"{DAILY_HEADER}\n31120,01/01/2099,3\n", self.anhoa_official)
        self.assertEqual(found[0]["where"], "row 2, column ‘Ngày’")
        self.assertIn("01/01/2099", found[0]["message"])
        self.assertIn("check the year", found[0]["message"])

    def test_a_case_confirmed_in_2099_writes_nothing(self):
        text = f"{CASE_HEADER}\nBN1,31120,01/01/2099,Cộng đồng,,\n"
        result = services.import_file("cases", text.encode(), "c.csv", actor=self.health_officer)
        self.assertIsNone(result.batch)
        self.assertEqual([e.code for e in result.check.errors], ["date_out_of_range"])

    def test_no_date_after_today_unless_configured(self):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        text = f"{DAILY_HEADER}\n31120,{tomorrow:%d/%m/%Y},3\n"
        self.assertEqual(
            [p["code"] for p in problems("daily", text, self.anhoa_official)],
            ["date_out_of_range"],
        )
        with override_settings(VX_DATA_DATE_MAX_DAYS_AHEAD=1):
            self.assertEqual(problems("daily", text, self.anhoa_official), [])
        before = f"{DAILY_HEADER}\n31120,30/11/2019,3\n"
        self.assertEqual(
            [p["code"] for p in problems("daily", before, self.anhoa_official)],
            ["date_out_of_range"],
        )

    def test_a_day_that_does_not_exist_says_why(self):
        text = f"{DAILY_HEADER}\n31120,31/09/2021,3\n"
        with translation.override("en"):
            (found,) = problems("daily", text, self.anhoa_official)
        self.assertEqual(found["code"], "no_such_day")
        self.assertIn("September has 30 days", found["message"])
        with translation.override("vi"):
            (found,) = problems("daily", text, self.anhoa_official)
        self.assertIn("Tháng 9", found["message"])
        self.assertIn("30", found["message"])

    def test_a_huge_count_is_refused(self):
        text = f"{DAILY_HEADER}\n31120,20/09/2021,{HUGE}\n31120,21/09/2021,2147483648\n"
        found = problems("daily", text, self.anhoa_official)
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in found],
            [(2, "Ca cộng đồng", "above_maximum"), (3, "Ca cộng đồng", "above_maximum")],
        )

    def test_counts_are_bounded_by_the_wards_population(self):
        # An Hòa has 31,268 people: 450,000 new cases in a day is a typo (extra digits).
        text = (
            "Địa bàn,Ngày,Nhóm mẫu,Số mẫu xét nghiệm,Số mẫu dương tính\n"
            "31120,20/09/2021,Cộng đồng,450000,3\n"
            "31120,21/09/2021,Cộng đồng,31000,3\n"
        )
        with translation.override("en"):
            found = problems("tests", text, self.anhoa_official)
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in found],
            [(2, "Số mẫu xét nghiệm", "above_population")],
        )
        self.assertIn("Phường An Hòa", found[0]["message"])
        self.assertIn("31,268", found[0]["message"])
        daily = f"{DAILY_HEADER}\n31120,20/09/2021,450000\n"
        self.assertEqual(
            [p["code"] for p in problems("daily", daily, self.anhoa_official)],
            ["above_population"],
        )

    def test_phone_and_id_numbers_follow_the_vietnamese_formats(self):
        good = (
            f"{CASE_HEADER}\n"
            "BN1,31120,20/09/2021,Cộng đồng,0912345678,092090000009\n"
            "BN2,31120,20/09/2021,Cộng đồng,+84 912 345 678,361234567\n"
            "BN3,31120,20/09/2021,Cộng đồng,0292.3812.345,C1234567\n"
        )
        self.assertEqual(problems("cases", good, self.health_officer), [])
        bad = (
            f"{CASE_HEADER}\n"
            "BN4,31120,20/09/2021,Cộng đồng,gọi bà Tư,không có\n"
            "BN5,31120,20/09/2021,Cộng đồng,0912,12345\n"
        )
        with translation.override("en"):
            found = problems("cases", bad, self.health_officer)
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in found],
            [
                (2, "Số CCCD/CMND", "not_a_id_number"),
                (2, "Số điện thoại", "not_a_phone"),
                (3, "Số CCCD/CMND", "not_a_id_number"),
                (3, "Số điện thoại", "not_a_phone"),
            ],
        )
        self.assertIn("not a Vietnamese phone number", found[1]["message"])


class ApiTestCase(BaseTestCase):
    def post(self, name: str, body: dict):
        return self.client.post(reverse(name), body, content_type="application/json")

    def test_the_api_refuses_2099_naming_the_field(self):
        self.client.force_login(self.anhoa_official)
        response = self.post(
            "api:daily_count_create", {"area": "31120", "date": "01/01/2099", "community": 3}
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("01/01/2099", response.json()["errors"]["date"][0])
        self.assertFalse(DailyCount.objects.exists())

    def test_the_api_refuses_a_huge_count_and_one_above_the_population(self):
        self.client.force_login(self.anhoa_official)
        for count in (HUGE, 2_147_483_648, 450_000):
            with self.subTest(count=count):
                response = self.post(
                    "api:daily_count_create",
                    {"area": "31120", "date": "20/09/2021", "community": count},
                )
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn("community", response.json()["errors"])
        self.assertFalse(DailyCount.objects.exists())

    def test_the_api_refuses_free_text_as_phone_or_id_number(self):
        self.client.force_login(self.health_officer)
        response = self.post(
            "api:case_create",
            {
                "case_code": "BN1",
                "area": "31120",
                "confirmed_date": "20/09/2021",
                "detection": "community",
                "phone": "gọi bà Tư",
                "id_number": "không có",
            },
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(set(response.json()["errors"]), {"phone", "id_number"})
        self.assertFalse(CasePerson.objects.exists())


class RecomputeMemoryTestCase(BaseTestCase):
    def test_five_years_of_days_recompute_in_memory_linear_in_the_days(self):
        # The first and the last day five years apart: every matrix spans 1,857 days.
        first, last = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
        records = [
            {"area_id": self.anhoa.pk, "date": day, "community": 4, "source": "test"}
            for day in (first, last)
        ]
        result = services.import_records(
            "daily", records, actor=None, series_code="reported", label="test"
        )
        series = result.batch.series
        days = (last - first).days + 1
        tracemalloc.start()
        try:
            recompute(series)
            recompute_rt(series)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(RtSeries.objects.get(area=self.anhoa, series=series).days, days)
        # One days × days float matrix alone would be 27 MB (the old estimator built four,
        # 111 MB in all); every matrix now is areas × days (about 4 MB in all here).
        self.assertLess(peak, days * days * 8 / 3)


class LockdownsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)

    def post(self, name: str, body: dict, *args):
        return self.client.post(reverse(name, args=args), body, content_type="application/json")

    def zone_form(self, **values) -> ZoneForm:
        data = {
            "name": "Hẻm 66",
            "area": "31120",
            "scope_type": "alley",
            "rule": self.zone.rule.code,
            **values,
        }
        return ZoneForm(
            data=data, communes=[self.anhoa], units=[], rules=[self.zone.rule], editing=False
        )

    def test_a_zone_from_9999_decided_in_year_1_is_refused_by_the_api(self):
        response = self.post(
            "api:lockdown_zone_create",
            {
                "area": "31120",
                "name": "Hẻm 66",
                "scope_type": "alley",
                "geometry": ZONE_SHAPE,
                "decided_on": "0001-01-01",
                "start_date": "9999-12-31",
            },
        )
        self.assertEqual(response.status_code, 422, response.content)
        errors = response.json()["errors"]
        self.assertIn("01/01/0001", errors["decided_on"][0])
        self.assertIn("31/12/9999", errors["start_date"][0])

    def test_a_zone_decided_after_its_start_is_refused_by_the_api(self):
        response = self.post(
            "api:lockdown_zone_create",
            {
                "area": "31120",
                "name": "Hẻm 66",
                "scope_type": "alley",
                "decided_on": "2021-07-12",
                "start_date": "2021-07-10",
            },
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("start_date", response.json()["errors"])

    def test_a_zone_from_9999_decided_in_year_1_is_refused_by_the_form(self):
        form = self.zone_form(decided_on="01/01/0001", start_date="31/12/9999")
        self.assertFalse(form.is_valid())
        self.assertEqual(set(form.errors), {"decided_on", "start_date"})
        form = self.zone_form(decided_on="12/07/2021", start_date="10/07/2021")
        self.assertFalse(form.is_valid())
        self.assertEqual(set(form.errors), {"decided_on"})
        form = self.zone_form(decided_on="09/07/2021", start_date="10/07/2021", residents="66")
        self.assertTrue(form.is_valid(), form.errors)

    def test_a_zone_with_more_residents_than_its_ward_is_refused_by_the_form(self):
        form = self.zone_form(residents="400000")
        self.assertFalse(form.is_valid())
        self.assertEqual(set(form.errors), {"residents"})
        response = self.post(
            "api:lockdown_zone_create",
            {"area": "31120", "name": "Hẻm", "scope_type": "alley", "residents": HUGE},
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("residents", response.json()["errors"])

    def test_a_testing_round_in_2099_is_refused(self):
        rounds = TestingRound.objects.count()
        response = self.post("api:lockdown_round_plan", {"day": "2099-07-20"}, self.zone.pk)
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("day", response.json()["errors"])
        self.assertEqual(TestingRound.objects.count(), rounds)
        form = RoundPlanForm(data={"day": "20/07/2099", "method": "pcr", "whole_zone": "on"})
        self.assertEqual(set(form.errors), {"day"})
        form = RoundPlanForm(data={"day": "20/07/2021", "method": "pcr", "whole_zone": "on"})
        self.assertTrue(form.is_valid(), form.errors)

    def test_a_case_isolated_in_1900_is_refused(self):
        links = ZoneCase.objects.count()
        response = self.post(
            "api:lockdown_case_link",
            {"case_code": "SIM-000002", "relation": "inside", "isolated_on": "1900-01-01"},
            self.zone.pk,
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("isolated_on", response.json()["errors"])
        self.assertEqual(ZoneCase.objects.count(), links)
        form = CaseLinkForm(
            data={"case_code": "SIM-000002", "relation": "inside", "isolated_on": "01/01/1900"}
        )
        self.assertEqual(set(form.errors), {"isolated_on"})
