import csv
import io
import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from vungxanh.areas import services as area_services
from vungxanh.audit.context import acting_through, current
from vungxanh.audit.models import AuditEntry
from vungxanh.audit.services import record, snapshot
from vungxanh.testing import BaseTestCase


class AppendOnlyTestCase(BaseTestCase):
    def setUp(self):
        self.entry = record(self.admin, "update", self.anhoa, area=self.anhoa, reason="r")

    def test_an_entry_cannot_be_changed(self):
        self.entry.reason = "rewritten"
        with self.assertRaises(PermissionDenied):
            self.entry.save()
        with self.assertRaises(PermissionDenied):
            AuditEntry.objects.filter(pk=self.entry.pk).update(reason="rewritten")
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).reason, "r")

    def test_an_entry_cannot_be_deleted(self):
        with self.assertRaises(PermissionDenied):
            self.entry.delete()
        with self.assertRaises(PermissionDenied):
            AuditEntry.objects.all().delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_the_admin_can_neither_add_change_nor_delete(self):
        model_admin = admin.site._registry[AuditEntry]
        request = RequestFactory().get("/")
        request.user = self.admin
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, self.entry))
        self.assertFalse(model_admin.has_delete_permission(request, self.entry))


class ContextTestCase(BaseTestCase):
    def test_a_command_context_names_its_source(self):
        with acting_through("cli:test", "req-1"):
            entry = record(None, "create", self.anhoa)
        self.assertEqual(
            (entry.source, entry.request_id, entry.actor_name), ("cli:test", "req-1", "system")
        )
        self.assertEqual(current().source, "system")

    def test_a_web_request_records_source_and_request_id(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("areas:subunit_create", args=["31120"]),
            {"name": "Khu vực 2", "unit_type": "Khu vực"},
            HTTP_X_REQUEST_ID="abc123",
        )
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.get()
        self.assertEqual(
            (entry.source, entry.request_id, entry.actor), ("web", "abc123", self.anhoa_official)
        )
        self.assertEqual(response["X-Request-ID"], "abc123")

    def test_an_api_request_is_marked_api(self):
        self.client.force_login(self.anhoa_official)
        self.client.post(
            reverse("api:area_subunit_create", args=["31120"]),
            {"name": "Khu vực 3", "unit_type": "Khu vực"},
            content_type="application/json",
        )
        self.assertEqual(AuditEntry.objects.get().source, "api")

    def test_snapshot_redacts_secrets(self):
        self.assertNotIn("password", snapshot(self.viewer))
        self.assertEqual(snapshot(self.anhoa)["code"], "31120")


class AuditPagesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        area_services.set_boundary(
            cls.anhoa,
            actor=cls.admin,
            source="t",
            reason="ranh giới",
            geometry={
                "type": "Polygon",
                "coordinates": [[[105.7, 10.0], [105.8, 10.0], [105.8, 10.1], [105.7, 10.0]]],
            },
        )
        record(cls.admin, "update", cls.hungphu, area=cls.hungphu, reason="ở Cái Răng")

    def test_the_list_filters_by_area(self):
        self.client.force_login(self.city_steering)
        page = self.client.get(reverse("audit:list"), {"area": "916"})
        self.assertContains(page, "ranh giới")
        self.assertNotContains(page, "ở Cái Răng")

    def test_the_export_is_a_csv_of_the_filtered_entries(self):
        self.client.force_login(self.city_steering)
        response = self.client.get(reverse("audit:export"), {"action": "update"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual({r["reason"] for r in rows}, {"ranh giới", "ở Cái Răng"})
        boundary_entry = next(r for r in rows if r["reason"] == "ranh giới")
        self.assertIn("Polygon", json.loads(boundary_entry["after"])["boundary"])

    def test_the_detail_shows_before_and_after(self):
        self.client.force_login(self.city_steering)
        entry = AuditEntry.objects.get(reason="ranh giới")
        page = self.client.get(reverse("audit:detail", args=[entry.pk]))
        self.assertContains(page, "boundary_source")

    def test_a_ward_official_may_not_read_the_trail(self):
        self.client.force_login(self.anhoa_official)
        self.assertEqual(self.client.get(reverse("audit:list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("audit:export")).status_code, 403)


class RedactionTestCase(BaseTestCase):
    def test_personal_identifiers_of_cases_never_reach_the_trail(self):
        from vungxanh.surveillance.models import CasePerson

        person = CasePerson(
            case_code="BN1",
            area=self.anhoa,
            full_name="Nguyễn Văn A",
            phone="0900000000",
            id_number="092000000001",
            address="1 Mậu Thân",
        )
        values = snapshot(person)
        self.assertEqual(values["case_code"], "BN1")
        for field in ("full_name", "phone", "id_number", "address"):
            self.assertNotIn(field, values)
