"""Imports as jobs that outlive the web process, and one cross-field rule for files and forms."""

from __future__ import annotations

import threading

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from vungxanh.domain.tabular import CellError
from vungxanh.imports import jobs
from vungxanh.imports.problems import as_rows, describe
from vungxanh.jobs.inline import run_queued_here
from vungxanh.jobs.models import Job
from vungxanh.surveillance import services
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.models import DailyCount, ImportBatch, TestCount
from vungxanh.surveillance.tests.test_import_pages import TempMediaMixin, csv_upload
from vungxanh.testing import BaseTestCase

WARDS = ("31120", "31117")  # An Hòa, Cái Khế (Ninh Kiều)


def large_daily_csv(days: int = 120) -> str:
    """A daily file of ``days`` days for two wards: larger than the inline limit below."""
    lines = ["Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"]
    for day in range(days):
        month, dom = divmod(day, 28)
        for n, ward in enumerate(WARDS):
            lines.append(f"{ward},{dom + 1:02d}/{month + 6:02d}/2021,{(day + n) % 7},{day % 5}")
    return "\n".join(lines) + "\n"


@override_settings(VX_IMPORT_INLINE_BYTES=1024)
class ImportSurvivesRestartTestCase(TempMediaMixin, BaseTestCase):
    def test_a_large_import_goes_on_after_the_web_process_restarts(self):
        text = large_daily_csv()
        self.assertGreater(len(text.encode()), 1024)
        self.client.force_login(self.health_officer)
        threads = set(threading.enumerate())
        checked = self.client.post(
            reverse("imports:new"), {"kind": "daily", "file": csv_upload(text)}
        )
        check = Job.objects.get(task=jobs.CHECK_TASK)
        self.assertRedirects(checked, reverse("imports:job", args=[check.pk]))
        run_queued_here()  # a worker checks it
        preview = self.client.get(reverse("imports:job", args=[check.pk]))
        form = preview.context["confirm"]
        values = {name: form.initial[name] for name in form.fields}
        values["valid_only"] = ""
        started = self.client.post(reverse("imports:confirm"), values)
        job = Job.objects.get(task=jobs.IMPORT_TASK)
        self.assertRedirects(started, reverse("imports:job", args=[job.pk]), target_status_code=200)
        self.assertEqual(set(threading.enumerate()), threads)  # no thread holds the job

        # The web process goes away: its memory and cache are lost, the browser reconnects
        # to a new process (the session is in the database). The job is its row alone.
        cache.clear()
        self.client = Client()
        self.client.force_login(self.health_officer)
        page = self.client.get(reverse("imports:job", args=[job.pk]))
        self.assertContains(page, 'data-status="queued"')
        self.assertContains(page, "<progress")
        self.assertFalse(DailyCount.objects.exists())

        run_queued_here()  # a worker, in another process, takes the job from the broker

        job.refresh_from_db()
        self.assertEqual((job.status, job.outcome["new"]), (Job.Status.DONE, 240))
        self.assertEqual(DailyCount.objects.count(), 240)
        reloaded = self.client.get(reverse("imports:job", args=[job.pk]), follow=True)
        self.assertEqual(reloaded.redirect_chain[-1][0], reverse("imports:list"))
        [message] = list(reloaded.context["messages"])
        self.assertIn("240", str(message))
        self.assertEqual(self.uploads(), [])  # the upload went with its job


TESTS_HEADER = "Địa bàn,Ngày,Nhóm mẫu,Số mẫu xét nghiệm,Số mẫu dương tính\n"
TOO_MANY_POSITIVES = TESTS_HEADER + "31120,23/09/2021,Cộng đồng,1200,3\n31117,23/09/2021,F1,10,50\n"


class CrossFieldRuleTestCase(TempMediaMixin, BaseTestCase):
    """50 positives out of 10 tests: refused at its cell by the file, the API and the form."""

    def expected(self) -> str:
        error = CellError(3, "Số mẫu dương tính", "more_than_whole")
        error.params.update(
            part="Số mẫu dương tính", value=50, whole="Số mẫu xét nghiệm", whole_value=10
        )
        return describe(error)

    def test_the_preview_refuses_the_row_at_its_cell(self):
        check = services.check_import(
            "tests", TOO_MANY_POSITIVES.encode(), "tests.csv", actor=self.health_officer
        )
        [problem] = as_rows(check.errors)
        self.assertEqual((problem["row"], problem["column"]), (3, "Số mẫu dương tính"))
        self.assertEqual(problem["message"], self.expected())
        with translation.override("en"):
            self.assertEqual(
                describe(check.errors[0]),
                "“Số mẫu dương tính” (50) cannot be more than “Số mẫu xét nghiệm” (10).",
            )

    def test_the_import_refuses_it_instead_of_failing_on_commit(self):
        result = services.import_file(
            "tests", TOO_MANY_POSITIVES.encode(), "tests.csv", actor=self.health_officer
        )
        self.assertFalse(result.written)
        self.assertFalse(TestCount.objects.exists())
        self.client.force_login(self.health_officer)
        api = self.client.post(
            reverse("api:import_create", args=["tests"]),
            {"file": csv_upload(TOO_MANY_POSITIVES, "tests.csv")},
        )
        self.assertEqual(api.status_code, 422)
        [problem] = api.json()["problems"]
        self.assertEqual((problem["row"], problem["column"]), (3, "Số mẫu dương tính"))
        self.assertEqual(problem["message"], self.expected())
        self.assertFalse(ImportBatch.objects.exists())

    def test_valid_only_leaves_the_row_out(self):
        result = services.import_file(
            "tests",
            TOO_MANY_POSITIVES.encode(),
            "tests.csv",
            actor=self.health_officer,
            valid_only=True,
        )
        self.assertEqual(result.check.new, 1)
        self.assertEqual(list(TestCount.objects.values_list("positive", flat=True)), [3])

    def test_the_form_gives_the_same_message_at_the_field(self):
        values = {
            "area": "31117",
            "date": "23/09/2021",
            "sample_group": "f1",
            "performed": "10",
            "positive": "50",
        }
        with self.assertRaises(ValidationError) as caught:
            edits.create_fact("tests", values, actor=self.health_officer)
        self.assertEqual(caught.exception.message_dict, {"positive": [self.expected()]})
        self.client.force_login(self.health_officer)
        api = self.client.post(
            reverse("api:test_count_create"), values, content_type="application/json"
        )
        self.assertEqual(api.status_code, 422)
        self.assertIn(self.expected(), str(api.json()))
        self.assertFalse(TestCount.objects.exists())

    def test_fully_vaccinated_cannot_exceed_one_dose_in_a_file(self):
        text = (
            "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,"
            "Người ≥18 tuổi tiêm đủ liều\n31120,23/09/2021,20000,15000,16000\n"
        )
        check = services.check_import(
            "vaccination", text.encode(), "v.csv", actor=self.health_officer
        )
        self.assertEqual(
            [(e.row, e.column, e.code) for e in check.errors],
            [(2, "Người ≥18 tuổi tiêm đủ liều", "more_than_whole")],
        )
