"""Stored indicators follow the imports: recompute after import and undo, replay a moment.

Hand-computed figures. Cases (confirmed date, ward, where found):
  10/09 An Hòa 2 community · 12/09 Cái Khế 1 quarantine · 15/09 An Hòa 1 community +
  1 lockdown · 20/09 An Hòa 3 community, Cái Khế 2 community.
On 20/09 the community cases of the last 7 days (14–20/09) are An Hòa 4, Cái Khế 2;
of the 7 days before (7–13/09) An Hòa 2.
"""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from vungxanh.areas.models import Area, AreaKind
from vungxanh.surveillance import services
from vungxanh.surveillance.indicators import recompute
from vungxanh.surveillance.models import IndicatorSeries, Series
from vungxanh.testing import BaseTestCase, make_area

HEADER = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n"
CASES = {
    "BN1": "31120,10/09/2021,Cộng đồng",
    "BN2": "31120,10/09/2021,Cộng đồng",
    "BN3": "31117,12/09/2021,Khu cách ly",
    "BN4": "31120,15/09/2021,Cộng đồng",
    "BN5": "31120,15/09/2021,Khu phong tỏa",
    "BN6": "31120,20/09/2021,Cộng đồng",
    "BN7": "31120,20/09/2021,Cộng đồng",
    "BN8": "31120,20/09/2021,Cộng đồng",
    "BN9": "31117,20/09/2021,Cộng đồng",
    "BN10": "31117,20/09/2021,Cộng đồng",
}
DAY = dt.date(2021, 9, 20)


def cases_csv(**changed: str) -> bytes:
    rows = {**CASES, **changed}
    return (HEADER + "".join(f"{code},{row}\n" for code, row in rows.items())).encode()


def per_100k(count: float, population: int) -> float:
    return count / population * 100_000


class IndicatorRecomputeTestCase(BaseTestCase):
    def setUp(self):
        self.series = Series.objects.get(code="reported")

    def import_cases(self, data: bytes, name="cases.csv"):
        result = services.import_file("cases", data, name, actor=self.health_officer)
        self.assertTrue(result.written, result.check.errors)
        return result

    def stored(self, area: Area) -> IndicatorSeries:
        return IndicatorSeries.objects.get(area=area, series=self.series)

    def on(self, area: Area, day: dt.date = DAY) -> dict:
        return self.stored(area).on(day)

    def assert_close(self, actual, expected, places=3):
        self.assertIsNotNone(actual)
        self.assertAlmostEqual(actual, expected, places=places)

    def test_an_import_stores_every_level_on_its_own_totals(self):
        self.import_cases(cases_csv())
        anhoa, caikhe = self.on(self.anhoa), self.on(self.caikhe)
        self.assertEqual((anhoa["community_7d"], anhoa["community_prev_7d"]), (4, 2))
        self.assertEqual((anhoa["cases_7d"], anhoa["new_community"]), (5, 3))
        self.assert_close(anhoa["community_incidence_7d"], per_100k(4, 31_268))
        self.assert_close(anhoa["community_incidence_14d"], per_100k(6, 31_268))
        self.assert_close(anhoa["community_weekly_avg_2w"], per_100k(3, 31_268))
        self.assertEqual(caikhe["community_7d"], 2)
        # Ninh Kiều: 6 community cases over its 280,494 people, not the maximum of its wards.
        for area, population in (
            (self.ninhkieu, 280_494),
            (self.cantho, 1_235_171),
            (self.nation, 96_208_984),
        ):
            values = self.on(area)
            self.assertEqual((values["community_7d"], values["cumulative_cases"]), (6, 10))
            self.assert_close(values["community_incidence_7d"], per_100k(6, population), 5)
            self.assert_close(values["community_incidence_14d"], per_100k(8, population), 5)

    def test_rows_span_the_facts_plus_thirty_days_and_only_areas_with_facts(self):
        self.import_cases(cases_csv())
        stored = IndicatorSeries.objects.filter(series=self.series)
        self.assertEqual(
            {s.area_id for s in stored},
            {a.pk for a in (self.nation, self.cantho, self.ninhkieu, self.anhoa, self.caikhe)},
        )
        for row in stored:
            self.assertEqual((row.start, row.days), (dt.date(2021, 9, 10), 11 + 30))
            self.assertEqual(row.names[0], "new_cases")
        anhoa = self.stored(self.anhoa)
        self.assertEqual(anhoa.on(dt.date(2021, 9, 19))["days_since_community_case"], 4)
        self.assertIsNone(anhoa.on(dt.date(2021, 9, 10))["positivity_7d_pct"])
        self.assertIsNone(anhoa.on(dt.date(2021, 10, 21))["new_cases"])

    def test_an_undo_recomputes(self):
        first = self.import_cases(cases_csv())
        before = bytes(self.stored(self.ninhkieu).data)
        more = self.import_cases(
            cases_csv(BN11="31117,21/09/2021,Cộng đồng"), name="more.csv"
        ).batch
        self.assertEqual(self.on(self.ninhkieu, dt.date(2021, 9, 21))["community_7d"], 7)
        services.undo_import(more, actor=self.health_officer)
        self.assertEqual(self.on(self.ninhkieu, dt.date(2021, 9, 21))["community_7d"], 6)
        self.assertEqual(bytes(self.stored(self.ninhkieu).data), before)
        services.undo_import(first.batch, actor=self.health_officer)
        self.assertFalse(IndicatorSeries.objects.filter(series=self.series).exists())

    def test_as_known_at_gives_the_values_before_a_correction(self):
        self.import_cases(cases_csv())
        moment = timezone.now()
        self.import_cases(cases_csv(BN6="31120,20/09/2021,Khu cách ly"), name="fix.csv")
        self.assertEqual(self.on(self.anhoa)["community_7d"], 3)
        recompute(self.series, as_known_at=moment)
        self.assertEqual(self.on(self.anhoa)["community_7d"], 4)
        self.assertEqual(self.on(self.cantho)["community_7d"], 6)
        recompute(self.series)
        self.assertEqual(self.on(self.anhoa)["community_7d"], 3)

    def test_one_province_alone_equals_the_whole_country_and_leaves_others(self):
        other = make_area("01", "Thành phố Hà Nội", AreaKind.PROVINCE, self.nation, 8_053_663)
        services.import_records(
            "daily",
            [{"area_id": other.pk, "date": dt.date(2021, 9, 1), "community": 9}],
            actor=None,
            series_code="reported",
            label="Hà Nội",
        )
        self.import_cases(cases_csv())
        alone = {s.area_id: bytes(s.data) for s in IndicatorSeries.objects.all()}
        recompute(self.series)
        everything = {s.area_id: bytes(s.data) for s in IndicatorSeries.objects.all()}
        self.assertEqual(alone, everything)
        # The nation holds both provinces and starts at the first fact of either.
        nation = self.stored(self.nation)
        self.assertEqual(nation.start, dt.date(2021, 9, 1))
        self.assertEqual(nation.on(DAY)["cumulative_cases"], 19)
        self.assertEqual(self.stored(self.cantho).start, dt.date(2021, 9, 10))

    def test_a_case_moved_to_another_province_leaves_the_first_one(self):
        hanoi = make_area("01", "Thành phố Hà Nội", AreaKind.PROVINCE, self.nation, 8_053_663)
        badinh = make_area("001", "Quận Ba Đình", AreaKind.DISTRICT, hanoi, 221_893)
        phucxa = make_area("00001", "Phường Phúc Xá", AreaKind.COMMUNE, badinh, 24_000)
        moved = HEADER + "BN1,00001,10/09/2021,Cộng đồng\n"
        for text in (HEADER + "BN1,31120,10/09/2021,Cộng đồng\n", moved):
            result = services.import_file("cases", text.encode(), "f.csv", actor=self.admin)
            self.assertTrue(result.written, result.check.errors)
        self.assertEqual(
            set(IndicatorSeries.objects.values_list("area_id", flat=True)),
            {self.nation.pk, hanoi.pk, badinh.pk, phucxa.pk},
        )
        self.assertEqual(self.on(phucxa, dt.date(2021, 9, 10))["new_community"], 1)

    def test_other_kinds_reach_the_indicators(self):
        def load(kind, text):
            result = services.import_file(kind, text.encode(), "f.csv", actor=self.health_officer)
            self.assertTrue(result.written, result.check.errors)

        load("tests", "area,date,sample_group,performed,positive\n31120,20/09/2021,f1,200,5\n")
        load(
            "vaccination",
            "area,date,adults,adults_one_dose,adults_full\n"
            "31120,15/09/2021,20000,15000,5000\n31117,18/09/2021,10000,9000,4000\n",
        )
        load(
            "capacity",
            "area,date,station_oxygen,icu_beds\n31120,15/09/2021,Có,2\n31117,16/09/2021,Không,\n",
        )
        anhoa, ninhkieu = self.on(self.anhoa), self.on(self.ninhkieu)
        self.assert_close(anhoa["positivity_7d_pct"], 2.5)
        self.assertEqual(anhoa["vacc_full_18plus_pct"], 25)
        # Stocks carried forward and added: (5,000 + 4,000) / (20,000 + 10,000).
        self.assert_close(ninhkieu["vacc_full_18plus_pct"], 30)
        self.assert_close(ninhkieu["vacc_1dose_18plus_pct"], 80)
        self.assertEqual((anhoa["station_oxygen"], ninhkieu["station_oxygen"]), (1, 0))
        self.assertEqual(ninhkieu["icu_beds"], 2)
        self.assertEqual(self.on(self.ninhkieu, dt.date(2021, 9, 15))["vacc_full_18plus_pct"], 25)

    def test_the_command_recomputes_a_province(self):
        self.import_cases(cases_csv())
        IndicatorSeries.objects.all().delete()
        out = io.StringIO()
        call_command("recompute_indicators", "--series", "reported", "--province", "92", stdout=out)
        self.assertIn("reported: 5", out.getvalue())
        self.assertEqual(self.on(self.ninhkieu)["community_7d"], 6)
