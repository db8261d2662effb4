"""The simulated series names its source for people, in Vietnamese (issue 11, item 3)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.urls import reverse

from vungxanh.demo import epidemic
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CaseRecord, Series
from vungxanh.testing import BaseTestCase

MIGRATION = importlib.import_module(
    "vungxanh.surveillance.migrations.0007_simulated_series_source_for_people"
)
OLD_CASE_SOURCE = "Vùng Xanh demo model (mô phỏng, không phải số liệu thật của phường)"


def simulated_case(code: str, area) -> dict:
    """One case as ``vungxanh.demo.epidemic.case_records`` writes them."""
    day = dt.date(2021, 9, 20)
    return {
        "case_code": code,
        "area_id": area.pk,
        "onset_date": None,
        "sample_date": None,
        "confirmed_date": day,
        "report_date": day,
        "detection": "community",
        "age_band": "18-49",
        "sex": "F",
        "vaccination": "full",
        "outcome": "recovered",
        "zone_ref": "",
    }


class SimulatedSourceTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.simulated = Series.objects.get(code="cantho-sim")

    def test_the_migrated_series_and_the_demo_read_in_vietnamese(self):
        self.assertEqual(self.simulated.source, epidemic.SOURCE)
        self.assertIn("mô phỏng", epidemic.SOURCE)
        self.assertNotIn("demo model", epidemic.SOURCE)

    def test_the_area_page_shows_the_source_and_the_simulated_badge(self):
        services.import_records(
            "cases",
            [simulated_case("SIM-1", self.anhoa)],
            actor=None,
            series_code="cantho-sim",
            label="simulation",
            source=OLD_CASE_SOURCE,
        )
        self.client.force_login(self.anhoa_official)
        page = self.client.get(reverse("surveillance:area", args=["31120"]))
        self.assertContains(page, epidemic.SOURCE)
        self.assertNotContains(page, "Vùng Xanh demo model")
        self.assertContains(page, 'class="badge sim"')

    def test_the_migration_replaces_only_the_words_it_wrote_and_can_be_undone(self):
        services.import_records(
            "cases",
            [simulated_case("SIM-2", self.anhoa)],
            actor=None,
            series_code="cantho-sim",
            label="simulation",
            source=OLD_CASE_SOURCE,
        )
        MIGRATION.backwards(apps, None)
        self.simulated.refresh_from_db()
        self.assertEqual(self.simulated.source, "Vùng Xanh demo model")
        MIGRATION.forwards(apps, None)
        self.simulated.refresh_from_db()
        self.assertEqual(self.simulated.source, epidemic.SOURCE)
        self.assertEqual(CaseRecord.objects.get(case_code="SIM-2").source, epidemic.SOURCE)
        # A source someone wrote themselves is left alone.
        Series.objects.filter(pk=self.simulated.pk).update(source="Sở Y tế, bản tin 20/9")
        MIGRATION.backwards(apps, None)
        self.simulated.refresh_from_db()
        self.assertEqual(self.simulated.source, "Sở Y tế, bản tin 20/9")
