"""Issue 9, findings 1 and 6: writes are scoped like reads, and identities are versioned.

A ward official cannot take over, move, reveal or destroy another ward's case by an
import (page, API or command line), a form or API edit, or an undo; a correction of a
case's personal fields alone is written; undoing a correction brings the identity back.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.imports.problems import as_rows
from vungxanh.surveillance import services
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.models import CasePerson, CaseRecord, ImportBatch
from vungxanh.surveillance.tests.test_import_pages import TempMediaMixin, csv_upload
from vungxanh.testing import BaseTestCase

HEADER = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện"
PERSONAL_HEADER = f"{HEADER},Họ tên,Số điện thoại,Số CCCD/CMND,Địa chỉ"
# A Cái Khế case with its identity, as the district's health officer imported it.
CAIKHE_CASE = (
    f"{PERSONAL_HEADER}\n"
    "BN9,31117,20/09/2021,Cộng đồng,Trần Văn Chín,0909000009,092090000009,9 Cái Khế\n"
)
# The same code, claimed by An Hòa's official: the takeover of finding 1.
TAKEOVER = f"{HEADER}\nBN9,31120,20/09/2021,Cộng đồng\n"
TAKEOVER_WITH_IDENTITY = (
    f"{PERSONAL_HEADER}\nBN9,31120,20/09/2021,Cộng đồng,Kẻ Lạ,0900000000,000000000000,Nơi khác\n"
)
IDENTITY = ("Trần Văn Chín", "0909000009", "092090000009", "9 Cái Khế")


def run_import(kind: str, text: str, actor, **options) -> services.ImportResult:
    return services.import_file(kind, text.encode(), "f.csv", actor=actor, **options)


def identity_of(code: str) -> tuple[str, str, str, str] | None:
    person = CasePerson.objects.current().filter(case_code=code).first()
    if person is None:
        return None
    return (person.full_name, person.phone, person.id_number, person.address)


class ScopeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.original = run_import("cases", CAIKHE_CASE, self.health_officer).batch
        self.case = CaseRecord.objects.current().get(case_code="BN9")

    def assert_case_untouched(self) -> None:
        """BN9 is still Cái Khế's, in one current version, with its identity."""
        current = CaseRecord.objects.current().filter(case_code="BN9")
        self.assertEqual([(c.pk, c.area_id) for c in current], [(self.case.pk, self.caikhe.pk)])
        self.assertEqual(CaseRecord.objects.filter(case_code="BN9").count(), 1)
        self.assertEqual(identity_of("BN9"), IDENTITY)
        self.assertEqual(CasePerson.objects.current().get(case_code="BN9").area, self.caikhe)

    def assert_reveals_nothing(self, text: str) -> None:
        """No foreign area or identity in what the official is told."""
        for secret in ("31117", "Cái Khế", "Cai Khe", "Trần", "0909000009"):
            self.assertNotIn(secret, text)

    def assert_names_no_number(self, messages: list[str]) -> None:
        """Not the case's internal id, nor any other number."""
        self.assertIsNone(re.search(r"\d", " ".join(messages)), messages)


class ImportCannotTakeOverTestCase(ScopeTestCase):
    def test_the_service_refuses_another_wards_code_and_changes_nothing(self):
        for text in (TAKEOVER, TAKEOVER_WITH_IDENTITY):
            with self.subTest(text=text):
                result = run_import("cases", text, self.anhoa_official)
                self.assertFalse(result.written)
                self.assertEqual((result.check.new, result.check.corrected), (0, 0))
                self.assertEqual(
                    [(e.row, e.column, e.code) for e in result.check.errors],
                    [(2, "Mã ca bệnh", "case_code_unavailable")],
                )
                self.assert_case_untouched()
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_valid_only_leaves_the_row_out_and_imports_the_rest(self):
        text = TAKEOVER + "BN10,31120,21/09/2021,Cộng đồng\n"
        result = run_import("cases", text, self.anhoa_official, valid_only=True)
        self.assertTrue(result.written)
        self.assertEqual((result.check.new, result.check.corrected), (1, 0))
        self.assertEqual(result.check.rejected_rows, 1)
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN10").area, self.anhoa)
        self.assert_case_untouched()

    def test_a_case_of_another_district_is_refused_to_the_district_health_officer(self):
        run_import("cases", f"{HEADER}\nBN50,31189,20/09/2021,Cộng đồng\n", self.admin)
        result = run_import(
            "cases", f"{HEADER}\nBN50,31120,20/09/2021,Cộng đồng\n", self.health_officer
        )
        self.assertEqual([e.code for e in result.check.errors], ["case_code_unavailable"])
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN50").area, self.hungphu)

    def test_the_api_refuses_it_and_reveals_nothing(self):
        self.client.force_login(self.anhoa_official)
        url = reverse("api:import_create", args=["cases"])
        for dry_run in (True, False):
            with self.subTest(dry_run=dry_run), translation.override("vi"):
                response = self.client.post(
                    url, {"file": csv_upload(TAKEOVER_WITH_IDENTITY, "f0.csv"), "dry_run": dry_run}
                )
                self.assertEqual(response.status_code, 422)
                body = response.json()
                self.assertEqual((body["written"], body["new"], body["corrected"]), (False, 0, 0))
                self.assertEqual([p["code"] for p in body["problems"]], ["case_code_unavailable"])
                self.assert_reveals_nothing(json.dumps(body, ensure_ascii=False))
                self.assert_names_no_number([p["message"] for p in body["problems"]])
        self.assert_case_untouched()

    def test_a_dry_run_says_no_more_than_the_import_itself(self):
        dry = services.check_import("cases", TAKEOVER.encode(), "f.csv", actor=self.anhoa_official)
        real = run_import("cases", TAKEOVER, self.anhoa_official).check
        self.assertEqual((dry.new, dry.corrected, dry.unchanged), (0, 0, 0))
        self.assertEqual(as_rows(dry.errors), as_rows(real.errors))
        with translation.override("en"):
            message = as_rows(dry.errors)[0]["message"]
        self.assertIn("cannot be used", message)
        self.assert_reveals_nothing(message)
        self.assert_names_no_number([message])

    def test_the_command_line_refuses_it(self):
        folder = tempfile.TemporaryDirectory(prefix="vx-scope-")
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / "f0.csv"
        path.write_text(TAKEOVER, encoding="utf-8")
        out = io.StringIO()
        with translation.override("en"), self.assertRaises(CommandError):
            call_command(
                "import",
                "cases",
                str(path),
                user="anhoa_official",
                wait=True,
                grace=0,
                stdout=out,
                stderr=io.StringIO(),
            )
        self.assertIn("cannot be used", out.getvalue())
        self.assert_reveals_nothing(out.getvalue())
        self.assert_case_untouched()


class PreviewPageRevealsNothingTestCase(TempMediaMixin, ScopeTestCase):
    def test_the_import_page_refuses_it_without_naming_the_case(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("imports:new"),
            {"kind": "cases", "file": csv_upload(TAKEOVER_WITH_IDENTITY, "f0.csv")},
        )
        self.assertContains(response, 'data-code="case_code_unavailable"')
        self.assertEqual(response.context.get("confirm"), None)
        self.assert_reveals_nothing(response.content.decode())
        self.assert_case_untouched()


class EditCannotTakeOverTestCase(ScopeTestCase):
    def test_creating_a_case_with_another_wards_code_names_no_internal_id(self):
        values = {
            "case_code": "BN9",
            "area": "31120",
            "confirmed_date": "20/09/2021",
            "detection": "Cộng đồng",
            "full_name": "Kẻ Lạ",
        }
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            edits.create_fact("cases", values, actor=self.anhoa_official)
        messages = caught.exception.message_dict["case_code"]
        self.assertIn("cannot be used", messages[0])
        self.assert_names_no_number(messages)
        self.assert_case_untouched()

    def test_the_api_create_names_no_internal_id(self):
        self.client.force_login(self.anhoa_official)
        with translation.override("vi"):
            response = self.client.post(
                reverse("api:case_create"),
                {
                    "case_code": "BN9",
                    "area": "31120",
                    "confirmed_date": "20/09/2021",
                    "detection": "community",
                },
                content_type="application/json",
            )
        self.assertEqual(response.status_code, 422)
        messages = response.json()["errors"]["case_code"]
        self.assertNotIn("(số", messages[0])
        self.assert_names_no_number(messages)
        self.assert_reveals_nothing(json.dumps(response.json(), ensure_ascii=False))
        self.assert_case_untouched()

    def test_an_edit_cannot_move_a_case_out_of_or_into_a_ward_the_actor_cannot_write(self):
        own = edits.create_fact(
            "cases",
            {
                "case_code": "BN20",
                "area": "31120",
                "confirmed_date": "21/09/2021",
                "detection": "Cộng đồng",
            },
            actor=self.anhoa_official,
        )
        with self.assertRaises(ValidationError) as caught:
            edits.correct_fact(own, {"area": "31117"}, actor=self.anhoa_official)
        self.assertEqual(list(caught.exception.message_dict), ["area"])
        with self.assertRaises(PermissionDenied):
            edits.correct_fact(self.case, {"area": "31120"}, actor=self.anhoa_official)
        self.client.force_login(self.anhoa_official)
        response = self.client.put(
            reverse("api:case_correct", args=[self.case.pk]),
            {"area": "31120"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN20").area, self.anhoa)
        self.assert_case_untouched()

    def test_a_ward_cannot_undo_a_move_out_of_another_ward(self):
        # The health officer moves Cái Khế's case to An Hòa; undoing that move writes Cái Khế
        # again, which An Hòa's official may not do.
        moved = edits.correct_fact(self.case, {"area": "31120"}, actor=self.health_officer)
        self.assertEqual(moved.batch.area, self.ninhkieu)
        with self.assertRaises(PermissionDenied):
            services.undo_import(moved.batch, actor=self.anhoa_official)
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN9").area, self.anhoa)
        services.undo_import(moved.batch, actor=self.health_officer)
        self.assert_case_untouched()


class IdentityVersionsTestCase(ScopeTestCase):
    def test_a_correction_of_personal_fields_only_is_written_and_audited(self):
        text = CAIKHE_CASE.replace("0909000009", "0909111111")
        result = run_import("cases", text, self.health_officer)
        self.assertTrue(result.written)
        self.assertEqual(
            (result.check.new, result.check.corrected, result.check.unchanged), (0, 1, 0)
        )
        self.assertEqual(identity_of("BN9")[1], "0909111111")
        # The case's facts did not change: no new version of them.
        self.assertEqual(CaseRecord.objects.filter(case_code="BN9").count(), 1)
        old = CasePerson.objects.get(case_code="BN9", superseded_by=result.batch)
        self.assertEqual(old.phone, "0909000009")
        entry = AuditEntry.objects.filter(action="import").latest("id")
        self.assertEqual((entry.after["corrected"], entry.after["identities"]), (1, 1))
        trail = str(list(AuditEntry.objects.values_list("before", "after")))
        for value in (*IDENTITY, "0909111111"):
            self.assertNotIn(value, trail)

    def test_the_api_reports_a_personal_only_correction(self):
        self.client.force_login(self.health_officer)
        text = CAIKHE_CASE.replace("9 Cái Khế", "10 Cái Khế")
        response = self.client.post(
            reverse("api:import_create", args=["cases"]), {"file": csv_upload(text, "f0.csv")}
        )
        body = response.json()
        self.assertEqual((body["written"], body["corrected"], body["unchanged"]), (True, 1, 0))
        self.assertEqual(identity_of("BN9")[3], "10 Cái Khế")

    def test_undoing_a_correcting_import_restores_the_previous_identity(self):
        text = CAIKHE_CASE.replace("Trần Văn Chín", "Trần Văn Mười").replace(
            "Cộng đồng", "Khu cách ly"
        )
        correcting = run_import("cases", text, self.health_officer).batch
        self.assertEqual(identity_of("BN9")[0], "Trần Văn Mười")
        services.undo_import(correcting, actor=self.health_officer)
        self.assertEqual(identity_of("BN9"), IDENTITY)
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN9").detection, "community")
        self.client.force_login(self.health_officer)
        response = self.client.get(
            reverse("api:case_list"), {"area": "31117", "include_personal": "true"}
        )
        person = response.json()["items"][0]["person"]
        self.assertEqual(person["full_name"], "Trần Văn Chín")

    def test_undoing_a_personal_only_correction_restores_the_identity(self):
        text = CAIKHE_CASE.replace("0909000009", "0909111111")
        correcting = run_import("cases", text, self.health_officer).batch
        services.undo_import(correcting, actor=self.health_officer)
        self.assertEqual(identity_of("BN9"), IDENTITY)
        self.assertEqual(CasePerson.objects.filter(case_code="BN9").count(), 1)

    def test_the_first_import_cannot_be_undone_under_a_later_identity_correction(self):
        run_import("cases", CAIKHE_CASE.replace("0909000009", "0909111111"), self.health_officer)
        with self.assertRaises(ValidationError):
            services.undo_import(self.original, actor=self.health_officer)
        self.assertEqual(identity_of("BN9")[1], "0909111111")

    def test_the_identity_follows_a_case_moved_by_an_import(self):
        moving = f"{HEADER}\nBN9,31120,20/09/2021,Cộng đồng\n"
        batch = run_import("cases", moving, self.health_officer).batch
        self.assertEqual(batch.area, self.ninhkieu)
        person = CasePerson.objects.current().get(case_code="BN9")
        self.assertEqual((person.area, identity_of("BN9")), (self.anhoa, IDENTITY))
        services.undo_import(batch, actor=self.health_officer)
        self.assert_case_untouched()

    def test_a_personal_only_edit_is_a_new_identity_version_and_undoable(self):
        edits.correct_fact(self.case, {"phone": "0909222222"}, actor=self.health_officer)
        self.assertEqual(identity_of("BN9")[1], "0909222222")
        self.assertEqual(identity_of("BN9")[0], "Trần Văn Chín")
        batch = CasePerson.objects.current().get(case_code="BN9").batch
        self.assertNotEqual(batch, self.original)
        services.undo_import(batch, actor=self.health_officer)
        self.assertEqual(identity_of("BN9"), IDENTITY)
