"""Large checks and imports in the background, with their progress kept in Django's cache.

A page starts a job with ``start_check`` (the preview of a large file) or ``start_import``
and polls ``job_state`` every second. The job runs ``services.check_import`` or
``services.import_file`` (all-or-nothing, audited) in a thread of the web process; an
installation with a task queue (``settings.CELERY_BROKER_URL``) would hand the same call to
a worker instead, at the seam marked in ``_dispatch``. The progress lives in the cache, so
every web process must share one cache (not the per-process default) for a poll to find a
job started by another process.

Each progress update is also a heartbeat: a running job silent for longer than
``VX_IMPORT_JOB_STALE_SECONDS`` has lost its runner (the process was killed or restarted)
and is reported as failed. The upload is deleted when its job ends, whatever the end (a
check whose file may be imported keeps it for the confirmation); what a dead runner leaves
is swept with the old uploads (``uploads.sweep``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

from vungxanh.audit.context import acting_through, current
from vungxanh.domain.tabular import MORE_PROBLEMS, CellError, count_problems
from vungxanh.surveillance import uploads

logger = logging.getLogger(__name__)

KEY_PREFIX = "vx:import-job:"
KEEP_SECONDS = 24 * 3600
RUNNING, DONE, FAILED = "running", "done", "failed"
CHECK, IMPORT = "check", "import"  # what a job does
STALE = "stale"  # why a job failed: its runner stopped reporting
SHOWN_PROBLEMS = 2_000  # listed on a preview page; the command line and the API list more


@dataclass
class Preview:
    """What checking a file found, as its preview page shows it (plain values, cacheable)."""

    kind: str
    file_name: str
    sha256: str
    valid_only: bool
    rows: int
    new: int
    corrected: int
    unchanged: int
    area_name: str
    problem_count: int  # every problem, also those not listed
    rejected_rows: int
    problems: list[CellError]  # the first SHOWN_PROBLEMS listed, then the columns' counts
    hidden_problems: int  # listed by the check but beyond SHOWN_PROBLEMS

    @classmethod
    def of(cls, check, valid_only: bool) -> Preview:
        listed = [e for e in check.errors if e.code != MORE_PROBLEMS]
        counted = [e for e in check.errors if e.code == MORE_PROBLEMS]
        return cls(
            kind=check.kind,
            file_name=check.file_name,
            sha256=check.sha256,
            valid_only=valid_only,
            rows=check.rows,
            new=check.new,
            corrected=check.corrected,
            unchanged=check.unchanged,
            area_name=check.area.name if check.area is not None else "",
            problem_count=count_problems(check.errors),
            rejected_rows=check.rejected_rows,
            problems=listed[:SHOWN_PROBLEMS] + counted,
            hidden_problems=max(len(listed) - SHOWN_PROBLEMS, 0),
        )

    @property
    def importable(self) -> bool:
        return (self.problem_count == 0 or self.valid_only) and bool(self.new or self.corrected)

    def as_state(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["problems"] = [(e.row, e.column, e.code, e.params) for e in self.problems]
        return values

    @classmethod
    def from_state(cls, values: dict[str, Any]) -> Preview:
        problems = [CellError(*problem) for problem in values["problems"]]
        return cls(**{**values, "problems": problems})


def _key(job_id: str) -> str:
    return KEY_PREFIX + job_id


def job_state(job_id: str, user=None) -> dict[str, Any] | None:
    """Return the job's state, or None if unknown (or, with ``user``, not theirs).

    A running job whose runner has stopped reporting is marked failed here, when it is
    next looked at, and its upload deleted.
    """
    state = cache.get(_key(job_id))
    if state is None or (user is not None and state.get("user_id") != user.pk):
        return None
    if state["status"] == RUNNING and _silent_for(state) > settings.VX_IMPORT_JOB_STALE_SECONDS:
        logger.warning("import job %s stopped reporting: reported as failed", job_id)
        if state.get("path"):
            Path(state["path"]).unlink(missing_ok=True)
        state = _update(job_id, beat=False, status=FAILED, reason=STALE)
    return state


def _silent_for(state: dict[str, Any]) -> float:
    return time.time() - state.get("heartbeat", 0)


def _update(job_id: str, *, beat: bool = True, **values: Any) -> dict[str, Any]:
    state = cache.get(_key(job_id)) or {}
    state.update(values)
    if beat:
        state["heartbeat"] = time.time()
    cache.set(_key(job_id), state, KEEP_SECONDS)
    return state


def _progress(job_id: str):
    def report(fraction: float, phase: str) -> None:
        _update(job_id, fraction=fraction, phase=phase)

    return report


def outcome(result) -> dict[str, Any]:
    """Return what an ``ImportResult`` did, as plain values a cache can keep."""
    check = result.check
    return {
        "batch_id": result.batch.pk if result.batch is not None else None,
        "new": check.new,
        "corrected": check.corrected,
        "unchanged": check.unchanged,
        "rejected": check.rejected_rows,
        "problems": count_problems(check.errors),
    }


def run_import(job_id: str, request: dict[str, Any]) -> None:
    """Run one import job to its end and record how it ended (never raises)."""
    from vungxanh.accounts.models import User
    from vungxanh.surveillance import services

    path = Path(request["path"])
    try:
        actor = User.objects.filter(pk=request["actor_id"]).first()
        with acting_through(request["source"], request["request_id"]):
            result = services.import_file(
                request["kind"],
                path.read_bytes(),
                request["file_name"],
                actor=actor,
                series_code=request["series_code"],
                valid_only=request["valid_only"],
                progress=_progress(job_id),
            )
        _update(job_id, status=DONE, fraction=1.0, phase="done", **outcome(result))
    except Exception:  # the thread must report, not die silently
        logger.exception("import job %s failed", job_id)
        _update(job_id, status=FAILED)
    finally:
        path.unlink(missing_ok=True)


def run_check(job_id: str, request: dict[str, Any]) -> None:
    """Check a file as its preview does; keep the upload only if it may be imported."""
    from vungxanh.accounts.models import User
    from vungxanh.surveillance import services

    path = Path(request["path"])
    preview = None
    try:
        actor = User.objects.filter(pk=request["actor_id"]).first()
        with acting_through(request["source"], request["request_id"]):
            check = services.check_import(
                request["kind"],
                path.read_bytes(),
                request["file_name"],
                actor=actor,
                series_code=request["series_code"],
                valid_only=request["valid_only"],
                progress=_progress(job_id),
            )
        preview = Preview.of(check, request["valid_only"])
        _update(job_id, status=DONE, fraction=1.0, phase="done", preview=preview.as_state())
    except Exception:  # the thread must report, not die silently
        logger.exception("check job %s failed", job_id)
        _update(job_id, status=FAILED)
    finally:
        if preview is None or not preview.importable:
            path.unlink(missing_ok=True)


def _thread_main(job_id: str, request: dict[str, Any]) -> None:
    """Run a job in its own thread, on its own database connection, closed at the end."""
    close_old_connections()
    try:
        run = run_check if request.get("job") == CHECK else run_import
        run(job_id, request)
    finally:
        connection.close()


def _dispatch(job_id: str, request: dict[str, Any]) -> None:
    """Run the job off the request: in a thread, or (not yet) on the task queue."""
    if getattr(settings, "CELERY_BROKER_URL", ""):
        # Seam for a task queue: send ``run_import(job_id, request)`` to a worker here
        # (the request dict is plain data and the upload is a file on shared storage).
        # Until such a task exists, run in this process like a single-worker setup.
        logger.info("CELERY_BROKER_URL is set but imports still run in-process")
    threading.Thread(
        target=_thread_main, args=(job_id, request), name=f"import-{job_id}", daemon=True
    ).start()


def _start(job: str, kind: str, path: Path, file_name: str, *, actor, **options: Any) -> str:
    uploads.sweep()
    job_id = uuid.uuid4().hex
    context = current()
    request = {
        "job": job,
        "kind": kind,
        "path": str(path),
        "file_name": file_name,
        "actor_id": actor.pk if actor is not None else None,
        "source": context.source,
        "request_id": context.request_id,
        **options,
    }
    _update(
        job_id,
        job=job,
        status=RUNNING,
        fraction=0.0,
        phase="queued",
        kind=kind,
        file_name=file_name,
        path=str(path),
        user_id=request["actor_id"],
    )
    try:
        _dispatch(job_id, request)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return job_id


def start_import(
    kind: str,
    path: Path,
    file_name: str,
    *,
    actor,
    valid_only: bool = False,
    series_code: str = "reported",
) -> str:
    """Start importing the file at ``path`` (deleted when done); return the job id."""
    return _start(
        IMPORT,
        kind,
        path,
        file_name,
        actor=actor,
        valid_only=valid_only,
        series_code=series_code,
    )


def start_check(
    kind: str,
    path: Path,
    file_name: str,
    *,
    actor,
    valid_only: bool = False,
    series_code: str = "reported",
) -> str:
    """Start checking the file at ``path`` for its preview; return the job id."""
    return _start(
        CHECK,
        kind,
        path,
        file_name,
        actor=actor,
        valid_only=valid_only,
        series_code=series_code,
    )
