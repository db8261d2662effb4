"""Clean up after a crash: jobs whose runner died, jobs never sent, changes never drained.

Runs when a worker starts and periodically (``vungxanh.sweep_jobs`` on the beat). A job's
runner is dead when its process is gone (same host) or, on another host, when it has not
reported for ``VX_JOB_STALE_SECONDS``. Its writes were rolled back with its transaction, so
it is safe to run again: it is queued again up to ``MAX_ATTEMPTS`` times, then failed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.jobs.models import Change, Job
from vungxanh.jobs.progress import current_progress
from vungxanh.jobs.services import dispatch, request_loop

MAX_ATTEMPTS = 3
RESEND_AFTER_SECONDS = 60


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runner_dead(job: Job) -> bool:
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and not _process_alive(int(pid))
    _fraction, _phase, age = current_progress(job)
    return age is None or age > settings.VX_JOB_STALE_SECONDS


def sweep(*, at_start: bool = False) -> dict[str, int]:
    """Requeue or fail dead jobs, resend forgotten ones, drain forgotten changes."""
    now = timezone.now()
    requeued = failed = resent = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        if not runner_dead(job):
            continue
        if job.attempts < MAX_ATTEMPTS:
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, worker="", phase=""
            )
            dispatch(job.pk)
            requeued += 1
        else:
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED,
                finished_at=now,
                error=_("The worker stopped during this job %(n)d times; it was not retried.")
                % {"n": job.attempts},
            )
            failed += 1
    forgotten = Job.objects.filter(status=Job.Status.QUEUED)
    if not at_start:
        forgotten = forgotten.filter(
            created_at__lt=now - dt.timedelta(seconds=RESEND_AFTER_SECONDS)
        )
    for job_id in forgotten.values_list("pk", flat=True):
        dispatch(job_id)
        resent += 1
    if Change.objects.filter(processed_at__isnull=True).exists():
        request_loop()  # queues one run, or none if one already waits
    return {"requeued": requeued, "failed": failed, "resent": resent}
