"""Twenty planted errors in two workbooks: each reported by row and column, nothing written.

The case list carries what only a line list can (duplicate case codes, a missing column,
a bad choice); the daily counts carry the rest (negative counts, text in a number column,
merged cells, an extra sheet, an unknown column). Fixed, both import completely; imported
again, they add nothing.
"""

from __future__ import annotations

import datetime as dt
import io

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from vungxanh.audit.models import AuditEntry
from vungxanh.imports.problems import describe
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CaseRecord, DailyCount, ImportBatch
from vungxanh.surveillance.tests.test_import_pages import TempMediaMixin, xlsx_bytes
from vungxanh.testing import BaseTestCase

D = dt.date
CASE_HEADER = ["Mã ca bệnh", "Địa bàn", "Ngày xác nhận", "Ngày khởi phát", "Nhóm tuổi", "Giới tính"]
BAD_CASES = [
    CASE_HEADER,  # row 1: "Nơi phát hiện" is missing
    ["BN100", "31120", D(2021, 9, 23), D(2021, 9, 20), "18-49", "Nữ"],
    ["BN101", "31120", "31/02/2021", None, "50-64", "Nam"],
    ["BN102", "31117", "hôm qua", None, None, None],
    ["BN103", "Phường Không Có", D(2021, 9, 23), None, None, None],
    ["BN104", "Phuong An Hoa x", D(2021, 9, 23), None, None, None],
    ["BN100", "31117", D(2021, 9, 24), None, None, None],
    ["BN105", "31120", D(2021, 9, 23), "15/13/2021", None, None],
    ["BN106", "31120", D(2021, 9, 23), None, "già", None],
    ["BN107", "31120", D(2019, 1, 1), None, None, None],
    [None, "31120", D(2021, 9, 23), None, None, "Nữ"],
]
CASE_ERRORS = {
    (1, "Nơi phát hiện", "missing_column"),
    (3, "Ngày xác nhận", "no_such_day"),  # 31/02: February has 28 days
    (4, "Ngày xác nhận", "not_a_date"),
    (5, "Địa bàn", "unknown_area"),
    (6, "Địa bàn", "unknown_area"),
    (7, "Mã ca bệnh", "duplicate_in_file"),
    (8, "Ngày khởi phát", "no_such_month"),  # 15/13
    (9, "Nhóm tuổi", "not_a_choice"),
    (10, "Ngày xác nhận", "date_out_of_range"),
    (11, "Mã ca bệnh", "required"),
}
FIXED_CASES = [
    [*CASE_HEADER, "Nơi phát hiện"],
    ["BN100", "31120", D(2021, 9, 23), D(2021, 9, 20), "18-49", "Nữ", "Khu phong tỏa"],
    ["BN101", "31120", "28/02/2021", None, "50-64", "Nam", "Cộng đồng"],
    ["BN102", "31117", "22/09/2021", None, None, None, "Khu cách ly"],
    ["BN103", "31117", D(2021, 9, 23), None, None, None, "cách ly tại nhà"],
    ["BN104", "Phường An Hòa", D(2021, 9, 23), None, None, None, "Cộng đồng"],
    ["BN108", "31117", D(2021, 9, 24), None, None, None, "Khu phong tỏa"],
    ["BN105", "31120", D(2021, 9, 23), "15/09/2021", None, None, "Khu phong tỏa"],
    ["BN106", "31120", D(2021, 9, 23), None, "65+", None, "Nhập cảnh"],
    ["BN107", "31120", D(2021, 1, 1), None, None, None, "Không rõ"],
    ["BN109", "31120", D(2021, 9, 23), None, None, "Nữ", "Khu phong tỏa"],
]

DAILY_HEADER = [
    "Địa bàn",
    "Ngày",
    "Ca cộng đồng",
    "Ca trong khu cách ly",
    "Ca cách ly tại nhà",
    "Ca trong khu phong tỏa",
    "Tử vong",
]
BAD_DAILY = [
    [*DAILY_HEADER, "Ghi chú"],  # row 1: an unknown column
    ["31120", D(2021, 9, 20), 2, 1, 0, 5, 0, "ok"],
    ["31120", D(2021, 9, 21), "-3", 1, 0, 5, 0, None],
    ["31120", D(2021, 9, 22), 2, 1, 0, 5, -1, None],
    ["31120", D(2021, 9, 23), 2, 4, 0, 5, 0, None],  # C5:D5 merged below
    ["31117", D(2021, 9, 20), 0, 0, 0, "năm", 0, None],
    ["31117", D(2021, 9, 21), 2.5, 0, 0, 1, 0, None],
    ["31117", "32/08/2021", 1, 0, 0, 1, 0, None],
    ["31120", D(2021, 9, 20), 3, 1, 0, 5, 0, "again"],
    ["Phường Hưng Phú", D(2021, 9, 20), 1, 0, 0, 0, 0, None],
]
DAILY_ERRORS = {
    (None, "", "extra_sheet"),
    (1, "Ghi chú", "unknown_column"),
    (3, "Ca cộng đồng", "below_minimum"),
    (4, "Tử vong", "below_minimum"),
    (5, "C5:D5", "merged_cells"),
    (6, "Ca trong khu phong tỏa", "not_a_whole_number"),
    (7, "Ca cộng đồng", "not_a_whole_number"),
    (8, "Ngày", "no_such_day"),  # 32/08
    (9, "Địa bàn", "duplicate_in_file"),
    (10, "Địa bàn", "unknown_area"),
}
FIXED_DAILY = [
    DAILY_HEADER,
    ["31120", D(2021, 9, 20), 2, 1, 0, 5, 0],
    ["31120", D(2021, 9, 21), "3", 1, 0, 5, 0],
    ["31120", D(2021, 9, 22), 2, 1, 0, 5, 1],
    ["31120", D(2021, 9, 23), 2, 4, 0, 5, 0],
    ["31117", D(2021, 9, 20), 0, 0, 0, "5", 0],
    ["31117", D(2021, 9, 21), 2, 0, 0, 1, 0],
    ["31117", "31/08/2021", 1, 0, 0, 1, 0],
    ["31120", D(2021, 9, 24), 3, 1, 0, 5, 0],
    ["Phường Cái Khế", D(2021, 9, 25), 1, 0, 0, 0, 0],
]
GUIDE = [["Hướng dẫn"], ["Trang này không được nhập."]]


def bad_cases() -> bytes:
    return xlsx_bytes({"Dữ liệu": BAD_CASES, "Hướng dẫn": GUIDE})


def bad_daily() -> bytes:
    sheets = {"Dữ liệu": BAD_DAILY, "Hướng dẫn": GUIDE, "Sheet2": [["Ghi chú"], ["ca mới"]]}
    return xlsx_bytes(sheets, merged={"Dữ liệu": ["C5:D5"]})


PLANTED = {"cases": (bad_cases, CASE_ERRORS), "daily": (bad_daily, DAILY_ERRORS)}


def surveillance_counts() -> dict[str, int]:
    models = apps.get_app_config("surveillance").get_models()
    return {m._meta.label: m.objects.count() for m in models}


class PlantedErrorsTestCase(TempMediaMixin, BaseTestCase):
    def test_there_are_twenty_planted_errors(self):
        self.assertEqual(len(CASE_ERRORS) + len(DAILY_ERRORS), 20)

    def test_each_error_is_named_by_row_column_and_code(self):
        for kind, (build, expected) in PLANTED.items():
            with self.subTest(kind=kind):
                check = services.check_import(
                    kind, build(), f"{kind}.xlsx", actor=self.health_officer
                )
                found = [(e.row, e.column, e.code) for e in check.errors]
                self.assertEqual(len(found), len(expected), found)
                self.assertEqual(set(found), expected)

    def test_the_near_miss_ward_gets_a_suggestion_and_the_bad_choice_the_list(self):
        check = services.check_import("cases", bad_cases(), "c.xlsx", actor=self.health_officer)
        by_place = {(e.row, e.code): e for e in check.errors}
        self.assertIn("Phường An Hòa", describe(by_place[(6, "unknown_area")]))
        self.assertNotIn("?", describe(by_place[(5, "unknown_area")]))
        choices = describe(by_place[(9, "not_a_choice")])
        for band in ("0-4", "18-49", "65+"):
            self.assertIn(band, choices)

    def test_the_page_reports_every_error_and_nothing_is_written(self):
        before = surveillance_counts()
        self.client.force_login(self.health_officer)
        for kind, (build, expected) in PLANTED.items():
            with self.subTest(kind=kind):
                response = self.client.post(
                    reverse("imports:new"),
                    {"kind": kind, "file": _upload(f"{kind}.xlsx", build())},
                )
                shown = {(p["row"], p["column"], p["code"]) for p in response.context["problems"]}
                self.assertEqual(shown, expected)
                for problem in response.context["problems"]:
                    self.assertContains(response, problem["where"])
                    self.assertContains(response, problem["message"])
                self.assertIsNone(response.context["confirm"])
        self.assertEqual(surveillance_counts(), before)

    def test_no_interface_writes_anything(self):
        before = surveillance_counts()
        self.client.force_login(self.health_officer)
        for kind, (build, _expected) in PLANTED.items():
            result = services.import_file(kind, build(), "f.xlsx", actor=self.health_officer)
            self.assertFalse(result.written)
            api = self.client.post(
                reverse("api:import_create", args=[kind]), {"file": _upload("f.xlsx", build())}
            )
            self.assertEqual(api.status_code, 422)
            self.assertEqual(len(api.json()["problems"]), 10)
            path = self.media / f"{kind}.xlsx"
            path.write_bytes(build())
            with self.assertRaises(CommandError):
                call_command("import", kind, str(path), wait=True, grace=0, stdout=io.StringIO())
        self.assertEqual(surveillance_counts(), before)
        self.assertFalse(ImportBatch.objects.exists())
        self.assertFalse(AuditEntry.objects.exclude(action="submit").exists())  # jobs only

    def test_the_fixed_files_import_completely_and_only_once(self):
        fixed = {
            "cases": xlsx_bytes({"Dữ liệu": FIXED_CASES, "Hướng dẫn": GUIDE}),
            "daily": xlsx_bytes({"Dữ liệu": FIXED_DAILY, "Hướng dẫn": GUIDE}),
        }
        for kind, data in fixed.items():
            result = services.import_file(kind, data, f"{kind}.xlsx", actor=self.health_officer)
            self.assertTrue(
                result.written, [(e.row, e.column, e.code) for e in result.check.errors]
            )
            self.assertEqual(result.check.new, 10 if kind == "cases" else 9)
        self.assertEqual(CaseRecord.objects.count(), 10)
        self.assertEqual(DailyCount.objects.count(), 9)
        self.assertEqual(
            CaseRecord.objects.get(case_code="BN104").area, self.anhoa
        )  # the name, fixed
        self.assertEqual(AuditEntry.objects.filter(action="import").count(), 2)
        counts = surveillance_counts()
        for kind, data in fixed.items():
            again = services.import_file(kind, data, f"{kind}.xlsx", actor=self.health_officer)
            self.assertFalse(again.written)
            self.assertEqual((again.check.new, again.check.corrected), (0, 0))
        self.assertEqual(surveillance_counts(), counts)
        self.assertEqual(AuditEntry.objects.filter(action="import").count(), 2)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
