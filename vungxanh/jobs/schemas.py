from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class JobOut(Schema):
    id: str
    task: str
    label: str
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
