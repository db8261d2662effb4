"""Submit jobs and record data changes: the only code that writes jobs and the outbox.

``submit`` queues a job and hands it to a worker once the caller's transaction commits
(a job never starts on data that was rolled back). ``record_change`` writes an outbox row
in the caller's transaction and asks for the loop to run once it commits. Whether a
worker or the current process runs the job is the broker's business (see
``vungxanh.celery``); the state is always here.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction

from vungxanh.audit import services as audit
from vungxanh.audit.context import current as audit_context
from vungxanh.jobs import registry
from vungxanh.jobs.models import Change, Job

logger = logging.getLogger(__name__)

LOOP_TASK = "loop.drain"  # registered by vungxanh.loop


def submit(
    task: str,
    params: dict | None = None,
    *,
    actor=None,
    area=None,
    label: str = "",
    audited: bool = True,
) -> Job:
    """Queue ``task`` with ``params`` (plain JSON values); return its job."""
    if task not in registry.registered():
        raise KeyError(f"unknown job task {task!r}")
    job = Job.objects.create(
        task=task,
        label=label[:300],
        params=params or {},
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        area=area,
        source=audit_context().source[:40],
    )
    if audited:
        audit.record(actor, "submit", job, area=area, after={"task": task, "label": job.label})
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id) -> None:
    """Hand a queued job to the broker; in eager mode, run it here and now."""
    from vungxanh.jobs.broker import prepare_broker
    from vungxanh.jobs.tasks import run_job

    try:
        prepare_broker()
        run_job.delay(str(job_id))
    except Exception:  # the broker is down: the job stays queued, the sweep sends it again
        logger.exception("could not send job %s to the broker", job_id)


def record_change(
    what: str,
    *,
    area_path: str,
    series_code: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Change:
    """Note that data under ``area_path`` changed; the loop recomputes what depends on it.

    Call inside the transaction that changed the data: the row commits with it or not
    at all. Outbox rows are bookkeeping of an audited change, not changes of their own.
    """
    change = Change.objects.create(
        what=what[:40],
        series_code=series_code[:40],
        area_path=area_path,
        date_from=date_from,
        date_to=date_to,
    )
    if settings.VX_LOOP_INLINE and LOOP_TASK in registry.registered():
        # Tests of the layers below the loop: the loop runs here, in this transaction,
        # as if a worker had taken it at once. The asynchronous path has tests of its own.
        registry.resolve(LOOP_TASK)(None, lambda fraction, phase: None)
        return change
    transaction.on_commit(request_loop)
    return change


def request_loop() -> Job | None:
    """Queue one run of the loop, unless one is already waiting to start.

    A queued run will pick up every pending change when it starts, so a burst of
    imports costs one run, not one each.
    """
    if LOOP_TASK not in registry.registered():
        return None
    if not settings.VX_LOOP_AUTOMATIC:
        return None
    with transaction.atomic():
        waiting = Job.objects.filter(task=LOOP_TASK, status=Job.Status.QUEUED).first()
        if waiting is not None:
            return waiting
        return submit(LOOP_TASK, audited=False)
