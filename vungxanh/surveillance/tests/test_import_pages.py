"""Import pages: history, upload → preview → confirm, undo, background jobs, templates."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from vungxanh.audit.models import AuditEntry
from vungxanh.domain.tabular import CellError
from vungxanh.imports import jobs
from vungxanh.imports.problems import describe, where
from vungxanh.jobs import runner
from vungxanh.jobs.inline import run_queued_here
from vungxanh.jobs.models import Job
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CasePerson, DailyCount, ImportBatch, Series
from vungxanh.surveillance.specs import DETECTION_WORDS
from vungxanh.testing import BaseTestCase

DAILY_CSV = (
    "Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa\n31120,23/09/2021,2,5\n31117,23/09/2021,0,1\n"
)
DAILY_BAD_CSV = (
    "Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa\n"
    "31120,23/09/2021,2,5\n"
    "Phuong An Hoa x,31/02/2021,-1,năm\n"
)
# The day of DAILY_BAD_CSV that does not exist, as the validator reports it.
FEB_31 = {"value": "31/02/2021", "month": 2, "year": 2021, "days": 28}


def csv_upload(text: str, name: str = "daily.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_bytes(sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> bytes:
    """Return a workbook with one sheet per item (rows of values), cells merged as asked."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for ref in (merged or {}).get(title, []):
            sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def phase(text: str) -> str:
    """The phase ``text`` as the progress fragment shows it (the pages are in Vietnamese)."""
    with translation.override("vi"):
        return f'data-testid="phase">{translation.gettext(text)}</p>'


def in_language(lang: str, error: CellError) -> tuple[str, str]:
    with translation.override(lang):
        return where(error), describe(error)


class TempMediaMixin:
    """Keep uploads in a temporary MEDIA_ROOT, removed after each test."""

    def setUp(self) -> None:
        super().setUp()
        self.media = Path(tempfile.mkdtemp(prefix="vx-media-"))
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, True)

    def uploads(self) -> list[str]:
        folder = self.media / "uploads"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class ImportPagesTestCase(TempMediaMixin, BaseTestCase):
    def preview(self, text: str, kind: str = "daily", valid_only: bool = False, name="daily.csv"):
        data = {"kind": kind, "file": csv_upload(text, name)}
        if valid_only:
            data["valid_only"] = "on"
        return self.client.post(reverse("imports:new"), data)

    def confirm(self, response, follow: bool = True):
        form = response.context["confirm"]
        values = {name: form.initial[name] for name in form.fields}
        values["valid_only"] = "on" if values["valid_only"] else ""
        return self.client.post(reverse("imports:confirm"), values, follow=follow)

    # -- upload, preview, confirm ------------------------------------------------------
    def test_the_upload_page_offers_a_template_of_every_kind(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("imports:new"))
        self.assertEqual(response.status_code, 200)
        for kind in ("cases", "daily", "tests", "vaccination", "capacity"):
            self.assertContains(response, reverse("imports:template_xlsx", args=[kind]))
            self.assertContains(response, reverse("imports:template_csv", args=[kind]))

    def test_a_valid_file_is_previewed_then_imported_on_confirm(self):
        self.client.force_login(self.health_officer)
        response = self.preview(DAILY_CSV)
        self.assertEqual(response.status_code, 200)
        check = response.context["check"]
        self.assertEqual((check.rows, check.new, check.corrected, check.unchanged), (2, 2, 0, 0))
        self.assertFalse(DailyCount.objects.exists())  # the preview writes nothing
        self.assertFalse(AuditEntry.objects.filter(action="import").exists())
        self.assertEqual(self.uploads(), [check.sha256])

        done = self.confirm(response)

        self.assertRedirects(done, reverse("imports:list"))
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.area, batch.rows_created, batch.source), (self.ninhkieu, 2, "web"))
        self.assertEqual(DailyCount.objects.count(), 2)
        message = str(list(done.context["messages"])[0])
        self.assertIn("daily.csv", message)
        self.assertIn('href="/surveillance/areas/916/?series=reported"', message)
        self.assertEqual(self.uploads(), [])  # deleted once imported
        self.assertContains(done, "daily.csv")

    def test_a_file_with_problems_lists_each_and_cannot_be_confirmed(self):
        self.client.force_login(self.anhoa_official)
        response = self.preview(DAILY_BAD_CSV)
        problems = response.context["problems"]
        self.assertEqual(
            [(p["row"], p["column"], p["code"]) for p in problems],
            [
                (3, "Ca cộng đồng", "below_minimum"),
                (3, "Ca trong khu phong tỏa", "not_a_whole_number"),
                (3, "Ngày", "no_such_day"),  # 31/02/2021
                (3, "Địa bàn", "unknown_area"),
            ],
        )
        self.assertIsNone(response.context["confirm"])
        self.assertNotContains(response, reverse("imports:confirm"))
        self.assertContains(response, "Phường An Hòa")  # the near-miss suggestion
        self.assertEqual(self.uploads(), [])
        self.assertFalse(DailyCount.objects.exists())

    def test_the_report_is_in_the_users_language(self):
        self.client.force_login(self.anhoa_official)
        error = CellError(3, "Ngày", "no_such_day", FEB_31)
        for lang in ("vi", "en"):
            with self.subTest(lang=lang):
                self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
                response = self.preview(DAILY_BAD_CSV)
                place, message = in_language(lang, error)
                self.assertContains(response, place)
                self.assertContains(response, message)
                self.assertContains(response, f'<html lang="{lang}">')

    def test_valid_only_imports_the_good_rows_and_says_what_was_left_out(self):
        self.client.force_login(self.anhoa_official)
        response = self.preview(DAILY_BAD_CSV, valid_only=True)
        self.assertEqual(response.context["check"].new, 1)
        self.assertIsNotNone(response.context["confirm"])
        done = self.confirm(response)
        self.assertEqual(DailyCount.objects.get().area, self.anhoa)
        self.assertEqual(ImportBatch.objects.get().rows_rejected, 1)
        self.assertIn("1", str(list(done.context["messages"])[0]))

    def test_a_file_already_imported_has_nothing_new(self):
        self.client.force_login(self.health_officer)
        self.confirm(self.preview(DAILY_CSV))
        again = self.preview(DAILY_CSV)
        self.assertEqual(again.context["check"].unchanged, 2)
        self.assertIsNone(again.context["confirm"])
        self.assertContains(again, 'data-testid="nothing-new"')
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_confirm_needs_a_file_this_session_uploaded(self):
        self.client.force_login(self.health_officer)
        response = self.preview(DAILY_CSV)
        sha256 = response.context["check"].sha256
        self.client.force_login(self.caikhe_official)  # a new session
        values = {"kind": "daily", "sha256": sha256, "file_name": "x.csv", "rows": 2}
        refused = self.client.post(reverse("imports:confirm"), values, follow=True)
        self.assertRedirects(refused, reverse("imports:new"))
        self.assertFalse(ImportBatch.objects.exists())
        forged = {**values, "sha256": "../../secret_key"}
        self.client.post(reverse("imports:confirm"), forged)
        self.assertFalse(ImportBatch.objects.exists())

    def test_a_service_refusal_is_a_message_not_an_error_page(self):
        self.client.force_login(self.health_officer)
        preview = self.preview(DAILY_CSV)
        Series.objects.filter(code="reported").delete()
        with translation.override("vi"):
            expected = translation.gettext("Unknown series “%(code)s”.") % {"code": "reported"}
        refused = self.preview(DAILY_CSV)
        self.assertEqual(refused.status_code, 200)
        self.assertContains(refused, expected)
        done = self.confirm(preview)
        self.assertRedirects(done, reverse("imports:new"))
        self.assertContains(done, expected)
        self.assertFalse(ImportBatch.objects.exists())

    def test_people_who_may_not_import_cannot_open_the_upload_page(self):
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse("imports:new")).status_code, 403)
        self.assertEqual(self.client.post(reverse("imports:confirm"), {}).status_code, 403)
        history = self.client.get(reverse("imports:list"))
        self.assertEqual(history.status_code, 200)
        self.assertNotContains(history, reverse("imports:new"))

    def test_the_menu_shows_imports_only_to_importers(self):
        self.client.force_login(self.viewer)
        self.assertNotContains(self.client.get(reverse("areas:browser")), 'href="/imports/"')
        self.client.force_login(self.anhoa_official)
        self.assertContains(self.client.get(reverse("areas:browser")), 'href="/imports/"')

    # -- history, detail, undo ---------------------------------------------------------
    def import_daily(self, actor, text=DAILY_CSV):
        return services.import_file("daily", text.encode(), "daily.csv", actor=actor).batch

    def test_the_history_shows_who_when_what_and_offers_undo_where_allowed(self):
        batch = self.import_daily(self.health_officer)
        self.client.force_login(self.health_officer)
        response = self.client.get(reverse("imports:list"))
        self.assertContains(response, "health_officer")
        self.assertContains(response, "daily.csv")
        undo = reverse("imports:batch_undo", args=["surveillance", batch.pk])
        self.assertContains(response, undo)
        self.assertContains(response, reverse("imports:batch", args=["surveillance", batch.pk]))
        self.client.force_login(self.viewer)  # may read, may not undo
        response = self.client.get(reverse("imports:list"))
        self.assertContains(response, "daily.csv")
        self.assertNotContains(response, undo)

    def test_undo_from_the_history(self):
        batch = self.import_daily(self.health_officer)
        self.client.force_login(self.district_steering)  # steering may undo (policy)
        response = self.client.post(
            reverse("imports:undo", args=[batch.pk]), {"reason": "sai số"}, follow=True
        )
        self.assertRedirects(response, reverse("imports:list"))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.UNDONE)
        self.assertFalse(DailyCount.objects.exists())
        entry = AuditEntry.objects.get(action="undo")
        self.assertEqual((entry.reason, entry.actor_name), ("sai số", "district_steering"))
        self.assertContains(response, 'class="success"')

    def test_undo_refused_is_shown_as_a_message(self):
        batch = self.import_daily(self.health_officer)
        self.client.force_login(self.viewer)
        response = self.client.post(reverse("imports:undo", args=[batch.pk]), follow=True)
        self.assertContains(response, 'class="error"')
        self.assertEqual(ImportBatch.objects.get().status, ImportBatch.Status.COMMITTED)

    def test_undo_blocked_by_a_later_correction_says_why(self):
        first = self.import_daily(self.health_officer)
        self.import_daily(self.health_officer, DAILY_CSV.replace("2,5", "3,5"))
        self.client.force_login(self.health_officer)
        response = self.client.post(reverse("imports:undo", args=[first.pk]), follow=True)
        with translation.override("vi"):
            reason = translation.gettext(
                "A later import corrected rows of this one: undo that import first."
            )
        self.assertContains(response, reason)
        self.assertEqual(ImportBatch.objects.get(pk=first.pk).status, "committed")

    def test_undo_is_post_only(self):
        batch = self.import_daily(self.health_officer)
        self.client.force_login(self.health_officer)
        self.assertEqual(self.client.get(reverse("imports:undo", args=[batch.pk])).status_code, 405)

    def test_the_detail_shows_the_rows_without_personal_data(self):
        text = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Họ tên\nBN7,31120,23/09/2021,cộng đồng,Trần Văn B\n"
        batch = services.import_file(
            "cases", text.encode(), "f0.csv", actor=self.health_officer
        ).batch
        self.assertEqual(CasePerson.objects.count(), 1)
        self.client.force_login(self.health_officer)
        response = self.client.get(reverse("imports:batch", args=["surveillance", batch.pk]))
        self.assertContains(response, "BN7")
        self.assertContains(response, "23/09/2021")
        self.assertNotContains(response, "Trần Văn B")
        # The curve of the batch's own series (an import never becomes the official one).
        self.assertContains(response, 'href="/surveillance/areas/31120/?series=reported"')

    def test_the_old_address_of_a_batch_still_shows_it(self):
        batch = self.import_daily(self.health_officer)
        self.client.force_login(self.health_officer)
        old = self.client.get(reverse("imports:detail", args=[batch.pk]))
        self.assertEqual(old.request["PATH_INFO"], f"/imports/{batch.pk}/")
        self.assertEqual(old.context["batch"], batch)
        self.assertEqual(
            self.client.get(reverse("imports:detail", args=[batch.pk + 1000])).status_code, 404
        )

    # -- background jobs ---------------------------------------------------------------
    def test_a_large_file_is_imported_in_the_background_with_progress(self):
        self.client.force_login(self.health_officer)
        preview = self.preview(DAILY_CSV)
        with override_settings(VX_IMPORT_INLINE_BYTES=10):
            response = self.confirm(preview, follow=False)
        job = Job.objects.get(task=jobs.IMPORT_TASK)
        self.assertEqual(
            (job.status, job.actor, job.source), ("queued", self.health_officer, "web")
        )
        self.assertRedirects(response, reverse("imports:job", args=[job.pk]))
        page = self.client.get(response["Location"])
        self.assertContains(page, "<progress")
        self.assertContains(page, reverse("imports:job_progress", args=[job.pk]))
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertFalse(DailyCount.objects.exists())
        path = Path(job.params["path"])
        self.assertTrue(path.exists())

        run_queued_here()  # what a worker does

        self.assertEqual(DailyCount.objects.count(), 2)
        self.assertFalse(path.exists())
        self.assertEqual(ImportBatch.objects.get().source, "web")
        job.refresh_from_db()
        self.assertEqual((job.status, job.outcome["new"]), ("done", 2))
        poll = self.client.get(reverse("imports:job_progress", args=[job.pk]))
        self.assertEqual(poll.status_code, 204)
        self.assertEqual(poll["HX-Redirect"], reverse("imports:list"))
        history = self.client.get(reverse("imports:list"))
        self.assertIn("/surveillance/areas/916/", str(list(history.context["messages"])[0]))

    def test_the_progress_page_shows_the_jobs_progress_while_it_runs(self):
        path = self.media / "upload.csv"
        path.write_text(DAILY_CSV, encoding="utf-8")
        job = jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        self.client.force_login(self.health_officer)
        waiting = self.client.get(reverse("imports:job_progress", args=[job.pk]))
        self.assertContains(waiting, 'value="0"')
        self.assertContains(waiting, phase("Waiting to start…"))
        # What a worker does: claim the job, then report progress in the job's row.
        runner.claim(job.pk)
        Job.objects.filter(pk=job.pk).update(progress=0.4, phase="compare")
        progress = self.client.get(reverse("imports:job_progress", args=[job.pk]))
        self.assertContains(progress, 'data-status="running"')
        self.assertContains(progress, 'value="40"')
        self.assertContains(progress, phase("Comparing with the stored values…"))
        self.assertContains(progress, 'hx-trigger="every 1s"')

    def test_a_job_is_visible_only_to_the_user_who_started_it(self):
        path = self.media / "upload.csv"
        path.write_text(DAILY_CSV, encoding="utf-8")
        job = jobs.submit_import("daily", path, "daily.csv", actor=self.health_officer)
        self.client.force_login(self.anhoa_official)
        self.assertEqual(self.client.get(reverse("imports:job", args=[job.pk])).status_code, 404)
        progress_url = reverse("imports:job_progress", args=[job.pk])
        self.assertEqual(self.client.get(progress_url).status_code, 404)
        self.client.force_login(self.health_officer)
        self.assertContains(self.client.get(progress_url), "<progress")
        other = jobs.submit_loader("ncsc", actor=self.health_officer)  # not an import job
        self.assertEqual(self.client.get(reverse("imports:job", args=[other.pk])).status_code, 404)
        self.assertEqual(self.client.get("/imports/jobs/not-a-job/").status_code, 404)

    def test_a_failed_job_says_nothing_was_stored(self):
        job = jobs.submit_import(
            "daily", self.media / "missing.csv", "daily.csv", actor=self.health_officer
        )
        [ended] = run_queued_here()
        self.assertEqual(ended.status, "failed")
        self.client.force_login(self.health_officer)
        response = self.client.get(reverse("imports:job", args=[job.pk]))
        self.assertContains(response, 'data-status="failed"')
        with translation.override("vi"):  # the page's language
            self.assertEqual(
                ended.error,
                translation.gettext("The uploaded file is no longer here: upload it again."),
            )
        self.assertContains(response, ended.error)
        self.assertNotContains(response, "hx-trigger")  # the page stops polling
        self.assertFalse(ImportBatch.objects.exists())

    # -- templates ---------------------------------------------------------------------
    def test_templates_download_as_xlsx_and_csv(self):
        self.client.force_login(self.anhoa_official)
        xlsx = self.client.get(reverse("imports:template_xlsx", args=["cases"]))
        self.assertEqual(xlsx.status_code, 200)
        self.assertIn("attachment", xlsx["Content-Disposition"])
        self.assertEqual(xlsx.content[:2], b"PK")
        csv = self.client.get(reverse("imports:template_csv", args=["daily"]))
        self.assertTrue(csv.content.decode("utf-8-sig").startswith("Địa bàn,Ngày,Ca cộng đồng"))
        self.assertEqual(
            self.client.get(reverse("imports:template_xlsx", args=["nope"])).status_code, 404
        )


class ProblemSentencesTestCase(BaseTestCase):
    """Every code the validator and the readers emit has its own sentence and place."""

    CODES = {
        "required": {},
        "too_long": {"max": 40},
        "not_a_whole_number": {"value": "năm"},
        "below_minimum": {"value": -1, "min": 0},
        "above_maximum": {"value": 9, "max": 5},
        "not_a_date": {"value": "hôm qua"},
        "date_out_of_range": {"value": "01/01/2019", "first": "01/12/2019", "last": "03/12/2026"},
        "no_such_day": {"value": "31/09/2021", "month": 9, "year": 2021, "days": 30},
        "no_such_month": {"value": "09/31/2021", "month": 31},
        "not_a_phone": {"value": "gọi bà Tư"},
        "not_a_id_number": {"value": "không có"},
        "above_population": {"value": 900, "max": 750, "area": "An Hòa", "population": 500},
        "not_a_choice": {"value": "x", "choices": sorted(DETECTION_WORDS)},
        "not_yes_no": {"value": "có lẽ"},
        "unknown_area": {"value": "Phuong An Hoa x", "suggestions": ["Phường An Hòa"]},
        "ambiguous_area": {"value": "An Hòa"},
        "unknown_column": {},
        "repeated_column": {},
        "missing_column": {},
        "duplicate_in_file": {"first_row": 2},
        "old_excel": {},
        "not_utf8": {},
        "empty_file": {},
        "not_xlsx": {},
        "extra_sheet": {"sheet": "Sheet2"},
        "merged_cells": {"range": "C5:D5"},
    }

    def test_every_code_has_a_sentence_in_both_languages(self):
        for code, params in self.CODES.items():
            for lang in ("vi", "en"):
                with self.subTest(code=code, lang=lang), translation.override(lang):
                    text = describe(CellError(5, "Ngày", code, params))
                    fallback = translation.gettext("Problem “%(code)s”.") % {"code": code}
                    self.assertNotEqual(text, fallback)
                    self.assertNotIn("%(", text)
                    for value in params.values():
                        if isinstance(value, str | int) and code != "not_a_choice":
                            self.assertIn(str(value), text)

    def test_suggestions_and_accepted_choices(self):
        near = describe(CellError(6, "Địa bàn", "unknown_area", self.CODES["unknown_area"]))
        self.assertIn("Phường An Hòa", near)
        far = describe(CellError(6, "Địa bàn", "unknown_area", {"value": "X"}))
        self.assertNotIn("?", far)
        choice = CellError(4, "Nơi phát hiện", "not_a_choice", self.CODES["not_a_choice"])
        with translation.override("vi"):
            self.assertIn("Cộng đồng, Khu cách ly, Cách ly tại nhà", describe(choice))
        with translation.override("en"):
            self.assertIn("Cộng đồng (community)", describe(choice))

    def test_where_names_the_row_and_column(self):
        with translation.override("en"):
            self.assertEqual(
                where(CellError(12, "Ngày xác nhận", "not_a_date")),
                "row 12, column ‘Ngày xác nhận’",
            )
            self.assertEqual(where(CellError(None, "", "extra_sheet")), "whole file")
            self.assertEqual(
                where(CellError(1, "Nơi phát hiện", "missing_column")),
                "header row, column ‘Nơi phát hiện’",
            )
            self.assertEqual(where(CellError(5, "C5:D5", "merged_cells")), "row 5, cells C5:D5")


class TemplateWorkbookTestCase(BaseTestCase):
    def test_the_template_explains_every_column(self):
        from openpyxl import load_workbook

        from vungxanh.imports.xlsx_templates import template_workbook
        from vungxanh.surveillance.specs import SPECS

        for kind, spec in SPECS.items():
            with self.subTest(kind=kind):
                book = load_workbook(io.BytesIO(template_workbook(kind, [("31120", "An Hòa")])))
                self.assertEqual(book.sheetnames, ["Dữ liệu", "Hướng dẫn"])
                data = book["Dữ liệu"]
                header = [c.value for c in data[1]]
                self.assertEqual(header, [c.label_vi for c in spec.columns])
                self.assertEqual(data.freeze_panes, "A2")
                for cell, column in zip(data[1], spec.columns, strict=True):
                    self.assertTrue(cell.font.bold)
                    self.assertIn(column.note_vi or column.label_vi, cell.comment.text)
                    if column.example:
                        self.assertIn(f"Ví dụ: {column.example}", cell.comment.text)
                    dimension = data.column_dimensions[cell.column_letter]
                    self.assertGreaterEqual(dimension.width, 12)
                    if column.kind == "date":
                        self.assertEqual(dimension.number_format, "DD/MM/YYYY")
                lists = [v for v in data.data_validations.dataValidation if v.type == "list"]
                choices = [c for c in spec.columns if c.kind in ("choice", "bool")]
                self.assertEqual(len(lists), len(choices))
                guide = " ".join(
                    str(v) for r in book["Hướng dẫn"].iter_rows(values_only=True) for v in r if v
                )
                self.assertIn(spec.title_vi, guide)
                self.assertIn("An Hòa", guide)
                for column in spec.columns:
                    self.assertIn(column.label_vi, guide)
