"""Every kind of data change writes its outbox row in its own transaction, and the loop
(run inline here: VX_LOOP_INLINE, see conftest) recomputes what depends on it.

The kinds: an edit and a correction of one fact, a unit merger, a rule-set reload, a level
decided by the steering committee (published, overridden) and the official decisions
loaded from the city's announcements. A change that is rolled back leaves no row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vungxanh.areas import services as areas
from vungxanh.areas.models import AreaKind
from vungxanh.jobs.models import Change
from vungxanh.risk import services as risk
from vungxanh.risk import services_official as official
from vungxanh.risk.models import Assessment, AssessmentSeries, RuleSetRecord
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.models import IndicatorSeries, Series
from vungxanh.testing import BaseTestCase, make_area

DAY = dt.date(2021, 9, 23)


class Rollback(Exception):
    pass


class ChangeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.series = Series.objects.get(code="reported")

    def changes(self, what: str) -> list[Change]:
        return list(Change.objects.filter(what=what).order_by("pk"))

    def add_daily(self, community: int, day: dt.date = DAY):
        return edits.create_fact(
            "daily",
            {"area": "31120", "date": day.strftime("%d/%m/%Y"), "community": community},
            actor=self.health_officer,
        )

    def community_7d(self, area=None) -> float:
        stored = IndicatorSeries.objects.get(area=area or self.anhoa, series=self.series)
        return stored.on(DAY)["community_7d"]


class EditTestCase(ChangeTestCase):
    def test_an_edit_and_its_correction_recompute_the_indicators(self):
        row = self.add_daily(4)
        self.assertEqual(self.community_7d(), 4.0)
        self.assertEqual(self.community_7d(self.ninhkieu), 4.0)
        edits.correct_fact(row, {"community": 9}, actor=self.health_officer, reason="typo")
        self.assertEqual(self.community_7d(), 9.0)
        made = self.changes("edit")
        self.assertEqual(len(made), 2)
        self.assertEqual(
            {(c.area_path, c.series_code) for c in made}, {(self.anhoa.path, "reported")}
        )
        self.assertTrue(all(c.processed_at is not None for c in made))

    def test_an_edit_rolled_back_leaves_no_outbox_row(self):
        with self.assertRaises(Rollback), transaction.atomic():
            self.add_daily(4)
            self.assertEqual(len(self.changes("edit")), 1)
            raise Rollback
        self.assertFalse(Change.objects.exists())
        self.assertFalse(IndicatorSeries.objects.filter(area=self.anhoa).exists())


class MergeTestCase(ChangeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.thoibinh = make_area(
            "31123", "Phường Thới Bình", AreaKind.COMMUNE, cls.ninhkieu, 11_787, "Phường"
        )

    def merge(self):
        return areas.merge_units(
            [self.anhoa, self.thoibinh],
            actor=self.district_steering,
            code="31120",
            name="Phường An Hòa",
            effective_on=dt.date(2024, 11, 1),
            legal_basis="NQ test/2024",
        )

    def test_a_merger_recomputes_the_province(self):
        self.add_daily(4)
        before = set(IndicatorSeries.objects.values_list("pk", flat=True))
        self.merge()
        change = self.changes("merge")[0]
        self.assertEqual((change.area_path, change.series_code), (self.ninhkieu.path, ""))
        self.assertIsNotNone(change.processed_at)
        after = IndicatorSeries.objects.filter(area__path__startswith=self.cantho.path)
        # Rewritten by the loop (new rows), with the same figures.
        self.assertTrue(after.exists())
        self.assertFalse(before & set(after.values_list("pk", flat=True)))
        self.assertEqual(self.community_7d(self.ninhkieu), 4.0)

    def test_a_merger_rolled_back_leaves_no_outbox_row(self):
        with self.assertRaises(Rollback), transaction.atomic():
            self.merge()
            raise Rollback
        self.assertFalse(Change.objects.exists())


class RulesTestCase(ChangeTestCase):
    def test_loading_rule_sets_computes_their_levels(self):
        self.add_daily(4)
        self.assertFalse(AssessmentSeries.objects.exists())
        risk.sync_rulesets()
        change = self.changes("rules")[0]
        self.assertEqual((change.area_path, change.series_code), ("VN/", ""))
        self.assertIsNotNone(change.processed_at)
        computed = set(AssessmentSeries.objects.values_list("ruleset__code", flat=True))
        self.assertEqual(computed, {r.code for r in risk.computable_rulesets()})
        self.assertIn("vn-green-zone-14d", computed)
        # Loading the same files again changes nothing and writes no row.
        risk.sync_rulesets()
        self.assertEqual(len(self.changes("rules")), 1)

    def test_a_reload_rolled_back_leaves_no_outbox_row(self):
        with self.assertRaises(Rollback), transaction.atomic():
            risk.sync_rulesets()
            raise Rollback
        self.assertFalse(Change.objects.exists())
        self.assertFalse(RuleSetRecord.objects.exists())


class DecisionTestCase(ChangeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        risk.sync_rulesets()
        for day in range(7):
            edits.create_fact(
                "daily",
                {
                    "area": "31120",
                    "date": (DAY - dt.timedelta(days=day)).strftime("%d/%m/%Y"),
                    "community": 7,
                },
                actor=cls.health_officer,
            )
        cls.green = RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True)

    def levels_of(self) -> set[int]:
        return set(AssessmentSeries.objects.filter(ruleset=self.green).values_list("pk", flat=True))

    def test_publishing_and_deciding_a_level_recompute_the_levels(self):
        before = self.levels_of()
        self.assertTrue(before)
        published = risk.publish(
            self.green, self.series, DAY, self.ninhkieu, actor=self.district_steering
        )
        self.assertTrue(published)
        first = self.changes("decision")
        self.assertEqual(
            [(c.area_path, c.series_code, c.date_from) for c in first],
            [(self.ninhkieu.path, "reported", DAY)],
        )
        self.assertIsNotNone(first[0].processed_at)
        after_publish = self.levels_of()
        self.assertFalse(before & after_publish)  # rewritten by the loop's levels stage
        anhoa = Assessment.objects.get(area=self.anhoa, ruleset=self.green, date=DAY)
        indicators = set(IndicatorSeries.objects.values_list("pk", flat=True))
        risk.decide_level(
            anhoa, actor=self.district_steering, level_key="green", reason="cluster closed"
        )
        decided = self.changes("decision")[1]
        self.assertEqual((decided.area_path, decided.date_from), (self.anhoa.path, DAY))
        self.assertIsNotNone(decided.processed_at)
        self.assertFalse(after_publish & self.levels_of())
        # A decision moves the levels, not the data: the indicators are not recomputed.
        self.assertEqual(set(IndicatorSeries.objects.values_list("pk", flat=True)), indicators)

    def test_loading_the_official_decisions_writes_one_row_for_the_city(self):
        official.load_official_decisions()
        made = self.changes("decision")
        self.assertEqual([(c.area_path, c.series_code) for c in made], [(self.cantho.path, "")])
        self.assertIsNotNone(made[0].processed_at)
        official.load_official_decisions()  # unchanged: no new row
        self.assertEqual(len(self.changes("decision")), 1)

    def test_a_decision_rolled_back_leaves_no_outbox_row(self):
        published = risk.publish(
            self.green, self.series, DAY, self.ninhkieu, actor=self.district_steering
        )
        count = Change.objects.count()
        with self.assertRaises(Rollback), transaction.atomic():
            risk.decide_level(
                published[0], actor=self.district_steering, level_key="green", reason="x"
            )
            raise Rollback
        self.assertEqual(Change.objects.count(), count)
