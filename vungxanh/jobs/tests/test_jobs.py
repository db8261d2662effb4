"""Jobs: state in the database, all-or-nothing, failures explained, crashes swept up."""

from __future__ import annotations

import socket
from unittest import mock

from django.test import override_settings

from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry
from vungxanh.jobs import registry, runner, services, sweep
from vungxanh.jobs.models import Change, Job
from vungxanh.testing import BaseTestCase

registry.register("test.rename", "vungxanh.jobs.tests.tasks_for_tests.rename_area")
registry.register("test.refuse", "vungxanh.jobs.tests.tasks_for_tests.refuse")
registry.register("test.crash", "vungxanh.jobs.tests.tasks_for_tests.crash_after_write")


class RunJobTestCase(BaseTestCase):
    def submit(self, task: str, **params) -> Job:
        with self.captureOnCommitCallbacks(execute=False):
            return services.submit(task, params, actor=self.anhoa_official, area=self.anhoa)

    def test_a_submitted_job_is_queued_audited_and_sent_after_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            job = services.submit("test.rename", {"area_id": self.anhoa.pk, "name": "x"})
        self.assertEqual(job.status, Job.Status.QUEUED)
        self.assertEqual(len(callbacks), 1, "the job is sent to the broker only on commit")
        self.assertTrue(AuditEntry.objects.filter(action="submit", object_id=str(job.pk)).exists())

    def test_an_unregistered_task_is_refused(self):
        with self.assertRaises(KeyError):
            services.submit("os.system", {"cmd": "true"})

    def test_a_job_runs_once_and_records_its_outcome(self):
        job = self.submit("test.rename", area_id=self.anhoa.pk, name="Phường Mới")
        ended = runner.run(job.pk)
        self.assertEqual(ended.status, Job.Status.DONE)
        self.assertEqual(ended.outcome, {"renamed": 1})
        self.assertEqual(ended.attempts, 1)
        self.assertEqual(Area.objects.get(pk=self.anhoa.pk).name, "Phường Mới")
        self.assertIsNone(runner.run(job.pk), "a finished job is not run again")

    def test_a_refusal_fails_the_job_with_its_message(self):
        job = runner.run(self.submit("test.refuse").pk)
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("Tệp không hợp lệ.", job.error)

    def test_a_crash_fails_the_job_without_a_traceback_and_rolls_back_its_writes(self):
        with self.assertLogs("vungxanh.jobs.runner", level="ERROR"):
            job = runner.run(self.submit("test.crash", area_id=self.anhoa.pk).pk)
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertNotIn("Traceback", job.error)
        self.assertNotIn("boom", job.error)
        self.assertNotEqual(Area.objects.get(pk=self.anhoa.pk).name, "half-written")


class SweepTestCase(BaseTestCase):
    def running_job(self, worker: str, attempts: int = 1) -> Job:
        return Job.objects.create(
            task="test.rename",
            status=Job.Status.RUNNING,
            worker=worker,
            attempts=attempts,
            params={"area_id": self.anhoa.pk, "name": "again"},
        )

    def dead_worker(self) -> str:
        return f"{socket.gethostname()}:{2**22 + 12345}"  # above Linux's pid_max: never alive

    def test_a_job_whose_worker_died_is_queued_again(self):
        job = self.running_job(self.dead_worker())
        with self.captureOnCommitCallbacks(execute=False):
            outcome = sweep.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.QUEUED)
        self.assertEqual(outcome["requeued"], 1)

    def test_after_three_deaths_the_job_is_failed_with_a_reason(self):
        job = self.running_job(self.dead_worker(), attempts=3)
        sweep.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("3", job.error)
        self.assertIsNotNone(job.finished_at)

    def test_a_job_of_a_live_worker_is_left_alone(self):
        import os

        job = self.running_job(f"{socket.gethostname()}:{os.getppid()}")
        sweep.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.RUNNING)

    def test_pending_changes_without_a_loop_run_get_one(self):
        Change.objects.create(what="import", area_path="VN/92/", series_code="reported")
        self.assertFalse(Job.objects.filter(task="loop.drain").exists())
        sweep.sweep()
        self.assertTrue(Job.objects.filter(task="loop.drain", status=Job.Status.QUEUED).exists())

    def test_a_change_that_fails_the_loop_is_not_retried_at_every_sweep(self):
        import datetime as dt

        from django.utils import timezone

        Change.objects.create(what="import", area_path="VN/92/", series_code="reported")
        failed_at = timezone.now()
        Job.objects.create(
            task="loop.drain", status=Job.Status.FAILED, attempts=3, finished_at=failed_at
        )
        loop_runs = Job.objects.filter(task="loop.drain")
        with self.captureOnCommitCallbacks(execute=False):
            sweep.sweep()
        self.assertEqual(loop_runs.count(), 1, "no new run a minute after the failure")

        Change.objects.filter(what="import").update(created_at=failed_at - dt.timedelta(hours=1))
        Change.objects.create(what="import", area_path="VN/92/", series_code="reported")
        with self.captureOnCommitCallbacks(execute=False):
            sweep.sweep()
        self.assertEqual(loop_runs.filter(status=Job.Status.QUEUED).count(), 1, "new data")

        loop_runs.filter(status=Job.Status.QUEUED).delete()
        Change.objects.update(created_at=failed_at - dt.timedelta(hours=1))
        later = failed_at + sweep.RETRY_FAILED_LOOP_AFTER + dt.timedelta(seconds=1)
        with (
            self.captureOnCommitCallbacks(execute=False),
            mock.patch("django.utils.timezone.now", return_value=later),
        ):
            sweep.sweep()
        self.assertEqual(loop_runs.filter(status=Job.Status.QUEUED).count(), 1, "retried later")


@override_settings(VX_LOOP_INLINE=False)
class OutboxTestCase(BaseTestCase):
    def test_a_change_queues_one_loop_run_when_its_transaction_commits(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.record_change("import", area_path=self.anhoa.path, series_code="reported")
            services.record_change("import", area_path=self.caikhe.path, series_code="reported")
        self.assertEqual(Change.objects.filter(processed_at__isnull=True).count(), 2)
        self.assertEqual(Job.objects.filter(task="loop.drain").count(), 1)

    def test_a_rolled_back_change_leaves_nothing(self):
        from django.db import transaction

        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            services.record_change("import", area_path=self.anhoa.path)
            transaction.set_rollback(True)
        self.assertFalse(Change.objects.exists())
        self.assertFalse(Job.objects.exists())


class JobTitleTestCase(BaseTestCase):
    """Each job says what it does in the reader's language, then what it worked on."""

    def test_the_page_and_the_api_name_the_work_and_its_object(self):
        from django.urls import reverse
        from django.utils import translation

        with self.captureOnCommitCallbacks(execute=False):
            job = services.submit(
                "imports.import", {}, actor=self.anhoa_official, label="ca-benh.xlsx"
            )
        with translation.override("vi"):
            self.assertEqual(job.title, "Nhập dữ liệu: ca-benh.xlsx")
        self.client.force_login(self.anhoa_official)
        page = self.client.get(reverse("jobs:list"), HTTP_ACCEPT_LANGUAGE="vi")
        self.assertContains(page, "Nhập dữ liệu: ca-benh.xlsx")
        answer = self.client.get(reverse("api:job_detail", args=[job.pk]))
        self.assertEqual(answer.json()["title"], "Nhập dữ liệu: ca-benh.xlsx")
        with translation.override("en"):
            self.assertEqual(job.title, "Import: ca-benh.xlsx")

    def test_an_untitled_task_shows_its_label_and_a_loop_run_its_title(self):
        with self.captureOnCommitCallbacks(execute=False):
            labelled = services.submit("test.rename", {}, label="Đổi tên")
            loop = services.submit(services.LOOP_TASK, audited=False)
        self.assertEqual(labelled.title, "Đổi tên")
        self.assertEqual(loop.title, "Tính lại chỉ số, Rt và cấp độ")
