"""Creating and correcting one fact: import rules, versions, permissions, audit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from vungxanh.audit.models import AuditEntry
from vungxanh.surveillance import services
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.models import (
    CareCapacity,
    CasePerson,
    CaseRecord,
    DailyCount,
    ImportBatch,
    IndicatorSeries,
    TestCount,
    VaccinationCoverage,
)
from vungxanh.testing import BaseTestCase

DAY = dt.date(2021, 9, 23)


class CreateFactTestCase(BaseTestCase):
    def test_a_case_is_created_as_a_tiny_import_with_its_audit_entries(self):
        case = edits.create_fact(
            "cases",
            {
                "case_code": "BN100",
                "area": "31120",
                "confirmed_date": "23/09/2021",
                "detection": "Khu phong tỏa",
                "sex": "Nữ",
                "full_name": "Phạm Thị Tư",
                "phone": "0909000004",
            },
            actor=self.anhoa_official,
        )
        self.assertEqual(
            (case.area, case.confirmed_date, case.detection, case.sex),
            (self.anhoa, DAY, "lockdown", "F"),
        )
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.kind, batch.file_name, batch.rows_created), ("cases", "form", 1))
        self.assertEqual(case.batch, batch)
        person = CasePerson.objects.get(case_code="BN100")
        self.assertEqual((person.full_name, person.phone), ("Phạm Thị Tư", "0909000004"))
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
        # The import, the loop's recompute it triggered (one entry), the identity's entries.
        self.assertEqual(actions, ["import", "recompute", "update", "create"])
        trail = str(list(AuditEntry.objects.values_list("before", "after")))
        self.assertNotIn("Phạm", trail)
        self.assertNotIn("0909000004", trail)
        self.assertEqual(AuditEntry.objects.get(action="create").after["detection"], "lockdown")
        # The indicators follow the new fact.
        stored = IndicatorSeries.objects.get(area=self.anhoa, series__code="reported")
        self.assertEqual(stored.on(DAY)["new_cases"], 1.0)

    def test_every_kind_can_be_created(self):
        actor = self.health_officer
        base = {"area": "31120", "date": "23/09/2021"}
        edits.create_fact("daily", {**base, "community": "2", "lockdown": 5}, actor=actor)
        edits.create_fact(
            "tests",
            {**base, "sample_group": "Cộng đồng", "performed": 1200, "positive": 3},
            actor=actor,
        )
        edits.create_fact(
            "vaccination",
            {**base, "adults": 24000, "adults_one_dose": 23100, "adults_full": 15000},
            actor=actor,
        )
        edits.create_fact(
            "capacity", {**base, "treatment_beds": 120, "station_oxygen": "Có"}, actor=actor
        )
        daily = DailyCount.objects.get()
        self.assertEqual((daily.community, daily.lockdown, daily.quarantine), (2, 5, 0))
        self.assertEqual(TestCount.objects.get().sample_group, "community")
        self.assertEqual(VaccinationCoverage.objects.get().adults_full, 15000)
        capacity = CareCapacity.objects.get()
        self.assertEqual((capacity.treatment_beds, capacity.station_oxygen), (120, True))
        self.assertEqual(ImportBatch.objects.count(), 4)

    def test_bad_values_are_reported_by_field_with_the_import_rules(self):
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact(
                "daily",
                {"area": "31120", "date": "31/02/2021", "community": "many", "colour": "red"},
                actor=self.health_officer,
            )
        self.assertEqual(set(caught.exception.message_dict), {"colour"})
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact(
                "daily",
                {"area": "31120", "date": "31/02/2021", "community": "many", "deaths": -1},
                actor=self.health_officer,
            )
        errors = caught.exception.message_dict
        self.assertEqual(set(errors), {"date", "community", "deaths"})
        self.assertIn("dd/mm/yyyy", errors["date"][0])
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact("cases", {"area": "31120"}, actor=self.health_officer)
        self.assertEqual(
            set(caught.exception.message_dict), {"case_code", "confirmed_date", "detection"}
        )
        self.assertFalse(ImportBatch.objects.exists())

    def test_positives_cannot_exceed_tests(self):
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact(
                "tests",
                {
                    "area": "31120",
                    "date": "23/09/2021",
                    "sample_group": "f1",
                    "performed": 10,
                    "positive": 11,
                },
                actor=self.health_officer,
            )
        self.assertEqual(list(caught.exception.message_dict), ["positive"])

    def test_another_wards_area_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact(
                "daily", {"area": "31117", "date": "23/09/2021"}, actor=self.anhoa_official
            )
        self.assertEqual(list(caught.exception.message_dict), ["area"])
        self.assertFalse(DailyCount.objects.exists())

    def test_a_viewer_cannot_create(self):
        with self.assertRaises(ValidationError):
            edits.create_fact("daily", {"area": "31120", "date": "23/09/2021"}, actor=self.viewer)
        self.assertFalse(DailyCount.objects.exists())

    def test_an_existing_fact_is_corrected_not_created_twice(self):
        values = {"area": "31120", "date": "23/09/2021", "community": 1}
        first = edits.create_fact("daily", values, actor=self.health_officer)
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact("daily", values, actor=self.health_officer)
        self.assertIn(str(first.pk), caught.exception.message_dict["area"][0])
        # Another series is another fact.
        edits.create_fact("daily", values, actor=self.health_officer, series_code="cantho-sim")
        self.assertEqual(DailyCount.objects.count(), 2)

    def test_an_area_may_be_named(self):
        row = edits.create_fact(
            "daily", {"area": "phuong an hoa", "date": "2021-09-23"}, actor=self.health_officer
        )
        self.assertEqual((row.area, row.date), (self.anhoa, DAY))


class CorrectFactTestCase(BaseTestCase):
    def setUp(self):
        self.case = edits.create_fact(
            "cases",
            {
                "case_code": "BN7",
                "area": "31120",
                "confirmed_date": "20/09/2021",
                "detection": "community",
                "full_name": "Võ Văn Bảy",
            },
            actor=self.health_officer,
        )

    def test_a_correction_is_a_new_version_and_the_old_one_stays(self):
        new = edits.correct_fact(
            self.case, {"detection": "quarantine"}, actor=self.health_officer, reason="BC 12"
        )
        self.assertNotEqual(new.pk, self.case.pk)
        self.assertEqual((new.detection, new.confirmed_date), ("quarantine", dt.date(2021, 9, 20)))
        old = CaseRecord.objects.get(pk=self.case.pk)
        self.assertIsNotNone(old.superseded_at)
        self.assertEqual(old.superseded_by, new.batch)
        self.assertEqual(new.batch.rows_corrected, 1)
        entry = AuditEntry.objects.get(action="correct")
        self.assertEqual(
            (entry.before["detection"], entry.after["detection"]), ("community", "quarantine")
        )
        self.assertEqual(entry.reason, "BC 12")
        stored = IndicatorSeries.objects.get(area=self.anhoa, series__code="reported")
        self.assertEqual(stored.on(dt.date(2021, 9, 20))["new_community"], 0.0)

    def test_undo_brings_the_old_version_back(self):
        new = edits.correct_fact(self.case, {"detection": "quarantine"}, actor=self.health_officer)
        services.undo_import(new.batch, actor=self.health_officer)
        self.assertEqual(CaseRecord.objects.current().get().detection, "community")

    def test_a_case_may_move_to_another_ward_the_actor_may_change(self):
        new = edits.correct_fact(self.case, {"area": "31117"}, actor=self.health_officer)
        self.assertEqual(new.area, self.caikhe)
        self.assertEqual(CasePerson.objects.current().get().area, self.caikhe)

    def test_the_facts_key_cannot_be_corrected(self):
        with self.assertRaises(ValidationError) as caught:
            edits.correct_fact(self.case, {"case_code": "BN8"}, actor=self.health_officer)
        self.assertEqual(list(caught.exception.message_dict), ["case_code"])
        daily = edits.create_fact(
            "daily", {"area": "31120", "date": "23/09/2021"}, actor=self.health_officer
        )
        with self.assertRaises(ValidationError):
            edits.correct_fact(daily, {"date": "24/09/2021"}, actor=self.health_officer)
        same = edits.correct_fact(
            daily,
            {"date": "2021-09-23", "area": "Phường An Hòa", "community": 3},
            actor=self.health_officer,
        )
        self.assertEqual(same.community, 3)

    def test_nothing_changed_writes_nothing(self):
        batches = ImportBatch.objects.count()
        same = edits.correct_fact(self.case, {"detection": "Cộng đồng"}, actor=self.health_officer)
        self.assertEqual(same, self.case)
        self.assertEqual(ImportBatch.objects.count(), batches)
        self.assertFalse(AuditEntry.objects.filter(action="correct").exists())

    def test_only_personal_values_changed(self):
        same = edits.correct_fact(self.case, {"phone": "0912345678"}, actor=self.health_officer)
        self.assertEqual(same, self.case)
        self.assertEqual(CasePerson.objects.current().get().phone, "0912345678")
        self.assertEqual(CasePerson.objects.current().get().full_name, "Võ Văn Bảy")
        entry = AuditEntry.objects.filter(action="update").latest("id")
        self.assertEqual(entry.after, {"changed": ["phone"]})

    def test_an_old_version_cannot_be_corrected(self):
        edits.correct_fact(self.case, {"detection": "quarantine"}, actor=self.health_officer)
        self.case.refresh_from_db()
        with self.assertRaises(ValidationError):
            edits.correct_fact(self.case, {"detection": "lockdown"}, actor=self.health_officer)

    def test_another_ward_cannot_correct(self):
        with self.assertRaises(PermissionDenied):
            edits.correct_fact(self.case, {"detection": "lockdown"}, actor=self.caikhe_official)
        with self.assertRaises(PermissionDenied):
            edits.correct_fact(self.case, {"detection": "lockdown"}, actor=self.viewer)
        # An Hòa's official may not move the case out of An Hòa.
        with self.assertRaises(ValidationError) as caught:
            edits.correct_fact(self.case, {"area": "31117"}, actor=self.anhoa_official)
        self.assertEqual(list(caught.exception.message_dict), ["area"])
        self.assertEqual(CaseRecord.objects.count(), 1)
