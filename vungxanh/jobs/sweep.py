"""Clean up after a crash: jobs whose runner died, jobs never sent, changes never drained.

Runs when a worker starts and periodically (``vungxanh.sweep_jobs`` on the beat). A job's
runner is dead when its process is gone (same host), or when the process now holding its
pid started after the job was claimed (the pid was reused: a worker container restarted
after a crash often gets the very pid of the worker that died, this one's included), or,
on another host, when it has not reported for ``VX_JOB_STALE_SECONDS``. Its writes were rolled back with its transaction, so
it is safe to run again: it is queued again up to ``MAX_ATTEMPTS`` times, then failed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.jobs.models import Change, Job
from vungxanh.jobs.progress import Reporter, current_progress
from vungxanh.jobs.services import LOOP_TASK, dispatch, request_loop

MAX_ATTEMPTS = 3
# Boot time and the clock ticks of /proc/<pid>/stat place a process's start to 1/100 s.
PID_CLOCK_TOLERANCE = 0.05
RESEND_AFTER_SECONDS = 60
# A run of the loop that failed on the same pending changes is tried again this much later
# (a database that was down comes back), not at every sweep (a change that crashes the
# loop would otherwise fail it every minute); new data tries at once.
RETRY_FAILED_LOOP_AFTER = dt.timedelta(minutes=15)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_started(pid: int) -> float | None:
    """Return when process ``pid`` started (epoch seconds), or None where /proc says not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        # Field 22, the start in clock ticks after boot; fields 3… follow the name's ")".
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None
    booted = time.time() - uptime
    return booted + ticks / os.sysconf("SC_CLK_TCK")


def runner_dead(job: Job) -> bool:
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if not _process_alive(int(pid)):
            return True
        started = _process_started(int(pid))
        if started is None or job.started_at is None:
            return False
        # The runner started before it claimed the job; a later process only has its pid.
        return started > job.started_at.timestamp() + PID_CLOCK_TOLERANCE
    _fraction, _phase, age = current_progress(job)
    return age is None or age > settings.VX_JOB_STALE_SECONDS


def sweep(*, at_start: bool = False) -> dict[str, int]:
    """Requeue or fail dead jobs, resend forgotten ones, drain forgotten changes."""
    now = timezone.now()
    requeued = failed = resent = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        if not runner_dead(job):
            continue
        Reporter(job.pk).close()  # the dead runner's progress file, if any
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
    if _loop_due(now):
        request_loop()  # queues one run, or none if one already waits
    return {"requeued": requeued, "failed": failed, "resent": resent}


def _loop_due(now: dt.datetime) -> bool:
    """Whether pending changes need a run of the loop (see RETRY_FAILED_LOOP_AFTER)."""
    pending = Change.objects.filter(processed_at__isnull=True)
    if not pending.exists():
        return False
    last = Job.objects.filter(task=LOOP_TASK).order_by("-created_at").first()
    if last is None or last.status != Job.Status.FAILED:
        return True
    if pending.filter(created_at__gt=last.created_at).exists():
        return True
    return last.finished_at is None or now - last.finished_at > RETRY_FAILED_LOOP_AFTER
