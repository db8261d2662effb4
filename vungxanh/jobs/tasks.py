"""The Celery tasks: one that runs any job by its id, one that sweeps what a crash left."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="vungxanh.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> None:
    from vungxanh.jobs.runner import run

    run(job_id)


@shared_task(name="vungxanh.sweep_jobs")
def sweep_jobs() -> None:
    from vungxanh.jobs.sweep import sweep

    sweep()


@worker_ready.connect
def sweep_at_start(**kwargs) -> None:
    """A worker that starts cleans up after the one that died (see ``sweep.py``)."""
    from vungxanh.jobs.sweep import sweep

    sweep(at_start=True)
