"""``vungxanh import KIND FILE``: the job, the report, the counts, the exit status, ``ncsc``.

``--wait --grace 0``: no worker runs in the tests, so the command runs its jobs itself.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.domain.tabular import CellError
from vungxanh.imports.problems import describe
from vungxanh.jobs.inline import run_queued_here
from vungxanh.jobs.models import Change, Job
from vungxanh.surveillance.models import DailyCount, ImportBatch
from vungxanh.surveillance.services import ImportCheck, ImportResult
from vungxanh.surveillance.tests.test_import_pages import DAILY_BAD_CSV, DAILY_CSV, FEB_31
from vungxanh.testing import BaseTestCase


class ImportCommandTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        folder = tempfile.TemporaryDirectory(prefix="vx-cli-")
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def file(self, text: str, name: str = "daily.csv") -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def run_import(self, *args, **options) -> str:
        """Run the command in English, so the assertions read the English messages."""
        out = io.StringIO()
        options = {"wait": True, "grace": 0, **options}
        with translation.override("en"):
            call_command("import", *args, stdout=out, stderr=io.StringIO(), **options)
        return out.getvalue()

    def test_a_valid_file_is_imported_and_counted(self):
        out = self.run_import("daily", self.file(DAILY_CSV))
        self.assertIn("2 rows: 2 new, 0 corrected, 0 unchanged.", out)
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.source, batch.actor_name), ("cli:import", "system"))
        self.assertEqual(AuditEntry.objects.get(action="import").source, "cli:import")
        self.assertEqual(DailyCount.objects.count(), 2)

    def test_importing_again_adds_nothing_and_succeeds(self):
        path = self.file(DAILY_CSV)
        self.run_import("daily", path)
        out = self.run_import("daily", path)
        self.assertIn("0 new, 0 corrected, 2 unchanged", out)
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_a_file_with_problems_is_reported_and_fails(self):
        out = io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command(
                "import", "daily", self.file(DAILY_BAD_CSV), wait=True, grace=0, stdout=out
            )
        self.assertIn("4", str(raised.exception))
        report = out.getvalue()
        for column in ("Ca cộng đồng", "Ca trong khu phong tỏa", "Ngày", "Địa bàn"):
            self.assertIn(column, report)
        error = CellError(3, "Ngày", "no_such_day", FEB_31)
        self.assertIn(describe(error), report)
        self.assertFalse(ImportBatch.objects.exists())
        self.assertFalse(AuditEntry.objects.exclude(action="submit").exists())  # the job's only

    def test_the_report_follows_the_active_language(self):
        error = CellError(3, "Ngày", "no_such_day", FEB_31)
        for lang in ("vi", "en"):
            with self.subTest(lang=lang), translation.override(lang):
                out = io.StringIO()
                with self.assertRaises(CommandError):
                    call_command(
                        "import", "daily", self.file(DAILY_BAD_CSV), wait=True, grace=0, stdout=out
                    )
                self.assertIn(describe(error), out.getvalue())

    def test_dry_run_writes_nothing(self):
        out = self.run_import("daily", self.file(DAILY_CSV), dry_run=True)
        self.assertIn("2 new", out)
        self.assertFalse(ImportBatch.objects.exists())
        with self.assertRaises(CommandError):
            self.run_import("daily", self.file(DAILY_BAD_CSV), dry_run=True)

    def test_valid_only_imports_the_good_rows(self):
        out = self.run_import("daily", self.file(DAILY_BAD_CSV), valid_only=True)
        self.assertIn("1 new", out)
        self.assertEqual(DailyCount.objects.get().area, self.anhoa)

    def test_user_and_series(self):
        with self.assertRaises(CommandError):  # Cái Khế is not An Hòa's
            self.run_import("daily", self.file(DAILY_CSV), user="anhoa_official")
        self.run_import("daily", self.file(DAILY_CSV), user="health_officer", series="cantho-doh")
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.actor, batch.series.code), (self.health_officer, "cantho-doh"))

    def test_clear_errors_for_bad_arguments(self):
        with self.assertRaisesMessage(CommandError, "nobody"):
            self.run_import("daily", self.file(DAILY_CSV), user="nobody")
        with self.assertRaisesMessage(CommandError, "missing.csv"):
            self.run_import("daily", str(self.folder / "missing.csv"))
        with self.assertRaises(CommandError):
            self.run_import("daily")
        with self.assertRaisesMessage(CommandError, "nope"):
            self.run_import("daily", self.file(DAILY_CSV), series="nope")

    def test_verbose_runs_print_the_job_and_its_progress(self):
        out = self.run_import("daily", self.file(DAILY_CSV), verbosity=2)
        job = Job.objects.get(task="imports.import")
        self.assertIn(str(job.pk), out)
        self.assertIn("write 60%", out)  # the phases, as the job ran here
        self.assertIn("done 100%", out)

    def test_without_wait_the_import_is_a_job_to_follow(self):
        out = self.run_import("daily", self.file(DAILY_CSV), wait=False)
        job = Job.objects.get(task="imports.import")
        self.assertEqual((job.status, job.source), (Job.Status.QUEUED, "cli:import"))
        self.assertIn(f"vungxanh jobs show {job.pk}", out)
        self.assertFalse(DailyCount.objects.exists())
        self.assertTrue(Path(job.params["path"]).exists())  # a copy: the worker reads it
        run_queued_here()  # a worker
        job.refresh_from_db()
        self.assertEqual((job.status, job.outcome["new"]), (Job.Status.DONE, 2))
        self.assertEqual(DailyCount.objects.count(), 2)
        self.assertFalse(Path(job.params["path"]).exists())

    def test_wait_returns_once_the_loop_has_run_for_the_import(self):
        with self.settings(VX_LOOP_INLINE=False):
            self.run_import("daily", self.file(DAILY_CSV))
        self.assertEqual(Job.objects.get(task="imports.import").status, Job.Status.DONE)
        self.assertFalse(Change.objects.filter(processed_at__isnull=True).exists())
        self.assertEqual(Job.objects.get(task="loop.drain").status, Job.Status.DONE)

    def test_more_positives_than_tests_is_a_cell_problem_not_a_traceback(self):
        tests = "Địa bàn,Ngày,Nhóm mẫu,Số mẫu xét nghiệm,Số mẫu dương tính\n"
        tests += "31120,23/09/2021,Cộng đồng,10,50\n"
        out = io.StringIO()
        with self.assertRaises(CommandError), translation.override("en"):
            call_command(
                "import", "tests", self.file(tests, "tests.csv"), wait=True, grace=0, stdout=out
            )
        self.assertIn("Số mẫu dương tính", out.getvalue())
        self.assertIn("cannot be more than “Số mẫu xét nghiệm” (10)", out.getvalue())
        self.assertFalse(ImportBatch.objects.exists())

    def test_ncsc_runs_the_loader(self):
        check = ImportCheck("daily", "ncsc", "0" * 64, rows=5, errors=[], new=5)
        fake = mock.Mock(return_value=ImportResult(check, None))
        with mock.patch("vungxanh.surveillance.loaders.load_ncsc", fake):
            out = self.run_import("ncsc")
        fake.assert_called_once_with(actor=None)
        self.assertTrue(out.strip())
