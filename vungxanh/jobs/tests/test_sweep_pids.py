"""The sweep tells a dead runner from a live one on the same host, even when its pid lives on.

A worker container restarted after a crash often gets the very pid of the worker that
died (its own, when the sweep runs in it at start): the job must not stay "running"
forever because some process holds that pid. The process now holding the pid started
after the job was claimed, so it is not the job's runner.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone

from vungxanh.jobs import sweep
from vungxanh.jobs.models import Job
from vungxanh.testing import BaseTestCase


class SweepPidTestCase(BaseTestCase):
    def running_job(self, pid: int, claimed: dt.datetime) -> Job:
        return Job.objects.create(
            task="loop.drain",
            status=Job.Status.RUNNING,
            worker=f"{socket.gethostname()}:{pid}",
            attempts=1,
            started_at=claimed,
            heartbeat_at=claimed,
        )

    def started(self, pid: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(sweep._process_started(pid), tz=dt.UTC)

    def test_a_job_claimed_before_this_process_started_under_its_pid_is_dead(self):
        claimed = self.started(os.getpid()) - dt.timedelta(minutes=5)
        job = self.running_job(os.getpid(), claimed)
        self.assertTrue(sweep.runner_dead(job))
        with self.captureOnCommitCallbacks(execute=False):
            outcome = sweep.sweep(at_start=True)
        job.refresh_from_db()
        self.assertEqual((job.status, outcome["requeued"]), (Job.Status.QUEUED, 1))

    def test_a_reused_pid_of_another_process_does_not_keep_the_job_running(self):
        parent = os.getppid()
        job = self.running_job(parent, self.started(parent) - dt.timedelta(seconds=1))
        self.assertTrue(sweep.runner_dead(job))

    def test_a_job_this_process_or_a_live_runner_claimed_is_alive(self):
        self.assertFalse(sweep.runner_dead(self.running_job(os.getpid(), timezone.now())))
        parent = os.getppid()
        claimed = self.started(parent) + dt.timedelta(seconds=1)
        self.assertFalse(sweep.runner_dead(self.running_job(parent, claimed)))
