"""What it takes to turn green: counts a ward understands, and the dates if no case appears."""

import datetime as dt

import pytest
from django.utils import translation

from vungxanh.risk import projection, services
from vungxanh.risk.models import RuleSetRecord
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase


def daily_csv(rows):
    lines = ["Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"]
    lines += [
        f"{code},{day:%d/%m/%Y},{community},{lockdown}" for code, day, community, lockdown in rows
    ]
    return "\n".join(lines).encode()


VACCINATION_CSV = (
    "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,Người ≥18 tuổi tiêm đủ liều,"
    "Dân số từ 65 tuổi,Người ≥65 tuổi tiêm đủ liều\n"
    "31120,01/10/2021,24000,23500,20000,2000,1800\n"
    "31117,01/10/2021,17000,16000,12000,1500,1000\n"
).encode()


@pytest.mark.parametrize(
    "threshold,symbol,population,windows,expected",
    [
        (20, "<", 5_000, 1, 0),  # 1 case is exactly 20/100k: "below 20" allows none
        (20, "≤", 5_000, 1, 1),
        (150, "<", 31_268, 1, 46),  # 46.9 → 46 (47 cases would be 150.3)
        (20, "<", 31_268, 1, 6),  # 6.25 → 6
        (50, "<", 100_000, 1, 49),
        (50, "≤", 100_000, 1, 50),
        (150, "<", 31_268, 2, 93),  # two-week average: the sum over 14 days
        (0.5, "<", 1_000, 1, 0),
    ],
)
def test_largest_count_respects_strictness(threshold, symbol, population, windows, expected):
    assert projection.largest_count(threshold, symbol, population, windows) == expected


class GreenZoneProjectionTestCase(BaseTestCase):
    """An Hòa's last community case on 2/9/2021: 14 full days (3/9–16/9), green from 18/9."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.sync_rulesets()
        rows = [("31120", dt.date(2021, 8, 20) + dt.timedelta(days=d), 3, 0) for d in range(10)]
        rows += [("31120", dt.date(2021, 9, 2), 1, 0)]
        # Cái Khế: a case on 10/9 as well, so its green day is eight days later.
        rows += [("31117", dt.date(2021, 8, 25), 2, 0), ("31117", dt.date(2021, 9, 10), 1, 0)]
        surveillance.import_file("daily", daily_csv(rows), "d.csv", actor=cls.health_officer)
        cls.series = Series.objects.get(code="reported")
        cls.record = RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True)
        services.compute_levels(cls.record, cls.series, provinces=[cls.cantho])

    def project(self, area, day):
        return projection.project(self.record, self.series, area, day)

    def test_the_last_case_on_2_september_gives_green_from_18_september(self):
        found = self.project(self.anhoa, dt.date(2021, 9, 10))
        self.assertEqual(found.level.key, "not_green")
        self.assertEqual(found.lowest.key, "green")
        self.assertEqual(found.green_on, dt.date(2021, 9, 18))
        self.assertEqual(found.first_lower_on, dt.date(2021, 9, 18))
        self.assertEqual(found.first_lower.key, "green")

    def test_the_projection_agrees_with_the_stored_levels_when_no_case_came(self):
        # No case after 2/9 in the data either: the computed series turns green on 18/9 too.
        levels = services.levels_on(self.record, self.series, [self.anhoa], dt.date(2021, 9, 17))
        self.assertEqual(levels[self.anhoa.pk].level_key, "not_green")
        self.assertEqual(levels[self.anhoa.pk].computed_key, "green")
        levels = services.levels_on(self.record, self.series, [self.anhoa], dt.date(2021, 9, 18))
        self.assertEqual(levels[self.anhoa.pk].level_key, "green")

    def test_a_later_case_moves_the_green_day(self):
        found = self.project(self.caikhe, dt.date(2021, 9, 12))
        self.assertEqual(found.green_on, dt.date(2021, 9, 26))  # 10/9 + 15 days + 1

    def test_a_projection_made_before_a_new_case_ignores_it(self):
        # On 5/9 nobody knows of Cái Khế's case on 10/9: if none appears, green from 10/9.
        found = self.project(self.caikhe, dt.date(2021, 9, 5))
        self.assertEqual(found.green_on, dt.date(2021, 9, 10))  # 25/8 + 15 + 1

    def test_the_step_says_how_many_days_are_still_needed(self):
        with translation.override("en"):
            found = self.project(self.anhoa, dt.date(2021, 9, 10))
        [step] = found.steps
        self.assertEqual(step.input, "days_since_community_case")
        self.assertEqual((step.symbol, step.threshold), (">", 14))
        self.assertEqual(step.current, 8)
        self.assertEqual(step.level.key, "green")
        self.assertEqual(step.count.limit, 15)
        # Worded as the rule's condition, without a second date (the page gives one: the
        # day the area turns green, found.green_on).
        self.assertEqual(step.count.text, "more than 14 days since the last community case")
        self.assertNotIn("/", step.count.text)

    def test_a_green_area_needs_nothing(self):
        found = self.project(self.anhoa, dt.date(2021, 9, 20))
        self.assertTrue(found.is_lowest)
        self.assertIsNone(found.green_on)
        self.assertEqual(found.steps, [])

    def test_no_projection_outside_the_computed_days(self):
        self.assertIsNone(self.project(self.anhoa, dt.date(2020, 1, 1)))
        self.assertIsNone(self.project(self.hungphu, dt.date(2021, 9, 10)))


class Level4800ProjectionTestCase(BaseTestCase):
    """An Hòa (31,268 people), 7 community cases a day 14–20/10/2021, 98 % first dose."""

    DAY = dt.date(2021, 10, 20)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.sync_rulesets()
        rows = [("31120", cls.DAY - dt.timedelta(days=d), 7, 3) for d in range(7)]
        surveillance.import_file("daily", daily_csv(rows), "d.csv", actor=cls.health_officer)
        surveillance.import_file("vaccination", VACCINATION_CSV, "v.csv", actor=cls.health_officer)
        cls.series = Series.objects.get(code="reported")
        cls.record = RuleSetRecord.objects.get(code="vn-4800-2021", current=True)
        services.compute_levels(cls.record, cls.series, provinces=[cls.cantho])

    def test_the_case_rate_becomes_a_count_of_cases_in_the_week(self):
        with translation.override("en"):
            found = projection.project(self.record, self.series, self.anhoa, self.DAY)
        by_input = {s.input: s for s in found.steps}
        step = by_input["cases_per_100k_week"]
        # 49 cases = 156.7 per 100,000 → Cấp 3; below 150 → Cấp 2: at most 46 cases.
        self.assertEqual((step.symbol, step.threshold), ("<", 150))
        self.assertEqual(step.level.key, "2")
        self.assertEqual(step.count.limit, 46)
        self.assertEqual(step.count.now, 49)
        self.assertEqual(step.count.text, "at most 46 community cases in the week")
        self.assertIn("< 150 community cases per 100,000 people per week", step.text)

    def test_the_vietnamese_text_uses_the_rule_sets_labels(self):
        with translation.override("vi"):
            found = projection.project(self.record, self.series, self.anhoa, self.DAY)
        step = next(s for s in found.steps if s.input == "cases_per_100k_week")
        self.assertEqual(step.text, "< 150 ca cộng đồng/100.000 dân/tuần")

    def test_without_new_cases_the_level_falls_when_the_week_empties(self):
        found = projection.project(self.record, self.series, self.anhoa, self.DAY)
        # In force on 20/10: Cấp 2 (the raise to 3 takes effect 48 hours later, on 22/10,
        # and is undone the same day). 25/10: 14 cases in the week = 44.8 < 50 with 98 %
        # first dose → Cấp 1 (lowering takes effect at once).
        self.assertEqual(found.level.key, "2")
        self.assertEqual(found.first_lower_on, dt.date(2021, 10, 25))
        self.assertEqual(found.green_on, dt.date(2021, 10, 25))
        self.assertEqual(found.lowest.key, "1")
