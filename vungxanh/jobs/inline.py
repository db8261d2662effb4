"""Run queued jobs in the current process: for a command that must wait for its work.

``vungxanh import … --wait`` and the demo use it: they wait for a worker to take their
jobs and, if none does within a few seconds, run them here. Claiming a job is atomic
(``runner.claim``), so a worker that wakes up meanwhile never runs it twice.
"""

from __future__ import annotations

import time

from vungxanh.jobs import runner
from vungxanh.jobs.models import Change, Job
from vungxanh.jobs.sweep import sweep

GRACE_SECONDS = 3.0
POLL_SECONDS = 0.2


def run_queued_here(*, limit: int = 100) -> list[Job]:
    """Run every queued job (oldest first) here, up to ``limit``; return them as ended."""
    ended = []
    for _attempt in range(limit):
        job = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at").first()
        if job is None:
            break
        result = runner.run(job.pk)
        if result is not None:
            ended.append(result)
    return ended


def settled() -> bool:
    """True when no job is queued or running and no change waits for the loop."""
    busy = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists()
    return not busy and not Change.objects.filter(processed_at__isnull=True).exists()


def wait_until_settled(*, timeout: float = 3600.0, grace: float = GRACE_SECONDS) -> bool:
    """Wait for the jobs and the loop to finish, running them here if no worker does.

    Returns True when everything settled, False on timeout.
    """
    deadline = time.monotonic() + timeout
    waiting_since = time.monotonic()
    while time.monotonic() < deadline:
        if settled():
            return True
        # Queues the loop for changes nobody drains, and frees jobs whose runner died.
        sweep()
        running = Job.objects.filter(status=Job.Status.RUNNING).exists()
        if not running and time.monotonic() - waiting_since > grace:
            run_queued_here()
            waiting_since = time.monotonic()
        time.sleep(POLL_SECONDS)
    return settled()
