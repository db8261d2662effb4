"""Progress of a running job, visible to the pages while the job's transaction is open.

A job does its writes in one transaction (all-or-nothing), so progress written through
the same connection would stay invisible until the end. On PostgreSQL progress goes
through a connection of its own; SQLite allows one writer at a time, so there it goes to
a small file beside the database (``<data dir>/jobs/<id>.json``), read back by
``current_progress``. Both are throttled: a million-row import reports a few times a
second, not a million times.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MIN_INTERVAL_SECONDS = 0.5


def _sidecar(job_id) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / f"{job_id}.json"


class Reporter:
    """Callable ``(fraction, phase)`` given to a job's function."""

    def __init__(self, job_id) -> None:
        self.job_id = job_id
        self._last = 0.0
        self._pg = None

    def __call__(self, fraction: float, phase: str) -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL_SECONDS and fraction < 1.0:
            return
        self._last = now
        fraction = max(0.0, min(1.0, float(fraction)))
        if connection.vendor == "postgresql":
            self._write_postgresql(fraction, phase[:40])
        else:
            self._write_file(fraction, phase[:40])

    def _write_postgresql(self, fraction: float, phase: str) -> None:
        import psycopg

        if self._pg is None:
            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self._pg = psycopg.connect(**params, autocommit=True)
        self._pg.execute(
            "UPDATE jobs_job SET progress = %s, phase = %s, heartbeat_at = %s WHERE id = %s",
            (fraction, phase, timezone.now(), self.job_id),
        )

    def _write_file(self, fraction: float, phase: str) -> None:
        path = _sidecar(self.job_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"progress": fraction, "phase": phase}))
        os.replace(temporary, path)  # atomic: a reader never sees half a file

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None
        _sidecar(self.job_id).unlink(missing_ok=True)


def current_progress(job) -> tuple[float, str, float | None]:
    """Return (fraction, phase, seconds since the last report) of a job as known now."""
    if job.status == "running" and connection.vendor != "postgresql":
        path = _sidecar(job.pk)
        try:
            values = json.loads(path.read_text())
            return values["progress"], values["phase"], time.time() - path.stat().st_mtime
        except (OSError, ValueError, KeyError):
            pass
    age = None
    if job.heartbeat_at is not None:
        age = (timezone.now() - job.heartbeat_at).total_seconds()
    return job.progress, job.phase, age
