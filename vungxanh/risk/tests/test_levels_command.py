"""``vungxanh levels``: the stored levels of an area and its children, for scripts."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from vungxanh.risk import freshness, services
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.risk.tests.test_services import VACCINATION_CSV
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase

DAY = dt.date(2021, 10, 20)
RULES = "vn-4800-2021"


def levels(**options) -> tuple[list[list[str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("levels", stdout=out, stderr=err, **options)
    return list(csv.reader(io.StringIO(out.getvalue()))), err.getvalue()


class LevelsCommandTestCase(BaseTestCase):
    """An Hòa with 49 community cases in the week to 20/10/2021 (156.7/100k: Cấp 3
    computed, Cấp 2 still in force that day: a raise takes effect 48 hours later)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.sync_rulesets()
        # The loop (inline in tests) computes the levels from the import: nothing else runs.
        surveillance.import_records(
            "daily",
            [
                {"area_id": cls.anhoa.pk, "date": DAY - dt.timedelta(days=d), "community": 7}
                for d in range(7)
            ]
            + [{"area_id": cls.caikhe.pk, "date": DAY - dt.timedelta(days=9), "community": 1}],
            actor=cls.health_officer,
            series_code="reported",
            label="daily.csv",
        )
        surveillance.import_file("vaccination", VACCINATION_CSV, "v.csv", actor=cls.health_officer)

    def test_the_area_and_its_children_as_csv(self):
        rows, _said = levels(area="916", rules=RULES, date="20/10/2021", format="csv")
        self.assertEqual(
            rows[0], ["area", "date", "rules", "level", "level_name", "computed_at", "data_until"]
        )
        by_area = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        self.assertEqual(list(by_area), ["916", "31117", "31120"], "the area first, then children")
        anhoa = by_area["31120"]
        self.assertEqual(
            (anhoa["date"], anhoa["rules"], anhoa["level"]), ("20/10/2021", RULES, "2")
        )
        self.assertIn("Cấp 2", anhoa["level_name"])
        stored = AssessmentSeries.objects.get(
            area=self.anhoa, ruleset__code=RULES, series__code="reported"
        )
        computed = timezone.localtime(stored.computed_at)  # printed in the site's time zone
        self.assertTrue(anhoa["computed_at"].startswith(computed.strftime("%d/%m/%Y")))
        # When the data counted last changed, as every page and export says it.
        series = Series.objects.get(code="reported")
        for code, area in (("31120", self.anhoa), ("31117", self.caikhe), ("916", self.ninhkieu)):
            said = freshness.moment(freshness.data_until(area, series))
            self.assertTrue(said)
            self.assertEqual(by_area[code]["data_until"], said)

    def test_the_level_follows_the_data_and_the_date(self):
        record = RuleSetRecord.objects.get(code=RULES, current=True)
        series = Series.objects.get(code="reported")
        for offset in range(-3, 6):
            day = DAY + dt.timedelta(days=offset)
            stored = services.levels_on(record, series, [self.anhoa], day)[self.anhoa.pk]
            rows, _said = levels(area="31120", rules=RULES, date=f"{day:%d/%m/%Y}", format="csv")
            with self.subTest(day=day):
                self.assertEqual(rows[1][3], stored.level_key)

    def test_a_table_for_people(self):
        out = io.StringIO()
        call_command("levels", area="916", rules=RULES, date="20/10/2021", stdout=out)
        lines = out.getvalue().splitlines()
        self.assertTrue(lines[0].startswith("area "))
        self.assertEqual(len(lines), 4)

    def test_a_unit_without_levels_has_empty_level_columns(self):
        rows, _said = levels(
            area="919", rules=RULES, date="20/10/2021", format="csv", series="reported"
        )
        self.assertEqual([r[0] for r in rows[1:]], ["919", "31189"])
        self.assertEqual({r[3] for r in rows[1:]}, {""})
        self.assertEqual({r[6] for r in rows[1:]}, {""}, "no data ever came for Cái Răng")

    def test_formula_text_is_neutralised(self):
        RuleSetRecord.objects.filter(code=RULES).update(code="=cmd")
        rows, _said = levels(area="31120", rules="=cmd", date="20/10/2021", format="csv")
        self.assertEqual(rows[1][2], "'=cmd")

    @override_settings(LANGUAGE_CODE="en")
    def test_mistakes_are_explained(self):
        cases = [
            ({"area": "99999"}, "99999"),
            ({"rules": "nope"}, "nope"),
            ({"date": "31/09/2021"}, "31/09/2021"),
            ({"date": "20/10/2091"}, "20/10/2091"),
            ({"date": "01/01/2019"}, "01/01/2019"),
            ({"series": "nope-series"}, "nope-series"),
            ({"area": "919", "series": None}, "Quận Cái Răng"),
        ]
        for change, named in cases:
            options = {"area": "916", "rules": RULES, "date": "20/10/2021", **change}
            options = {k: v for k, v in options.items() if v is not None}
            with self.subTest(change=change), self.assertRaisesMessage(CommandError, named):
                levels(**options)

    def test_a_user_sees_only_their_areas(self):
        with self.assertRaisesMessage(CommandError, "916"):
            levels(area="916", rules=RULES, date="20/10/2021", user="outsider")
        rows, _said = levels(
            area="31120", rules=RULES, date="20/10/2021", format="csv", user="anhoa_official"
        )
        self.assertEqual([r[0] for r in rows[1:]], ["31120"])
