"""Readers are bounded (issue 9, findings 3, 9 and 10).

A file's real extent is read from the cells it holds, never from the extent its XLSX
``<dimension>`` declares; limits on size, rows, columns and cells refuse a file with a
clear message; the report lists the first problems of each column and counts the rest;
large files are checked in a background job, never inside the request; uploads are
private, deleted when their job ends or fails, and swept when old; a job whose runner died
is reported as failed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
import time
import tracemalloc
import zipfile
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from vungxanh.domain.tabular import MORE_PROBLEMS, CellError, count_problems
from vungxanh.imports import jobs, uploads
from vungxanh.imports.problems import as_rows, describe
from vungxanh.imports.readers import read_table
from vungxanh.jobs import runner
from vungxanh.jobs.inline import run_queued_here
from vungxanh.jobs.models import Job
from vungxanh.jobs.sweep import sweep
from vungxanh.surveillance import services
from vungxanh.surveillance.models import DailyCount
from vungxanh.surveillance.tests.test_import_pages import (
    DAILY_BAD_CSV,
    DAILY_CSV,
    TempMediaMixin,
    csv_upload,
)
from vungxanh.testing import BaseTestCase

HEADER = "Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa\n"
HEADER_CELLS = [
    ("A1", "Địa bàn"),
    ("B1", "Ngày"),
    ("C1", "Ca cộng đồng"),
    ("D1", "Ca trong khu phong tỏa"),
]
DATA_ROWS = [
    [("A2", "31120"), ("B2", "23/09/2021"), ("C2", 2), ("D2", 5)],
    [("A3", "31117"), ("B3", "23/09/2021"), ("C3", 0), ("D3", 1)],
    [("A4", "31120"), ("B4", "24/09/2021"), ("C4", 1), ("D4", 0)],
]
FAR_CELL = "XFD1048576"  # the last cell of a sheet: 1,048,576 rows × 16,384 columns


# -- workbooks written as XML, to declare any <dimension> ---------------------------------
def _cell(ref: str, value) -> str:
    if value is None:
        return f'<c r="{ref}" s="0"/>'  # formatted, but empty
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _sheet_xml(dimension: str, rows: list[list[tuple[str, object]]]) -> str:
    body = "".join(
        f'<row r="{"".join(c for c in cells[0][0] if c.isdigit())}">'
        + "".join(_cell(ref, value) for ref, value in cells)
        + "</row>"
        for cells in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )


def xlsx_from_xml(sheets: dict[str, tuple[str, list[list[tuple[str, object]]]]]) -> bytes:
    """Return a workbook of sheets given as title -> (declared dimension, rows of cells)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="{content_type}.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    sheet_list = "".join(
        f'<sheet name="{escape(title)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, title in enumerate(sheets, start=1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{content_type}.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{sheet_list}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}/relationships">{sheet_rels}</Relationships>',
        )
        for i, (dimension, rows) in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(dimension, rows))
    return buffer.getvalue()


def far_cell_xlsx() -> bytes:
    """The attack of finding 3: a header and one value at XFD1048576 (under 2 KB)."""
    return xlsx_from_xml({"Dữ liệu": (f"A1:{FAR_CELL}", [HEADER_CELLS, [(FAR_CELL, 1)]])})


def bad_rows_csv(count: int, first_day: dt.date | None = None) -> str:
    """``count`` rows, each with two bad cells (and, without ``first_day``, a repeated key)."""
    lines = []
    for index in range(count):
        day = first_day + dt.timedelta(days=index) if first_day else dt.date(2021, 9, 23)
        lines.append(f"31120,{day:%d/%m/%Y},-1,năm\n")
    return HEADER + "".join(lines)


def timed(work):
    """Return what ``work()`` returns, its seconds, and the peak of memory a second run takes.

    Memory is traced on a second run: tracing slows allocation severalfold.
    """
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


def english(error: CellError) -> str:
    with translation.override("en"):
        return describe(error)


# -- findings 3 and 9: the real extent ------------------------------------------------------
class ExtentTestCase(BaseTestCase):
    def test_a_value_at_the_last_cell_of_a_sheet_is_refused_at_once(self):
        data = far_cell_xlsx()
        self.assertLess(len(data), 5_000)
        check, elapsed, peak = timed(
            lambda: services.check_import("daily", data, "far.xlsx", actor=self.health_officer)
        )
        self.assertLess(elapsed, 2.0)
        self.assertLess(peak, 50 * 1024 * 1024)
        refusal = CellError(None, "", "too_many_rows", {"max": 1_000_000, "cell": FAR_CELL})
        self.assertEqual(check.errors, [refusal])  # the header was read: no other problem
        self.assertEqual(check.rows, 0)
        self.assertIn(FAR_CELL, english(refusal))
        self.assertIn("1,000,000", english(refusal))

    @override_settings(VX_IMPORT_MAX_ROWS=2_000_000, VX_IMPORT_MAX_COLUMNS=20_000)
    def test_within_the_limits_the_far_cell_is_read_without_scanning_the_space_between(self):
        data = far_cell_xlsx()
        table, elapsed, peak = timed(lambda: read_table(data, "far.xlsx"))
        self.assertLess(elapsed, 2.0)
        self.assertLess(peak, 100 * 1024 * 1024)
        self.assertEqual(table.errors, [])
        self.assertEqual(len(table.rows), 1_048_575)  # rows 2 to 1,048,576
        self.assertEqual(table.rows[-1][-1], 1)
        self.assertEqual(len(table.rows[-1]), 16_384)
        self.assertEqual(set(table.rows[:-1]), {()})  # nothing materialised in between

    def test_an_empty_formatted_cell_far_away_is_no_data(self):
        rows = [HEADER_CELLS, *DATA_ROWS, [(FAR_CELL, None)]]
        data = xlsx_from_xml({"Dữ liệu": (f"A1:{FAR_CELL}", rows)})
        started = time.perf_counter()
        check = services.check_import("daily", data, "styled.xlsx", actor=self.health_officer)
        self.assertLess(time.perf_counter() - started, 2.0)
        self.assertEqual((check.errors, check.rows, check.new), ([], 3, 3))

    def test_a_far_value_on_another_sheet_is_found_without_scanning(self):
        data = xlsx_from_xml(
            {
                "Dữ liệu": ("A1:D4", [HEADER_CELLS, *DATA_ROWS]),
                "Sheet2": (f"A1:{FAR_CELL}", [[(FAR_CELL, "x")]]),
            }
        )
        started = time.perf_counter()
        table = read_table(data, "two.xlsx")
        self.assertLess(time.perf_counter() - started, 2.0)
        self.assertEqual(table.errors, [CellError(None, "", "extra_sheet", {"sheet": "Sheet2"})])
        self.assertEqual(len(table.rows), 3)

    def test_rows_beyond_an_understated_dimension_are_read(self):
        data = xlsx_from_xml({"Dữ liệu": ("A1:D1", [HEADER_CELLS, *DATA_ROWS])})
        check = services.check_import("daily", data, "short.xlsx", actor=self.health_officer)
        self.assertEqual((check.errors, check.rows, check.new), ([], 3, 3))
        result = services.import_file("daily", data, "short.xlsx", actor=self.health_officer)
        self.assertEqual(DailyCount.objects.filter(batch=result.batch).count(), 3)

    def test_columns_beyond_an_understated_dimension_are_read(self):
        data = xlsx_from_xml({"Dữ liệu": ("A1:B4", [HEADER_CELLS, *DATA_ROWS])})
        table = read_table(data, "narrow.xlsx")
        self.assertEqual(table.header, [label for _ref, label in HEADER_CELLS])
        self.assertEqual(table.rows[0], ("31120", "23/09/2021", 2, 5))


# -- limits ---------------------------------------------------------------------------------
MEGABYTE = 1024 * 1024
ROW = "31120,23/09/2021,1,1\n"


class LimitsTestCase(TempMediaMixin, BaseTestCase):
    def uploads_left(self) -> list[str]:
        return self.uploads()

    def check(self, data: bytes | str, name: str = "daily.csv") -> services.ImportCheck:
        data = data.encode("utf-8") if isinstance(data, str) else data
        return services.check_import("daily", data, name, actor=self.health_officer)

    def assertRefused(self, check, code: str, params: dict, *phrases: str) -> None:
        refusals = [e for e in check.errors if e.code == code]
        self.assertEqual(refusals, [CellError(None, "", code, params)])
        for lang in ("vi", "en"):
            with translation.override(lang):
                text = describe(refusals[0])
            self.assertNotIn("%(", text)
            self.assertNotIn(code, text)  # a sentence, not the fallback naming the code
            for phrase in phrases:
                self.assertIn(phrase, text)

    @override_settings(VX_IMPORT_MAX_ROWS=2)
    def test_more_rows_than_allowed(self):
        check = self.check(DAILY_CSV + "31120,24/09/2021,1,1\n")
        self.assertRefused(check, "too_many_rows", {"max": 2, "cell": "D4"}, "D4", "2")
        self.assertEqual(check.rows, 0)
        self.assertEqual(self.check(DAILY_CSV).errors, [])  # two rows are allowed

    @override_settings(VX_IMPORT_MAX_COLUMNS=4)
    def test_more_columns_than_allowed(self):
        check = self.check(DAILY_CSV.replace("\n31117", ",,,,x\n31117"))
        self.assertRefused(check, "too_many_columns", {"max": 4, "cell": "H2"}, "H2", "4")

    @override_settings(VX_IMPORT_MAX_CELLS=10)
    def test_more_cells_than_allowed(self):
        check = self.check(DAILY_CSV)  # 12 cells, the header's included
        self.assertRefused(check, "too_many_cells", {"max": 10}, "10")

    @override_settings(VX_IMPORT_MAX_BYTES=MEGABYTE)
    def test_a_larger_file_than_allowed(self):
        check = self.check(HEADER + ROW * 60_000)  # 1.2 MB
        self.assertRefused(check, "too_large", {"max": MEGABYTE}, "1 MB")
        self.assertEqual(check.rows, 0)

    @override_settings(VX_IMPORT_MAX_BYTES=MEGABYTE)
    def test_the_upload_page_refuses_a_larger_file(self):
        self.client.force_login(self.health_officer)
        big = HEADER + ROW * 60_000
        response = self.client.post(
            reverse("imports:new"), {"kind": "daily", "file": csv_upload(big)}
        )
        with translation.override("vi"):
            message = describe(CellError(None, "", "too_large", {"max": MEGABYTE}))
        self.assertContains(response, message)
        self.assertEqual(self.uploads_left(), [])

    @override_settings(VX_IMPORT_MAX_BYTES=MEGABYTE)
    def test_the_api_refuses_a_larger_file_without_reading_it(self):
        self.client.force_login(self.health_officer)
        with mock.patch.object(services, "check_import") as check_import:
            response = self.client.post(
                reverse("api:import_create", args=["daily"]),
                {"file": csv_upload(HEADER + ROW * 60_000)},
                HTTP_ACCEPT_LANGUAGE="en",
            )
        self.assertEqual(response.status_code, 422)
        check_import.assert_not_called()
        self.assertEqual([p["code"] for p in response.json()["problems"]], ["too_large"])
        self.assertEqual(DailyCount.objects.count(), 0)

    @override_settings(VX_IMPORT_MAX_UNPACKED_BYTES=MEGABYTE)
    def test_a_workbook_that_unpacks_beyond_the_limit(self):
        rows = [HEADER_CELLS] + [
            [(f"A{n}", "31120"), (f"B{n}", "23/09/2021"), (f"C{n}", 1), (f"D{n}", 1)]
            for n in range(2, 20_000)
        ]
        data = xlsx_from_xml({"Dữ liệu": ("A1:D2", rows)})
        self.assertLess(len(data), MEGABYTE)  # small packed, large unpacked
        check = self.check(data, "packed.xlsx")
        self.assertRefused(check, "too_large_unpacked", {"max": MEGABYTE}, "1 MB")

    def test_a_csv_the_csv_module_cannot_read_is_a_problem_not_an_error_page(self):
        huge_cell = "x" * 200_000  # beyond the csv module's field limit
        check = self.check(DAILY_CSV + f'31120,"{huge_cell}",1,1\n')
        self.assertRefused(check, "unreadable_csv", {"line": 4}, "4")


# -- the report -----------------------------------------------------------------------------
class ReportBoundsTestCase(TempMediaMixin, BaseTestCase):
    def test_200000_bad_rows_are_reported_in_a_page_with_counts(self):
        data = bad_rows_csv(200_000).encode("utf-8")
        check = services.check_import("daily", data, "bad.csv", actor=self.health_officer)
        listed = [e for e in check.errors if e.code != MORE_PROBLEMS]
        counted = {e.column: e.params["count"] for e in check.errors if e.code == MORE_PROBLEMS}
        per_column: dict[str, int] = {}
        for error in listed:
            per_column[error.column] = per_column.get(error.column, 0) + 1
        self.assertEqual(
            per_column, {"Ca cộng đồng": 100, "Ca trong khu phong tỏa": 100, "Địa bàn": 100}
        )
        self.assertEqual(listed[0].row, 2)  # the first problems, in row order
        # Every row has two bad counts; every row but the first repeats the first's key.
        self.assertEqual(
            counted,
            {"Ca cộng đồng": 199_900, "Ca trong khu phong tỏa": 199_900, "Địa bàn": 199_899},
        )
        self.assertEqual(count_problems(check.errors), 599_999)
        self.assertEqual(check.rejected_rows, 200_000)
        with translation.override("en"):
            report = as_rows(check.errors)
        self.assertLess(len(json.dumps(report, ensure_ascii=False)), 200_000)
        self.assertEqual(
            report[-3]["message"],
            "199,900 more problems in this column are not listed: correct the ones above, "
            "then check the file again.",
        )
        self.assertEqual(report[-3]["where"], "column ‘Ca cộng đồng’")

    def small_bad_file(self) -> str:
        return (
            bad_rows_csv(10, dt.date(2021, 9, 1)) + "31120,23/09/2021,1,1\n31117,23/09/2021,0,2\n"
        )

    @override_settings(VX_IMPORT_PROBLEMS_PER_COLUMN=2)
    def test_importing_the_valid_rows_leaves_out_the_unlisted_bad_rows_too(self):
        data = self.small_bad_file().encode("utf-8")
        result = services.import_file(
            "daily", data, "bad.csv", actor=self.health_officer, valid_only=True
        )
        self.assertEqual(len([e for e in result.check.errors if e.code != MORE_PROBLEMS]), 4)
        self.assertEqual(DailyCount.objects.count(), 2)
        self.assertEqual(result.batch.rows_rejected, 10)

    @override_settings(VX_IMPORT_PROBLEMS_PER_COLUMN=2)
    def test_the_api_lists_the_first_problems_and_counts_the_rest(self):
        self.client.force_login(self.health_officer)
        response = self.client.post(
            reverse("api:import_create", args=["daily"]),
            {"file": csv_upload(self.small_bad_file()), "dry_run": "true"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 422)
        problems = response.json()["problems"]
        self.assertEqual(len(problems), 6)
        more = [p for p in problems if p["code"] == MORE_PROBLEMS]
        self.assertEqual([(p["row"], p["column"]) for p in more][0], (None, "Ca cộng đồng"))
        self.assertEqual(len(more), 2)
        self.assertIn("8", more[0]["message"])

    @override_settings(VX_IMPORT_PROBLEMS_PER_COLUMN=2)
    def test_the_command_line_lists_the_first_problems_and_counts_them_all(self):
        path = self.media / "bad.csv"
        path.write_text(self.small_bad_file(), encoding="utf-8")
        out = io.StringIO()
        with translation.override("en"), self.assertRaises(CommandError) as raised:
            call_command("import", "daily", str(path), "--dry-run", stdout=out)
        self.assertIn("8 more problems in this column are not listed", out.getvalue())
        self.assertIn("20 problems", str(raised.exception))

    @override_settings(VX_IMPORT_PROBLEMS_PER_COLUMN=2)
    def test_the_preview_page_lists_the_first_problems_and_counts_them_all(self):
        self.client.force_login(self.health_officer)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.post(
            reverse("imports:new"), {"kind": "daily", "file": csv_upload(self.small_bad_file())}
        )
        self.assertEqual(len(response.context["problems"]), 6)
        self.assertContains(response, "20 problems found")
        self.assertContains(response, "8 more problems in this column are not listed")


# -- finding 10: jobs and uploads --------------------------------------------------------------
class BackgroundTestCase(TempMediaMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.health_officer)

    def upload(self, text: str, **form):
        return self.client.post(
            reverse("imports:new"), {"kind": "daily", "file": csv_upload(text), **form}
        )

    def upload_path(self) -> Path:
        [name] = self.uploads()
        return self.media / "uploads" / name

    def queued(self) -> list[Job]:
        return list(Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at"))

    def test_uploads_are_readable_by_this_account_only(self):
        self.upload(DAILY_CSV)
        self.assertEqual(stat.S_IMODE(self.upload_path().stat().st_mode), 0o600)
        self.assertEqual(stat.S_IMODE((self.media / "uploads").stat().st_mode), 0o700)

    @override_settings(VX_IMPORT_INLINE_BYTES=10)
    def test_a_large_file_is_checked_in_a_job_then_imported_in_another(self):
        with mock.patch.object(services, "check_import", wraps=services.check_import) as check:
            response = self.upload(DAILY_CSV)
            check.assert_not_called()  # nothing parsed inside the request
        [job] = self.queued()
        self.assertEqual(job.task, jobs.CHECK_TASK)
        self.assertRedirects(response, reverse("imports:job", args=[job.pk]))
        self.assertContains(self.client.get(response["Location"]), "<progress")

        run_queued_here()  # what a worker does

        job.refresh_from_db()
        self.assertEqual(job.outcome["preview"]["new"], 2)  # the preview is the job's
        poll = self.client.get(reverse("imports:job_progress", args=[job.pk]))
        self.assertEqual(poll["HX-Redirect"], reverse("imports:job", args=[job.pk]))
        preview = self.client.get(reverse("imports:job", args=[job.pk]))
        self.assertEqual((preview.context["check"].rows, preview.context["check"].new), (2, 2))
        self.assertEqual(len(self.uploads()), 1)  # kept for the confirmation
        form = preview.context["confirm"]
        values = {name: form.initial[name] for name in form.fields}
        values["valid_only"] = ""
        self.client.post(reverse("imports:confirm"), values)
        [imported] = self.queued()
        self.assertEqual(imported.task, jobs.IMPORT_TASK)
        run_queued_here()
        self.assertEqual(DailyCount.objects.count(), 2)
        self.assertEqual(self.uploads(), [])

    @override_settings(VX_IMPORT_INLINE_BYTES=10)
    def test_a_large_file_with_problems_is_reported_and_its_upload_deleted(self):
        self.upload(DAILY_BAD_CSV)
        [job] = self.queued()
        run_queued_here()
        self.assertEqual(self.uploads(), [])
        page = self.client.get(reverse("imports:job", args=[job.pk]))
        self.assertEqual(len(page.context["problems"]), 4)
        self.assertIsNone(page.context["confirm"])

    @override_settings(VX_IMPORT_INLINE_BYTES=10)
    def test_the_upload_is_deleted_when_a_check_fails(self):
        self.upload(DAILY_CSV)
        [job] = self.queued()
        with mock.patch.object(services, "check_import", side_effect=RuntimeError("boom")):
            run_queued_here()
        self.assertEqual(self.uploads(), [])
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)

    def test_the_upload_is_deleted_when_an_import_fails(self):
        path = uploads.keep("a" * 64, DAILY_CSV.encode())
        job = jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        with mock.patch.object(services, "import_file", side_effect=RuntimeError("boom")):
            run_queued_here()
        self.assertFalse(path.exists())
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertNotIn("boom", job.error)  # logged for the administrator, not shown

    def test_a_job_whose_worker_died_is_run_again_by_the_sweep_with_its_upload(self):
        path = uploads.keep("b" * 64, DAILY_CSV.encode())
        job = jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        # A worker claimed it, then was killed: its process is gone, its writes rolled back.
        runner.claim(job.pk)
        Job.objects.filter(pk=job.pk).update(worker="elsewhere:1", heartbeat_at=None)
        self.assertTrue(path.exists())  # the retry needs it
        with mock.patch("vungxanh.jobs.sweep.dispatch"):
            sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.QUEUED)
        run_queued_here()
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (Job.Status.DONE, 2))
        self.assertEqual(DailyCount.objects.count(), 2)
        self.assertFalse(path.exists())

    @override_settings(VX_UPLOAD_KEEP_MINUTES=30)
    def test_old_uploads_are_swept_when_a_file_is_uploaded(self):
        folder = uploads.folder()
        old, recent = folder / ("c" * 64), folder / ("d" * 64)
        for path, minutes in ((old, 31), (recent, 5)):
            path.write_bytes(b"names, phones")
            moment = time.time() - minutes * 60
            os.utime(path, (moment, moment))
        self.upload(DAILY_BAD_CSV)  # a file with problems: itself not kept
        self.assertEqual(self.uploads(), [recent.name])

    @override_settings(VX_UPLOAD_KEEP_MINUTES=30)
    def test_old_uploads_are_swept_when_a_job_starts(self):
        old = uploads.folder() / ("e" * 64)
        old.write_bytes(b"names, phones")
        moment = time.time() - 31 * 60
        os.utime(old, (moment, moment))
        path = uploads.folder() / "fresh"
        path.write_bytes(DAILY_CSV.encode())
        jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        self.assertEqual(self.uploads(), ["fresh"])

    @override_settings(VX_UPLOAD_KEEP_MINUTES=30)
    def test_the_upload_of_a_job_waiting_for_a_worker_is_not_swept(self):
        path = uploads.keep("f" * 64, DAILY_CSV.encode())
        job = jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        moment = time.time() - 31 * 60  # no worker for half an hour
        os.utime(path, (moment, moment))
        self.upload(DAILY_BAD_CSV)  # sweeps
        self.assertTrue(path.exists())
        run_queued_here()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.DONE)


class ProblemSentencesTestCase(BaseTestCase):
    CODES = {
        "too_large": {"max": 200 * 1024 * 1024},
        "too_large_unpacked": {"max": 1024 * 1024 * 1024},
        "too_many_rows": {"max": 1_000_000, "cell": FAR_CELL},
        "too_many_columns": {"max": 200, "cell": "HA2"},
        "too_many_cells": {"max": 20_000_000},
        "unreadable_csv": {"line": 4},
        MORE_PROBLEMS: {"count": 199_900},
    }

    def test_every_new_code_has_a_sentence_in_both_languages(self):
        for code, params in self.CODES.items():
            for lang in ("vi", "en"):
                with self.subTest(code=code, lang=lang), translation.override(lang):
                    text = describe(CellError(None, "Ngày", code, params))
                    fallback = translation.gettext("Problem “%(code)s”.") % {"code": code}
                    self.assertNotEqual(text, fallback)
                    self.assertNotIn("%(", text)
