"""Imports API: POST a file and get the report; list, read and undo imports."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from vungxanh.accounts.services import create_api_token
from vungxanh.audit.models import AuditEntry
from vungxanh.surveillance import services
from vungxanh.surveillance.models import DailyCount, ImportBatch
from vungxanh.surveillance.tests.test_import_pages import DAILY_BAD_CSV, DAILY_CSV, csv_upload
from vungxanh.testing import BaseTestCase


class ImportApiTestCase(BaseTestCase):
    def post_file(self, text: str, kind: str = "daily", **form):
        return self.client.post(
            reverse("api:import_create", args=[kind]), {"file": csv_upload(text), **form}
        )

    def test_a_valid_file_is_imported_and_reported(self):
        self.client.force_login(self.health_officer)
        response = self.post_file(DAILY_CSV)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        batch = ImportBatch.objects.get()
        self.assertEqual(
            body,
            {
                "written": True,
                "batch_id": batch.pk,
                "new": 2,
                "corrected": 0,
                "unchanged": 0,
                "rows": 2,
                "problems": [],
            },
        )
        self.assertEqual(batch.source, "api")
        self.assertEqual(AuditEntry.objects.get(action="import").source, "api")

    def test_a_file_with_problems_is_refused_with_each_problem(self):
        self.client.force_login(self.anhoa_official)
        response = self.post_file(DAILY_BAD_CSV)
        self.assertEqual(response.status_code, 422)
        body = response.json()
        self.assertFalse(body["written"])
        self.assertIsNone(body["batch_id"])
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in body["problems"]],
            [
                (3, "Ca cộng đồng", "below_minimum"),
                (3, "Ca trong khu phong tỏa", "not_a_whole_number"),
                (3, "Ngày", "no_such_day"),  # 31/02/2021
                (3, "Địa bàn", "unknown_area"),
            ],
        )
        self.assertIn("Phường An Hòa", body["problems"][3]["message"])
        self.assertFalse(DailyCount.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_messages_follow_the_language_asked_for(self):
        self.client.force_login(self.anhoa_official)
        for lang in ("vi", "en"):
            with self.subTest(lang=lang), translation.override(lang):
                expected = translation.gettext("This cell is required and is empty.")
                self.client.cookies["django_language"] = lang
                text = "Địa bàn,Ngày,Ca cộng đồng\n31120,,2\n"
                message = self.post_file(text).json()["problems"][0]["message"]
                self.assertEqual(message, expected)

    def test_dry_run_reports_without_writing(self):
        self.client.force_login(self.health_officer)
        ok = self.post_file(DAILY_CSV, dry_run="true")
        self.assertEqual(ok.status_code, 200)
        self.assertEqual((ok.json()["written"], ok.json()["new"]), (False, 2))
        bad = self.post_file(DAILY_BAD_CSV, dry_run="true")
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(ImportBatch.objects.exists())

    def test_valid_only_imports_the_good_rows(self):
        self.client.force_login(self.anhoa_official)
        response = self.post_file(DAILY_BAD_CSV, valid_only="true")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertTrue(body["written"])
        self.assertEqual((body["new"], len(body["problems"])), (1, 4))

    def test_a_repeated_file_changes_nothing(self):
        self.client.force_login(self.health_officer)
        self.post_file(DAILY_CSV)
        again = self.post_file(DAILY_CSV)
        self.assertEqual(again.status_code, 200)
        self.assertEqual((again.json()["written"], again.json()["unchanged"]), (False, 2))

    def test_unknown_kind_and_people_without_the_right_are_refused(self):
        self.client.force_login(self.health_officer)
        self.assertEqual(self.post_file(DAILY_CSV, kind="weather").status_code, 422)
        self.client.force_login(self.viewer)
        self.assertEqual(self.post_file(DAILY_CSV).status_code, 403)
        self.assertFalse(ImportBatch.objects.exists())

    def test_list_detail_and_undo(self):
        batch = services.import_file(
            "daily", DAILY_CSV.encode(), "d.csv", actor=self.health_officer
        ).batch
        self.client.force_login(self.health_officer)
        listing = self.client.get(reverse("api:import_list")).json()
        self.assertEqual(listing["count"], 1)
        self.assertEqual(listing["items"][0]["area_code"], "916")
        detail = self.client.get(reverse("api:import_detail", args=[batch.pk])).json()
        self.assertEqual((detail["file_name"], detail["status"]), ("d.csv", "committed"))
        url = reverse("api:import_undo", args=[batch.pk])
        undone = self.client.post(f"{url}?reason=nhập nhầm")
        self.assertEqual(undone.status_code, 200)
        self.assertEqual(undone.json()["status"], "undone")
        self.assertEqual(AuditEntry.objects.get(action="undo").reason, "nhập nhầm")
        self.assertFalse(DailyCount.objects.exists())

    def test_undo_without_the_right_is_forbidden(self):
        batch = services.import_file(
            "daily", DAILY_CSV.encode(), "d.csv", actor=self.health_officer
        ).batch
        self.client.force_login(self.viewer)
        response = self.client.post(reverse("api:import_undo", args=[batch.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(ImportBatch.objects.get().status, "committed")

    def test_a_token_client_imports_with_its_users_rights(self):
        _token, raw = create_api_token(self.anhoa_official, actor=self.anhoa_official, name="t")
        client = Client()
        response = client.post(
            reverse("api:import_create", args=["daily"]),
            {"file": csv_upload(DAILY_CSV)},
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        self.assertEqual(response.status_code, 422)  # Cái Khế is not An Hòa's
        self.assertEqual(response.json()["problems"][0]["row"], 3)
