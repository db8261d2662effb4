from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from vungxanh.jobs.progress import current_progress


class JobOut(Schema):
    """A job as the API shows it, read from the model (progress as known now)."""

    id: str
    task: str
    label: str
    title: str  # what the job does, in the reader's language, then what it worked on
    status: str
    status_label: str
    progress: float
    phase: str
    actor: str
    area: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    outcome: dict[str, Any]
    error: str

    @staticmethod
    def resolve_id(job) -> str:
        return str(job.pk)

    @staticmethod
    def resolve_title(job) -> str:
        return job.title

    @staticmethod
    def resolve_status_label(job) -> str:
        return str(job.get_status_display())

    @staticmethod
    def resolve_progress(job) -> float:
        return round(current_progress(job)[0], 3)

    @staticmethod
    def resolve_phase(job) -> str:
        return current_progress(job)[1]

    @staticmethod
    def resolve_actor(job) -> str:
        return job.actor_name

    @staticmethod
    def resolve_area(job) -> str:
        return job.area.name if job.area_id else ""
