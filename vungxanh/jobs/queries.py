"""What the pages and the API show of a job."""

from __future__ import annotations

from typing import Any

from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import current_progress


def job_view(job: Job) -> dict[str, Any]:
    """Plain values for a page or the API; progress as known now, even mid-transaction."""
    fraction, phase, _age = current_progress(job)
    return {
        "id": str(job.pk),
        "task": job.task,
        "label": job.label,
        "title": job.title,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": round(fraction, 3),
        "percent": int(round(fraction * 100)),
        "phase": phase,
        "actor": job.actor_name,
        "area": job.area.name if job.area_id else "",
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "outcome": job.outcome,
        "error": job.error,
    }
