"""compute_levels, publish_levels, and the demo's levels."""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from vungxanh.accounts.roles import Role
from vungxanh.audit.models import AuditEntry
from vungxanh.demo import risk as demo
from vungxanh.risk import services
from vungxanh.risk.models import (
    Assessment,
    AssessmentSeries,
    OfficialDecision,
    RuleSetRecord,
)
from vungxanh.risk.tests.test_views import daily_csv
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series, VaccinationCoverage
from vungxanh.testing import BaseTestCase, make_user


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


class CommandTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rows = [("31120", dt.date(2021, 9, 2), 1), ("31117", dt.date(2021, 9, 10), 1)]
        surveillance.import_file("daily", daily_csv(rows), "d.csv", actor=cls.admin)
        cls.reported = Series.objects.get(code="reported")


class ComputeLevelsTestCase(CommandTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        services.sync_rulesets()  # the loop computes every rule set once, as it is loaded

    def setUp(self):
        # What the command computes, apart from what the loading of the rule sets did.
        AssessmentSeries.objects.all().delete()

    def test_by_default_every_computable_rule_set_and_series(self):
        out = run("compute_levels")
        computed = set(
            AssessmentSeries.objects.values_list("ruleset__code", "series__code").distinct()
        )
        codes = {r.code for r in services.computable_rulesets()}
        self.assertIn("vn-green-zone-14d", codes)
        self.assertNotIn("vn-2686-2021", codes)
        self.assertEqual(computed, {(code, "reported") for code in codes})
        self.assertIn("vn-green-zone-14d · reported: 4 areas", out)
        levels = services.levels_on(
            RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True),
            self.reported,
            [self.anhoa],
            dt.date(2021, 9, 18),
        )
        self.assertEqual(levels[self.anhoa.pk].level_key, "green")

    def test_one_rule_set_one_series_one_province(self):
        run(
            "compute_levels",
            "--rules",
            "vn-green-zone-14d",
            "--series",
            "reported",
            "--province",
            "92",
        )
        self.assertEqual(
            set(AssessmentSeries.objects.values_list("ruleset__code", flat=True)),
            {"vn-green-zone-14d"},
        )
        self.assertEqual(
            set(AssessmentSeries.objects.values_list("area__code", flat=True)),
            {"92", "916", "31120", "31117"},  # Cái Răng has no figure: no row
        )

    def test_a_dry_run_stores_nothing(self):
        out = run("compute_levels", "--rules", "vn-green-zone-14d", "--dry-run")
        self.assertIn("Dry run: nothing stored.", out)
        self.assertFalse(AssessmentSeries.objects.exists())

    def test_errors_are_explained(self):
        with translation.override("en"):
            with self.assertRaisesMessage(CommandError, "Unknown rule set “nope”."):
                call_command("compute_levels", "--rules", "nope")
            with self.assertRaisesMessage(
                CommandError,
                "no source for adjacent_orange_commune, adjacent_red_commune, children_scattered",
            ):
                call_command("compute_levels", "--rules", "vn-2686-2021")
            with self.assertRaisesMessage(CommandError, "Unknown series “nope”."):
                call_command("compute_levels", "--series", "nope")
            with self.assertRaisesMessage(CommandError, "No province has the code “916”."):
                call_command("compute_levels", "--province", "916")


class PublishLevelsTestCase(CommandTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        services.sync_rulesets()
        cls.green = RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True)
        # Loading the rule sets computed all of them; here only the green-zone rule is.
        AssessmentSeries.objects.exclude(ruleset=cls.green).delete()
        services.compute_levels(cls.green, cls.reported, provinces=[cls.cantho])

    def test_it_publishes_the_area_and_its_units_as_the_user(self):
        out = run(
            "publish_levels",
            "--rules",
            "vn-green-zone-14d",
            "--date",
            "20/09/2021",
            "--area",
            "916",
            "--user",
            "district_steering",
            "--legal-basis",
            "TB 12",
        )
        published = {a.area.code: a.computed_key for a in Assessment.objects.all()}
        self.assertEqual(published, {"916": "not_green", "31120": "green", "31117": "not_green"})
        self.assertIn(
            "3 levels of 20/09/2021 published for Quận Ninh Kiều under vn-green-zone-14d "
            "(series reported).",
            out,
        )
        self.assertIn("Vùng xanh", out)
        entry = AuditEntry.objects.get(action="publish")
        self.assertEqual(
            (entry.actor, entry.source), (self.district_steering, "cli:publish_levels")
        )
        again = run(
            "publish_levels",
            "--rules",
            "vn-green-zone-14d",
            "--date",
            "20/09/2021",
            "--area",
            "916",
        )
        self.assertIn("0 levels of 20/09/2021", again)

    def test_a_dry_run_and_refusals(self):
        out = run(
            "publish_levels",
            "--rules",
            "vn-green-zone-14d",
            "--date",
            "20/09/2021",
            "--area",
            "31120",
            "--dry-run",
        )
        self.assertIn("1 levels of 20/09/2021", out)
        self.assertFalse(Assessment.objects.exists())
        with translation.override("en"):
            with self.assertRaisesMessage(CommandError, "is not a date"):
                call_command(
                    "publish_levels", "--rules", "vn-green-zone-14d", "--date", "x", "--area", "916"
                )
            with self.assertRaisesMessage(CommandError, "No level is computed"):
                call_command(
                    "publish_levels",
                    "--rules",
                    "vn-4800-2021",
                    "--date",
                    "20/10/2021",
                    "--area",
                    "916",
                )
        with self.assertRaises(PermissionDenied):  # a ward official may not publish
            call_command(
                "publish_levels",
                "--rules",
                "vn-green-zone-14d",
                "--date",
                "20/09/2021",
                "--area",
                "31120",
                "--user",
                "anhoa_official",
            )
        self.assertFalse(Assessment.objects.exists())


class DemoLevelsTestCase(BaseTestCase):
    """The demo on the test world: An Hòa's last community case 5/9, Cái Khế's 20/9."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.bcd = make_user("bcd.ninhkieu", Role.STEERING, cls.ninhkieu)
        records = [
            {"area_id": cls.anhoa.pk, "date": dt.date(2021, 8, 20), "community": 3},
            {"area_id": cls.anhoa.pk, "date": dt.date(2021, 9, 5), "community": 1},
            {"area_id": cls.caikhe.pk, "date": dt.date(2021, 9, 20), "community": 2},
            {"area_id": cls.anhoa.pk, "date": dt.date(2021, 11, 3), "community": 9},
        ]
        surveillance.import_records(
            "daily", records, actor=None, series_code=demo.SIM_SERIES, label="test"
        )

    def load(self) -> str:
        out = io.StringIO()
        with translation.override("en"):
            demo.load_demo_levels(out)
        return out.getvalue()

    def test_the_demo_computes_publishes_decides_and_loads_decisions(self):
        out = self.load()
        self.assertIn("simulated weekly vaccination coverage for 3 communes", out)
        self.assertIn("vn-2686-2021 cannot be computed", out)
        # The loop already computed the levels after the loads: the demo finds them current.
        self.assertIn("vn-green-zone-14d on cantho-sim up to date", out)
        sim = Series.objects.get(code=demo.SIM_SERIES)
        coverage = VaccinationCoverage.objects.get(
            series=sim, area=self.anhoa, date=dt.date(2021, 10, 29)
        )
        self.assertEqual(coverage.adults, round(31_268 * 0.74))
        # Every Friday 24/9–31/12 under the rule set in force: 3 green-zone and 12 under 4800.
        published = Assessment.objects.filter(area=self.anhoa, series=sim)
        self.assertEqual(
            sorted({a.date for a in published}),
            demo.fridays(dt.date(2021, 9, 24), dt.date(2021, 12, 31)),
        )
        self.assertEqual(published.get(date=dt.date(2021, 10, 15)).ruleset.code, "vn-4800-2021")
        self.assertEqual(published.first().published_by, self.bcd)
        # 24/9: An Hòa is green by the rule (last case 5/9) but the city kept it under CT16.
        kept = published.get(date=dt.date(2021, 9, 24))
        self.assertEqual((kept.computed_key, kept.decided_key), ("green", "not_green"))
        self.assertEqual(kept.override_reason, demo.KEPT_REASON)
        caikhe = Assessment.objects.get(area=self.caikhe, date=dt.date(2021, 9, 24))
        self.assertFalse(caikhe.overridden)  # not green anyway
        self.assertTrue(
            OfficialDecision.objects.filter(area=self.anhoa, label="Chỉ thị 16 (đến 1/10)").exists()
        )

    def test_a_second_run_changes_nothing(self):
        self.load()
        counts = (
            Assessment.objects.count(),
            AssessmentSeries.objects.count(),
            OfficialDecision.objects.count(),
            AuditEntry.objects.count(),
        )
        ids = set(AssessmentSeries.objects.values_list("id", flat=True))
        out = self.load()
        self.assertIn("vn-green-zone-14d on cantho-sim up to date", out)
        self.assertIn("0 levels of Ninh Kiều published", out)
        self.assertEqual(
            counts,
            (
                Assessment.objects.count(),
                AssessmentSeries.objects.count(),
                OfficialDecision.objects.count(),
                AuditEntry.objects.count(),
            ),
        )
        self.assertEqual(ids, set(AssessmentSeries.objects.values_list("id", flat=True)))
