"""Importing establishments from a file: report by row and column, all-or-nothing,
deduplicated by tax code, idempotent, scoped, set-based."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from vungxanh.audit.models import AuditEntry
from vungxanh.economy import services
from vungxanh.economy.models import Establishment, EstablishmentImport
from vungxanh.economy.tests.world import EconomyTestCase, tax_code, values
from vungxanh.imports import registry
from vungxanh.imports.problems import as_rows
from vungxanh.imports.xlsx_templates import template_csv

HEADER = "Mã số thuế,Tên cơ sở,Loại hình,Mã ngành VSIC,Phường/xã,Số lao động,Hàng thiết yếu,Mặt hàng thiết yếu\n"


def row(n: int, ward="31120", vsic="47112", workers="3", code=None, name=None) -> str:
    code = tax_code(n) if code is None else code
    name = name or f"Tạp hóa số {n}"
    return f"{code},{name},Hộ kinh doanh,{vsic},{ward},{workers},Có,Gạo\n"


GOOD = HEADER + row(1) + row(2, ward="Phường Cái Khế") + row(3, vsic="4290")


def run(text: str, actor, **options):
    return services.import_file(
        "establishments", text.encode(), "co-so.csv", actor=actor, **options
    )


def problems(result) -> list[tuple]:
    with translation.override("en"):
        return [
            (p["row"], p["column"], p["code"], p["message"]) for p in as_rows(result.check.errors)
        ]


class ImportTestCase(EconomyTestCase):
    def test_the_kind_is_registered_with_its_template(self):
        kind = registry.kind("establishments")
        self.assertEqual(kind.model_label, "economy.establishment")
        self.assertTrue(template_csv("establishments").decode("utf-8-sig").startswith("Mã số thuế"))

    def test_a_valid_file_is_imported_set_based_and_audited_once(self):
        with CaptureQueriesContext(connection) as queries:
            result = run(GOOD, self.district_steering)
        self.assertTrue(result.written, problems(result))
        self.assertEqual(Establishment.objects.count(), 3)
        caikhe = Establishment.objects.get(tax_code=tax_code(2))
        self.assertEqual(
            (caikhe.ward, caikhe.kind, caikhe.goods), (self.caikhe, "household", "Gạo")
        )
        self.assertEqual(Establishment.objects.get(tax_code=tax_code(3)).section, "F")
        inserts = [
            q
            for q in queries.captured_queries
            if q["sql"].startswith('INSERT INTO "economy_establishment"')
        ]
        self.assertEqual(len(inserts), 1)  # one bulk insert, no per-row save
        batch = EstablishmentImport.objects.get()
        self.assertEqual((batch.created, batch.changed, batch.area), (3, 0, self.ninhkieu))
        entry = AuditEntry.objects.get(action="import")
        self.assertEqual(sorted(entry.after["new"]), sorted(tax_code(n) for n in (1, 2, 3)))

    def test_importing_the_same_file_again_writes_nothing(self):
        run(GOOD, self.district_steering)
        before = list(Establishment.objects.values_list("pk", "updated_at"))
        again = run(GOOD, self.district_steering)
        self.assertFalse(again.written)
        self.assertEqual((again.check.new, again.check.corrected, again.check.unchanged), (0, 0, 3))
        self.assertEqual(list(Establishment.objects.values_list("pk", "updated_at")), before)
        self.assertEqual(AuditEntry.objects.filter(action="import").count(), 1)
        self.assertEqual(EstablishmentImport.objects.count(), 1)

    def test_a_changed_row_updates_only_its_establishment(self):
        run(GOOD, self.district_steering)
        untouched = Establishment.objects.get(tax_code=tax_code(1)).updated_at
        changed = (
            HEADER + row(1) + row(2, ward="Phường Cái Khế", workers="40") + row(3, vsic="4290")
        )
        result = run(changed, self.district_steering)
        self.assertEqual(
            (result.check.new, result.check.corrected, result.check.unchanged), (0, 1, 2)
        )
        self.assertEqual(Establishment.objects.get(tax_code=tax_code(2)).workers, 40)
        self.assertEqual(Establishment.objects.get(tax_code=tax_code(1)).updated_at, untouched)
        entry = AuditEntry.objects.filter(action="import").latest("pk")
        pk = str(Establishment.objects.get(tax_code=tax_code(2)).pk)
        self.assertEqual(
            (entry.before[pk]["workers"], entry.after["changed"][pk]["workers"]), (3, 40)
        )

    def test_the_same_code_without_dash_or_with_spaces_is_one_establishment(self):
        services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(1, tax_code=tax_code(1) + "-001")
        )
        text = HEADER + row(1, code=tax_code(1) + "001", name="Tạp hóa số 1")
        result = run(text, self.anhoa_official)
        self.assertEqual(
            (result.check.new, result.check.unchanged + result.check.corrected), (0, 1)
        )

    def test_each_bad_cell_is_reported_and_nothing_is_written(self):
        bad_digit = tax_code(4)[:9] + str((int(tax_code(4)[9]) + 1) % 10)
        text = (
            HEADER
            + row(1)
            + row(2, code=bad_digit)
            + row(3, vsic="47110")
            + row(5, ward="Phường Không Có")
            + row(6, ward="916")
            + row(7, workers="300000")
            + row(8, code="12345")
        )
        result = run(text, self.district_steering)
        self.assertFalse(result.written)
        found = {(r, column, code) for r, column, code, _m in problems(result)}
        self.assertEqual(
            found,
            {
                (3, "Mã số thuế", "tax_code_checksum"),
                (4, "Mã ngành VSIC", "vsic_unknown"),
                (5, "Phường/xã", "unknown_area"),
                (6, "Phường/xã", "not_a_ward"),
                (7, "Số lao động", "above_maximum"),
                (8, "Mã số thuế", "tax_code_length"),
            },
        )
        messages = {code: message for _r, _c, code, message in problems(result)}
        self.assertIn("check digit", messages["tax_code_checksum"])
        self.assertIn("47110 is not a code of VSIC 2018", messages["vsic_unknown"])
        self.assertIn("is not a ward or commune", messages["not_a_ward"])
        self.assertFalse(Establishment.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_valid_only_imports_the_good_rows(self):
        text = HEADER + row(1) + row(2, vsic="99999")
        result = run(text, self.district_steering, valid_only=True)
        self.assertTrue(result.written)
        self.assertEqual(
            list(Establishment.objects.values_list("tax_code", flat=True)), [tax_code(1)]
        )

    def test_a_conflicting_duplicate_is_a_row_problem_an_identical_one_is_not(self):
        same = run(HEADER + row(1) + row(1), self.anhoa_official)
        self.assertEqual((same.check.new, same.check.errors), (1, []))
        Establishment.objects.all().delete()
        conflicting = run(HEADER + row(1) + row(1, workers="9"), self.anhoa_official)
        self.assertFalse(conflicting.written)
        [(r, column, code, message)] = problems(conflicting)
        self.assertEqual((r, column, code), (3, "Mã số thuế", "conflicting_duplicate"))
        self.assertIn("row 2", message)

    def test_a_missing_ward_column_is_named(self):
        text = (
            "Mã số thuế,Tên cơ sở,Loại hình,Mã ngành VSIC\n"
            + f"{tax_code(1)},A,Doanh nghiệp,4711\n"
        )
        result = run(text, self.anhoa_official)
        self.assertIn((1, "Phường/xã", "missing_column"), {p[:3] for p in problems(result)})
        self.assertFalse(Establishment.objects.exists())

    def test_an_empty_ward_cell_is_required(self):
        result = run(HEADER + row(1, ward=""), self.anhoa_official)
        self.assertIn((2, "Phường/xã", "required"), {p[:3] for p in problems(result)})

    def test_another_ward_cannot_import_into_a_ward_not_theirs(self):
        result = run(HEADER + row(1, ward="31120"), self.caikhe_official)
        self.assertFalse(result.written)
        self.assertEqual([p[2] for p in problems(result)], ["unknown_area"])

    def test_a_tax_code_stored_in_another_ward_is_not_revealed_nor_changed(self):
        services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **values(1))
        result = run(HEADER + row(1, ward="31117", name="Đổi tên"), self.caikhe_official)
        self.assertFalse(result.written)
        [(r, column, code, message)] = problems(result)
        self.assertEqual((r, code), (2, "tax_code_unavailable"))
        self.assertNotIn("An Hòa", message)
        self.assertEqual(Establishment.objects.get().name, "Tạp hóa số 1")

    def test_an_xlsx_file_with_numbers_and_flags_is_read(self):
        book = Workbook()
        sheet = book.active
        sheet.title = "Dữ liệu"
        sheet.append(
            [
                "Mã số thuế",
                "Tên cơ sở",
                "Loại hình",
                "Mã ngành VSIC",
                "Phường/xã",
                "Số lao động",
                "Công trình đầu tư công",
                "Chủ đầu tư",
            ]
        )
        sheet.append(
            [
                tax_code(1),
                "Công ty Xây dựng A",
                "Doanh nghiệp",
                4210,
                31120,
                120,
                "Có",
                "Ban QLDA ĐTXD thành phố Cần Thơ",
            ]
        )
        buffer = io.BytesIO()
        book.save(buffer)
        result = services.import_file(
            "establishments", buffer.getvalue(), "a.xlsx", actor=self.anhoa_official
        )
        self.assertTrue(result.written, problems(result))
        works = Establishment.objects.get()
        self.assertEqual((works.vsic_code, works.section, works.workers), ("4210", "F", 120))
        self.assertTrue(works.public_investment)


class ImportPagesTestCase(EconomyTestCase):
    """The shared import pages take the establishments kind: preview, problems, confirm."""

    def upload(self, text: str):
        upload = SimpleUploadedFile("co-so.csv", text.encode())
        return self.client.post(reverse("imports:new"), {"kind": "establishments", "file": upload})

    def test_preview_lists_problems_by_row_and_column_and_writes_nothing(self):
        self.client.force_login(self.anhoa_official)
        response = self.upload(HEADER + row(1) + row(2, vsic="47110"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-row="3" data-code="vsic_unknown"')
        self.assertIsNone(response.context["confirm"])
        self.assertFalse(Establishment.objects.exists())

    def test_a_good_file_is_previewed_then_imported_on_confirm(self):
        self.client.force_login(self.anhoa_official)
        preview = self.upload(HEADER + row(1) + row(2))
        self.assertEqual(preview.context["check"].new, 2)
        self.assertFalse(Establishment.objects.exists())  # the preview writes nothing
        confirm = preview.context["confirm"].initial
        response = self.client.post(reverse("imports:confirm"), confirm)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Establishment.objects.count(), 2)
        self.assertEqual(AuditEntry.objects.filter(action="import").count(), 1)
