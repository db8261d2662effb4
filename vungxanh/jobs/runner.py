"""Run one job in a worker: claim it, do the work in one transaction, say how it ended.

The job's writes and its "done" state commit together, so a worker killed mid-job leaves
neither: the job stays "running" with a dead runner until the sweep (``sweep.py``) sends
it again or marks it failed. Expected refusals (``ValidationError``) end the job as
failed with their message; anything else is logged with its traceback and the job says
that an error was logged, never a traceback.
"""

from __future__ import annotations

import logging
import os
import socket

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.jobs import registry
from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import Reporter

logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(job_id) -> Job | None:
    """Mark a queued job as running here; None if it is not queued (done, or taken)."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=worker_name(),
        attempts=F("attempts") + 1,
    )
    return Job.objects.get(pk=job_id) if taken else None


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def run(job_id) -> Job | None:
    """Run the job ``job_id`` if it is queued; return it as it ended (never raises)."""
    job = claim(job_id)
    if job is None:
        return None
    reporter = Reporter(job.pk)
    try:
        work = registry.resolve(job.task)
        with acting_through(job.source or "job"), transaction.atomic():
            outcome = work(job, reporter) or {}
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.DONE,
                outcome=outcome,
                progress=1.0,
                phase="done",
                finished_at=timezone.now(),
            )
    except ValidationError as exc:
        _fail(job, _message(exc))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.task)
        _fail(job, _("An unexpected error stopped the job; it was logged for the administrator."))
    finally:
        reporter.close()
    job.refresh_from_db()
    return job


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message, finished_at=timezone.now()
    )
