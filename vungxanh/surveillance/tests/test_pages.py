"""The epidemic pages: an area's curve and indicator table, its units side by side.

The cases, by confirmed date, ward and place of detection (series "reported"):
  10/09 An Hòa 2 community · 12/09 Cái Khế 1 quarantine · 15/09 An Hòa 1 community +
  1 lockdown · 18/09 An Hòa 4 home isolation (a daily count) · 20/09 An Hòa 3
  community, Cái Khế 2 community · 20/09 Hưng Phú (Cái Răng) 1 community.
Ninh Kiều (280,494 people) on 20/09: 6 community cases in 14–20/09, 2 in 7–13/09.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vungxanh.surveillance import services
from vungxanh.surveillance.models import IndicatorSeries, Series
from vungxanh.surveillance.queries import SPLIT_INDICATORS, Total
from vungxanh.testing import BaseTestCase

DAY = dt.date(2021, 9, 20)
CASES_CSV = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Họ tên,Số điện thoại,Số CCCD/CMND,Địa chỉ\n"
    "BN1,31120,10/09/2021,Cộng đồng,Nguyễn Văn Một,0901000001,092000000001,hẻm 51\n"
    "BN2,31120,10/09/2021,Cộng đồng,,,,\n"
    "BN3,31117,12/09/2021,Khu cách ly,Lê Thị Ba,0901000003,,\n"
    "BN4,31120,15/09/2021,Cộng đồng,,,,\n"
    "BN5,31120,15/09/2021,Khu phong tỏa,,,,\n"
    "BN6,31120,20/09/2021,Cộng đồng,,,,\n"
    "BN7,31120,20/09/2021,Cộng đồng,,,,\n"
    "BN8,31120,20/09/2021,Cộng đồng,,,,\n"
    "BN9,31117,20/09/2021,Cộng đồng,,,,\n"
    "BN10,31117,20/09/2021,Cộng đồng,,,,\n"
)
FOREIGN_CSV = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Họ tên\n"
    "BN901,31189,20/09/2021,Cộng đồng,Trần Thị Ngoài\n"
)


def per_100k(count: float, population: int) -> float:
    return count / population * 100_000


class SurveillanceTestCase(BaseTestCase):
    """The personas' world with the cases above imported (indicators recomputed)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        result = services.import_file(
            "cases", CASES_CSV.encode(), "cases.csv", actor=cls.health_officer
        )
        assert result.written, result.check.errors
        foreign = services.import_file(
            "cases", FOREIGN_CSV.encode(), "cairang.csv", actor=cls.admin
        )
        assert foreign.written, foreign.check.errors
        services.import_records(
            "daily",
            [{"area_id": cls.anhoa.pk, "date": dt.date(2021, 9, 18), "home_isolation": 4}],
            actor=cls.health_officer,
            series_code="reported",
            label="daily.csv",
        )
        cls.reported = Series.objects.get(code="reported")
        cls.simulated = Series.objects.get(code="cantho-sim")

    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # the daily split is cached across requests

    def add_simulated(self) -> None:
        """A second, simulated series for An Hòa: 9 community cases on 20/09."""
        services.import_records(
            "daily",
            [{"area_id": self.anhoa.pk, "date": DAY, "community": 9}],
            actor=None,
            series_code="cantho-sim",
            label="simulation",
        )


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


class AreaPageTestCase(SurveillanceTestCase):
    def get(self, code="916", **params):
        self.client.force_login(self.district_steering)
        return self.client.get(reverse("surveillance:area", args=[code]), params)

    def test_the_curve_splits_each_day_by_place_of_detection(self):
        chart = self.get().context["chart"]
        days = chart["dates"]
        self.assertEqual(days[0], "10/09/2021")
        on = lambda day: days.index(day)  # noqa: E731
        detections = chart["detections"]
        self.assertEqual(detections["community"][on("10/09/2021")], 2)
        self.assertEqual(detections["quarantine"][on("12/09/2021")], 1)
        self.assertEqual(detections["lockdown"][on("15/09/2021")], 1)
        self.assertEqual(detections["home_isolation"][on("18/09/2021")], 4)
        # Hưng Phú's case lies in Cái Răng, not in Ninh Kiều.
        self.assertEqual(detections["community"][on("20/09/2021")], 5)
        self.assertEqual(sum(sum(v) for v in detections.values()), 14)

    def test_the_incidence_line_is_the_stored_7_day_community_incidence(self):
        chart = self.get().context["chart"]
        line = chart["incidence"][chart["dates"].index("20/09/2021")]
        self.assertAlmostEqual(line, per_100k(6, 280_494), places=2)
        self.assertEqual(len(chart["incidence"]), len(chart["dates"]))

    def test_the_table_shows_the_last_28_days_with_the_indicators(self):
        response = self.get(**{"from": "14/09/2021", "to": "20/09/2021"})
        rows = response.context["rows"]
        self.assertEqual([r["date"] for r in rows][:2], [DAY, dt.date(2021, 9, 19)])
        self.assertEqual(len(rows), 7)
        top = rows[0]
        self.assertEqual((top["cases"], top["split"]["community"]), (5, 5))
        self.assertAlmostEqual(
            top["ind"]["community_incidence_14d"], per_100k(8, 280_494), places=3
        )
        self.assertEqual(top["ind"]["days_since_community_case"], 0)
        self.assertEqual(rows[1]["ind"]["days_since_community_case"], 4)
        self.assertContains(response, 'data-date="20/09/2021"')

    def test_by_default_the_table_ends_on_the_last_day_with_figures(self):
        response = self.get()
        first, last = response.context["first"], response.context["last"]
        self.assertEqual((last - first).days, 27)
        # The stored indicators run on for a while after the last case (20/09): not shown.
        stored = IndicatorSeries.objects.get(area=self.ninhkieu, series=self.reported)
        self.assertGreater(stored.start + dt.timedelta(days=stored.days - 1), DAY)
        self.assertEqual(last, DAY)
        self.assertEqual(response.context["chart"]["dates"][-1], "20/09/2021")
        overview = self.client.get(reverse("surveillance:overview", args=["916"]))
        self.assertEqual(overview.context["on"], DAY)

    def test_the_summary_gives_the_cumulative_count(self):
        response = self.get(to="20/09/2021")
        self.assertEqual(response.context["latest"]["cumulative_cases"], 14)
        self.assertContains(response, 'data-testid="cumulative">14<')

    def test_a_bad_date_is_explained_not_fatal(self):
        response = self.get(to="31/02/2021")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["errors"])

    def test_one_series_is_shown_and_the_page_says_series_are_never_mixed(self):
        self.add_simulated()
        response = self.get()
        self.assertEqual(response.context["series"], self.reported)
        self.assertEqual(
            [s.code for s in response.context["series_options"]], ["reported", "cantho-sim"]
        )
        self.assertContains(response, 'data-testid="series-note"')
        self.assertNotContains(response, 'data-testid="simulated"')
        # The simulated 9 community cases are not in the reported curve.
        chart = response.context["chart"]
        self.assertEqual(chart["detections"]["community"][chart["dates"].index("20/09/2021")], 5)

    def test_a_simulated_series_carries_its_badge(self):
        self.add_simulated()
        response = self.get(series="cantho-sim")
        self.assertEqual(response.context["series"], self.simulated)
        self.assertContains(response, 'data-testid="simulated"')
        chart = response.context["chart"]
        self.assertEqual(chart["dates"][0], "20/09/2021")
        self.assertEqual(chart["detections"]["community"][0], 9)
        self.assertEqual(sum(chart["detections"]["community"]), 9)

    def test_a_series_reported_for_the_city_only_is_not_offered_for_its_districts(self):
        services.import_records(
            "daily",
            [{"area_id": self.cantho.pk, "date": DAY, "unknown": 50}],
            actor=None,
            series_code="moh-ncsc",
            label="ncsc",
        )
        self.client.force_login(self.city_steering)
        city = self.client.get(reverse("surveillance:area", args=["92"]))
        self.assertEqual([s.code for s in city.context["series_options"]], ["reported", "moh-ncsc"])
        district = self.client.get(reverse("surveillance:area", args=["916"]))
        self.assertEqual([s.code for s in district.context["series_options"]], ["reported"])
        self.assertNotContains(district, 'data-testid="series-note"')

    def test_the_area_page_links_to_the_epidemic_page(self):
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("areas:detail", args=["916"]))
        self.assertContains(response, reverse("surveillance:area", args=["916"]))

    def test_a_ward_page_has_only_its_cases(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("surveillance:area", args=["31120"]))
        self.assertEqual(sum(sum(v) for v in response.context["chart"]["detections"].values()), 11)

    def test_an_area_without_figures_says_so(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("surveillance:area", args=["919"]))
        self.assertEqual(response.status_code, 200)
        self.client.force_login(self.admin)
        response = self.client.get(reverse("surveillance:area", args=["31189"]))
        self.assertEqual(response.context["series"], self.reported)

    def test_the_index_opens_the_users_area(self):
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("surveillance:index"))
        self.assertRedirects(response, reverse("surveillance:area", args=["916"]))


class AreaExportTestCase(SurveillanceTestCase):
    def test_the_csv_has_every_indicator_for_the_chosen_days(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area_export", args=["916", "csv"])
        rows = csv_rows(self.client.get(url, {"from": "19/09/2021", "to": "20/09/2021"}))
        header = rows[0]
        self.assertEqual(header[:4], ["area", "date", "new_cases", "new_community"])
        self.assertEqual([r[1] for r in rows[1:]], ["19/09/2021", "20/09/2021"])
        last = dict(zip(header, rows[2], strict=True))
        self.assertEqual(
            (last["area"], last["new_cases"], last["new_community"]), ("916", "5", "5")
        )
        self.assertEqual(last["cumulative_cases"], "14")
        self.assertEqual(last["positivity_7d_pct"], "")  # no test reported: undefined

    def test_the_xlsx_has_the_same_rows_with_real_dates(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area_export", args=["916", "xlsx"])
        rows = xlsx_rows(self.client.get(url, {"from": "19/09/2021", "to": "20/09/2021"}))
        self.assertEqual(rows[0][:2], ("area", "date"))
        self.assertEqual(rows[2][1].date(), DAY)
        self.assertEqual(rows[2][2], 5)

    def test_an_unknown_format_is_not_found(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area_export", args=["916", "pdf"])
        self.assertEqual(self.client.get(url).status_code, 404)


class OverviewTestCase(SurveillanceTestCase):
    def get(self, **params):
        self.client.force_login(self.district_steering)
        return self.client.get(reverse("surveillance:overview", args=["916"]), params)

    def test_every_ward_is_a_row_with_its_figures(self):
        response = self.get(on="20/09/2021")
        rows = {r.area.code: r for r in response.context["rows"]}
        self.assertEqual(set(rows), {"31120", "31117"})
        anhoa = rows["31120"]
        self.assertEqual(anhoa.cumulative_cases, 11)
        self.assertEqual(anhoa.new_cases_28d, 11)
        self.assertAlmostEqual(anhoa.community_incidence_7d, per_100k(4, 31_268), places=3)
        self.assertAlmostEqual(anhoa.community_incidence_14d, per_100k(6, 31_268), places=3)
        self.assertEqual(anhoa.days_since_community_case, 0)
        self.assertEqual(len(anhoa.sparkline), 28)
        self.assertEqual(anhoa.sparkline[-1], 3)
        self.assertEqual(response.context["total"].cumulative_cases, 14)

    def test_the_sparklines_are_inline_svg(self):
        response = self.get(on="20/09/2021")
        self.assertContains(response, 'data-testid="sparkline"', count=3)
        self.assertContains(response, "<polyline points=")

    def test_sorting_by_a_column(self):
        names = lambda r: [row.area.code for row in r.context["rows"]]  # noqa: E731
        self.assertEqual(names(self.get(on="20/09/2021", sort="-cumulative")), ["31120", "31117"])
        self.assertEqual(names(self.get(on="20/09/2021", sort="cumulative")), ["31117", "31120"])
        # On 12/09 Cái Khế has had no community case: unknown goes last both ways.
        self.assertEqual(names(self.get(on="12/09/2021", sort="days_since")), ["31120", "31117"])
        self.assertEqual(names(self.get(on="12/09/2021", sort="-days_since")), ["31120", "31117"])
        self.assertEqual(names(self.get(sort="nonsense")), ["31120", "31117"])  # by name

    def test_the_export_has_one_row_per_ward_and_the_district(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:overview_export", args=["916", "csv"])
        rows = csv_rows(self.client.get(url, {"on": "20/09/2021"}))
        self.assertEqual(rows[0][:4], ["area", "name", "population", "date"])
        by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        self.assertEqual(set(by_code), {"31117", "31120", "916"})
        self.assertEqual(by_code["31117"]["cumulative_cases"], "3")
        self.assertEqual(by_code["916"]["date"], "20/09/2021")
        xlsx = xlsx_rows(
            self.client.get(
                reverse("surveillance:overview_export", args=["916", "xlsx"]), {"on": "20/09/2021"}
            )
        )
        self.assertEqual(len(xlsx), 4)


class SplitCacheTestCase(SurveillanceTestCase):
    """The daily split is read once and kept until the series changes."""

    def test_a_second_visit_does_not_group_the_facts_again(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area", args=["916"])
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
        self.assertEqual(grouped, [])

    def test_an_import_shows_at_once(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area", args=["916"])
        self.client.get(url)
        services.import_records(
            "daily",
            [{"area_id": self.caikhe.pk, "date": DAY, "lockdown": 6}],
            actor=self.health_officer,
            series_code="reported",
            label="late.csv",
        )
        chart = self.client.get(url).context["chart"]
        self.assertEqual(chart["detections"]["lockdown"][chart["dates"].index("20/09/2021")], 6)

    def test_an_undo_shows_at_once(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:area", args=["916"])
        result = services.import_records(
            "daily",
            [{"area_id": self.caikhe.pk, "date": DAY, "lockdown": 6}],
            actor=self.health_officer,
            series_code="reported",
            label="late.csv",
        )
        self.client.get(url)
        services.undo_import(result.batch, actor=self.health_officer)
        chart = self.client.get(url).context["chart"]
        self.assertEqual(chart["detections"]["lockdown"][chart["dates"].index("20/09/2021")], 0)

    def test_the_case_list_total_comes_from_the_split_once_it_is_known(self):
        self.client.force_login(self.district_steering)
        cases = reverse("surveillance:cases")
        self.client.get(reverse("surveillance:area", args=["916"]))
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(cases, {"area": "916", "detection": "community"})
        self.assertEqual(response.context["total"], Total(8, True))
        counted = [
            q for q in queries if "surveillance_caserecord" in q["sql"] and "COUNT" in q["sql"]
        ]
        self.assertEqual(counted, [])
        ranged = self.client.get(cases, {"area": "916", "from": "12/09/2021", "to": "15/09/2021"})
        self.assertEqual(
            ranged.context["total"], Total(3, True)
        )  # the daily count is not a case row


class StoredSplitTestCase(SurveillanceTestCase):
    def test_the_curve_is_read_from_stored_indicators_that_hold_the_split(self):
        stored = IndicatorSeries.objects.get(area=self.ninhkieu, series=self.reported)
        matrix = stored.matrix()
        extra = [n for n in SPLIT_INDICATORS.values() if n not in stored.names]
        rows = np.zeros((len(extra), stored.days), dtype=np.float32)
        rows[extra.index("new_lockdown"), (DAY - stored.start).days] = 42
        stored.names = [*stored.names, *extra]
        stored.data = np.concatenate([matrix, rows]).tobytes()
        stored.save()
        self.client.force_login(self.district_steering)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("surveillance:area", args=["916"]))
        chart = response.context["chart"]
        self.assertEqual(chart["detections"]["lockdown"][chart["dates"].index("20/09/2021")], 42)
        self.assertEqual(chart["detections"]["community"][chart["dates"].index("20/09/2021")], 5)
        self.assertFalse([q for q in queries if "GROUP BY" in q["sql"]])
