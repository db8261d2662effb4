"""The demo epidemic reproduces every figure the city published, computed from its records."""

import collections
import csv
import datetime as dt
import io

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from vungxanh.accounts.models import User
from vungxanh.areas import reference
from vungxanh.areas.models import Area
from vungxanh.demo import epidemic
from vungxanh.jobs.models import Job
from vungxanh.surveillance import loaders
from vungxanh.surveillance.models import CaseRecord

D = dt.date
DISTRICT_CODES = loaders.CANTHO_DISTRICTS_BY_NAME
# Published cumulative totals the model does not follow (see the module's DISCARDED).
NOT_FOLLOWED = {D(2021, 7, 20), D(2021, 11, 22), D(2021, 12, 6)}
# Totals derived from the notes column ("3,754 in 37 days", "4,819 in 14 days").
FROM_NOTES = {D(2021, 7, 18): 83, D(2021, 11, 1): 8_083}
MORNING = {D(2021, 9, 30): D(2021, 9, 29)}  # "as of the morning of 30/9"
# Combined figures printed in the notes, transcribed again here: (places, count).
COMBINED = {
    D(2021, 7, 14): [({"home_isolation"}, 7)],  # 7 F1 contacts
    D(2021, 7, 20): [({"quarantine", "lockdown"}, 8), ({"home_isolation"}, 8)],
    D(2021, 7, 21): [({"quarantine", "lockdown"}, 5), ({"home_isolation"}, 23)],
    D(2021, 7, 25): [({"community"}, 87), ({"quarantine", "lockdown"}, 13)],
    D(2021, 8, 5): [({"quarantine", "lockdown"}, 92)],
    D(2021, 9, 12): [({"quarantine", "home_isolation"}, 33)],
    D(2021, 11, 15): [({"quarantine", "home_isolation"}, 204), ({"community"}, 143)],
    D(2021, 11, 22): [({"home_isolation", "community"}, 487 + 115)],
}
QUIET = (D(2021, 9, 23), D(2021, 10, 7))


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text):
    return int(text) if text else None


def district_of() -> dict[str, str]:
    """Return commune code -> district code (the city itself maps to "92")."""
    return {u.code: u.parent_code for u in reference.units_2021()} | {"92": "92"}


class PublishedFiguresTestCase(SimpleTestCase):
    """Every check counts the generated records, not the model's intermediate arrays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        model = epidemic.simulate()
        cls.records = epidemic.case_records(model, {c: c for c in model.area_codes})
        cls.daily = read(loaders.CANTHO_DAILY)
        cls.tables = read(loaders.CANTHO_DISTRICTS)
        cls.by_day = collections.Counter(r["confirmed_date"] for r in cls.records)
        cls.by_day_place = collections.Counter(
            (r["confirmed_date"], r["detection"]) for r in cls.records
        )
        districts = district_of()
        cls.by_district_day = collections.Counter(
            (districts[r["area_id"]], r["confirmed_date"]) for r in cls.records
        )

    def cumulative(self, day, district=None):
        if district is None:
            return sum(n for d, n in self.by_day.items() if d <= day)
        return sum(n for (c, d), n in self.by_district_day.items() if c == district and d <= day)

    def place(self, day, *places):
        return sum(self.by_day_place[(day, p)] for p in places)

    def in_period(self, row):
        return D.fromisoformat(row["date"]) <= epidemic.END

    def test_ninh_kieu_has_1682_cases_from_8_7_to_27_9(self):
        self.assertEqual(self.cumulative(D(2021, 9, 27), "916"), 1_682)

    def test_every_published_daily_count(self):
        rows = [r for r in self.daily if r["new_cases"] and self.in_period(r)]
        self.assertEqual(len(rows), 26)
        for row in rows:
            with self.subTest(day=row["date"]):
                self.assertEqual(self.by_day[D.fromisoformat(row["date"])], int(row["new_cases"]))

    def test_every_published_cumulative_total_but_the_contradicted_ones(self):
        for row in self.daily:
            day = D.fromisoformat(row["date"])
            if not row["cumulative_cases_since_8_7"] or day in NOT_FOLLOWED:
                continue
            day = MORNING.get(day, day)
            with self.subTest(day=day):
                self.assertEqual(self.cumulative(day), int(row["cumulative_cases_since_8_7"]))
        for day, total in FROM_NOTES.items():
            self.assertEqual(self.cumulative(day), total)

    def test_the_contradicted_totals_are_off_by_what_the_daily_counts_imply(self):
        self.assertEqual(self.cumulative(D(2021, 7, 20)), 264 - 47)
        self.assertEqual(self.cumulative(D(2021, 12, 6)), 31_960 + 1_152)

    def test_over_500_on_20_11(self):
        self.assertGreater(self.by_day[D(2021, 11, 20)], 500)

    def test_every_district_table(self):
        dates = {r["date"] for r in self.tables if r["cumulative_cases"]}
        self.assertEqual(len(dates), 5)
        for row in self.tables:
            if not row["cumulative_cases"]:
                continue
            day, code = D.fromisoformat(row["date"]), DISTRICT_CODES[row["district"]]
            with self.subTest(day=day, district=row["district"]):
                self.assertEqual(self.cumulative(day, code), int(row["cumulative_cases"]))

    def test_outside_the_districts_is_the_rest_of_the_city(self):
        for day, rest in [(D(2021, 9, 27), 54), (D(2021, 11, 10), 633), (D(2021, 11, 27), 1_151)]:
            self.assertEqual(self.cumulative(day, "92"), rest)
        self.assertEqual(self.by_district_day[("92", D(2021, 11, 10))], 24)

    def test_the_highest_district_of_the_day(self):
        rows = [r for r in self.tables if r["new_cases_that_day"] and self.in_period(r)]
        self.assertEqual(len(rows), 4)
        for row in rows:
            day, code = D.fromisoformat(row["date"]), DISTRICT_CODES[row["district"]]
            count = int(row["new_cases_that_day"])
            self.assertEqual(self.by_district_day[(code, day)], count)
            others = [self.by_district_day[(c, day)] for c in DISTRICT_CODES.values() if c != code]
            self.assertLess(max(others), count)

    def test_every_published_split(self):
        for row in self.daily:
            day = D.fromisoformat(row["date"])
            if not row["new_cases"] or not self.in_period(row):
                continue
            with self.subTest(day=day):
                for place, column in [
                    ("quarantine", "in_quarantine"),
                    ("lockdown", "in_lockdown"),
                    ("home_isolation", "home_isolation"),
                ]:
                    if row[column]:
                        self.assertEqual(self.place(day, place), int(row[column]))
                screened = [number(row[c]) for c in ("screening", "community")]
                if QUIET[0] <= day <= QUIET[1]:
                    self.assertEqual(self.place(day, "imported"), screened[0] or 0)
                elif None not in screened:
                    self.assertEqual(self.place(day, "community"), sum(screened))
                elif screened != [None, None]:
                    self.assertGreaterEqual(
                        self.place(day, "community"), sum(filter(None, screened))
                    )
                for places, count in COMBINED.get(day, []):
                    self.assertEqual(self.place(day, *places), count)

    def test_no_community_case_from_23_9_to_7_10(self):
        quiet = [r for r in self.records if QUIET[0] <= r["confirmed_date"] <= QUIET[1]]
        self.assertGreater(len(quiet), 300)
        self.assertEqual(
            {r["detection"] for r in quiet},
            {"quarantine", "lockdown", "home_isolation", "imported"},
        )

    def test_254_deaths_among_cases_confirmed_by_6_12(self):
        died = [r for r in self.records if r["outcome"] == "died"]
        self.assertEqual(sum(r["confirmed_date"] <= D(2021, 12, 6) for r in died), 254)

    def test_case_codes_are_unique_and_the_period_is_july_to_december(self):
        codes = [r["case_code"] for r in self.records]
        self.assertEqual(len(set(codes)), len(codes))
        self.assertGreater(len(codes), 40_000)
        self.assertEqual(codes[0], "SIM-000001")
        days = {r["confirmed_date"] for r in self.records}
        self.assertEqual((min(days), max(days)), (D(2021, 7, 8), D(2021, 12, 31)))

    def test_ninh_kieu_cases_are_in_its_wards_and_the_july_lockdown_wards_start_early(self):
        wards = {u.code for u in reference.units_2021() if u.parent_code == "916"}
        districts = district_of()
        in_ninh_kieu = [r for r in self.records if districts[r["area_id"]] == "916"]
        self.assertTrue({r["area_id"] for r in in_ninh_kieu} <= wards)
        july = collections.Counter(
            r["area_id"] for r in in_ninh_kieu if r["confirmed_date"] < D(2021, 8, 1)
        )
        for ward in ("31135", "31120", "31117", "31123"):  # Tân An, An Hòa, Cái Khế, Thới Bình
            self.assertGreaterEqual(july[ward], 40, ward)

    def test_the_values_are_those_the_model_stores(self):
        record = self.records[0]
        self.assertEqual(record["detection"], "imported")
        for r in self.records[::997]:
            self.assertIn(r["age_band"], epidemic.AGE_BANDS)
            self.assertIn(r["sex"], {"M", "F"})
            self.assertIn(r["vaccination"], {"none", "one_dose", "full"})
            self.assertIn(r["outcome"], {"died", "recovered", "treatment"})
            self.assertTrue(r["onset_date"] is None or r["onset_date"] <= r["confirmed_date"])


class DeterminismTestCase(SimpleTestCase):
    def test_the_same_seed_gives_the_same_records(self):
        first, second = epidemic.build(), epidemic.build()
        ids = {c: c for c in first.area_codes}
        self.assertEqual(epidemic.case_records(first, ids), epidemic.case_records(second, ids))

    def test_another_seed_moves_cases_between_wards_but_keeps_the_published_figures(self):
        other = epidemic.build(seed=7)
        model = epidemic.simulate()
        self.assertEqual(other.totals.tolist(), model.totals.tolist())
        self.assertNotEqual(other.area.tolist(), model.area.tolist())
        on_27_9 = epidemic.day_index(D(2021, 9, 27)) + 1
        ninh_kieu = epidemic.GROUPS.index("916")
        self.assertEqual(other.districts[ninh_kieu, :on_27_9].sum(), 1_682)


class LoadTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_units", stdout=io.StringIO())
        cls.first = epidemic.load_demo_epidemic()
        cls.second = epidemic.load_demo_epidemic()

    def test_loading_again_changes_nothing(self):
        self.assertTrue(self.first.written)
        self.assertFalse(self.second.written)
        self.assertEqual(self.second.check.unchanged, self.first.check.new)

    def test_every_case_is_in_a_2021_unit_of_can_tho(self):
        cantho = Area.objects.current().get(code="92")
        areas = Area.objects.filter(
            pk__in=CaseRecord.objects.values_list("area_id", flat=True).distinct()
        )
        self.assertTrue(all(a.path.startswith(cantho.path) for a in areas))
        self.assertTrue(all(a.valid_to is None for a in areas))
        self.assertEqual({a.kind for a in areas}, {"commune", "province"})

    def test_ninh_kieu_cumulative_on_27_9_from_the_database(self):
        ninh_kieu = Area.objects.current().get(code="916")
        count = CaseRecord.objects.current().filter(
            series__code="cantho-sim",
            area__path__startswith=ninh_kieu.path,
            confirmed_date__lte=D(2021, 9, 27),
        )
        self.assertEqual(count.count(), 1_682)


DEMO_LOADS = ["surveillance.load_ncsc", "surveillance.load_cantho", "demo.epidemic"]


class DemoCommandTestCase(TestCase):
    def test_a_second_demo_run_changes_nothing(self):
        call_command("demo", stdout=io.StringIO())
        out = io.StringIO()
        with translation.override("en"):
            call_command("demo", stdout=out)
        lines = [line for line in out.getvalue().splitlines() if " · " in line]
        self.assertEqual(
            [line.split(" · ")[0] for line in lines], ["moh-ncsc", "cantho-doh", "cantho-sim"]
        )
        self.assertTrue(all(", 0 new, 0 corrected," in line for line in lines), lines)
        self.assertEqual(CaseRecord.objects.count(), epidemic.simulate().totals.sum())

        # The loads ran as jobs: the admin sees them, done, with their outcomes, on /jobs/.
        loads = Job.objects.filter(task__in=DEMO_LOADS).order_by("created_at")
        self.assertEqual(
            [(job.task, job.status) for job in loads],
            [(task, Job.Status.DONE) for task in DEMO_LOADS] * 2,
        )
        first = {job.task: job.outcome for job in loads[:3]}
        self.assertEqual(first["demo.epidemic"]["new"], CaseRecord.objects.count())
        self.assertEqual(first["surveillance.load_cantho"]["series"], "cantho-doh")
        self.client.force_login(User.objects.get(username="quantri"))
        page = self.client.get(reverse("jobs:list"))
        for job in loads:
            self.assertContains(page, reverse("jobs:detail", args=[job.pk]))
        self.assertContains(page, escape(loads[1].label))

        # Ninh Kiều's committee designated the series its pages read, once, audited.
        from vungxanh.audit.models import AuditEntry
        from vungxanh.surveillance.models import OfficialSeries

        designation = OfficialSeries.objects.get(area__code=epidemic.NINH_KIEU)
        self.assertEqual(
            (designation.series.code, designation.set_by.username), ("cantho-sim", "bcd.ninhkieu")
        )
        self.assertEqual(
            AuditEntry.objects.filter(object_type="surveillance.officialseries").count(), 1
        )
