"""Large imports in the background, with their progress kept in Django's cache.

A page starts a job with ``start_import`` and polls ``job_state`` every second. The job
runs ``services.import_file`` (all-or-nothing, audited) in a thread of the web process;
an installation with a task queue (``settings.CELERY_BROKER_URL``) would hand the same
call to a worker instead, at the seam marked in ``_dispatch``. The progress lives in the
cache, so every web process must share one cache (not the per-process default) for a
poll to find a job started by another process.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

from vungxanh.audit.context import acting_through, current

logger = logging.getLogger(__name__)

KEY_PREFIX = "vx:import-job:"
KEEP_SECONDS = 24 * 3600
RUNNING, DONE, FAILED = "running", "done", "failed"


def _key(job_id: str) -> str:
    return KEY_PREFIX + job_id


def job_state(job_id: str, user=None) -> dict[str, Any] | None:
    """Return the job's state, or None if unknown (or, with ``user``, not theirs)."""
    state = cache.get(_key(job_id))
    if state is None or (user is not None and state.get("user_id") != user.pk):
        return None
    return state


def _update(job_id: str, **values: Any) -> None:
    state = cache.get(_key(job_id)) or {}
    state.update(values)
    cache.set(_key(job_id), state, KEEP_SECONDS)


def outcome(result) -> dict[str, Any]:
    """Return what an ``ImportResult`` did, as plain values a cache can keep."""
    check = result.check
    return {
        "batch_id": result.batch.pk if result.batch is not None else None,
        "new": check.new,
        "corrected": check.corrected,
        "unchanged": check.unchanged,
        "rejected": check.rejected_rows,
        "problems": len(check.errors),
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
                progress=lambda fraction, phase: _update(job_id, fraction=fraction, phase=phase),
            )
        _update(job_id, status=DONE, fraction=1.0, phase="done", **outcome(result))
    except Exception:  # the thread must report, not die silently
        logger.exception("import job %s failed", job_id)
        _update(job_id, status=FAILED)
    finally:
        path.unlink(missing_ok=True)


def _thread_main(job_id: str, request: dict[str, Any]) -> None:
    """Run a job in its own thread, on its own database connection, closed at the end."""
    close_old_connections()
    try:
        run_import(job_id, request)
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
    job_id = uuid.uuid4().hex
    context = current()
    request = {
        "kind": kind,
        "path": str(path),
        "file_name": file_name,
        "actor_id": actor.pk if actor is not None else None,
        "valid_only": valid_only,
        "series_code": series_code,
        "source": context.source,
        "request_id": context.request_id,
    }
    cache.set(
        _key(job_id),
        {
            "status": RUNNING,
            "fraction": 0.0,
            "phase": "queued",
            "kind": kind,
            "file_name": file_name,
            "user_id": request["actor_id"],
        },
        KEEP_SECONDS,
    )
    _dispatch(job_id, request)
    return job_id
