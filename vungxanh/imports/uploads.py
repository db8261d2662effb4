"""Uploaded files waiting for a confirmation or for their background job.

They hold names, phone and ID numbers, so they are written readable by this account only
(0600, in a 0700 folder), deleted as soon as their import or check ends, and swept once
older than ``VX_UPLOAD_KEEP_MINUTES`` — what a failed job or a preview never confirmed
leaves behind. The file of a job still queued or running is never swept: it waits for a
worker however long. The sweep runs whenever a new file is kept or a job starts: no
thread, no cron.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings

from vungxanh.jobs.models import Job


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(sha256: str) -> Path:
    return folder() / sha256


def keep(sha256: str, data: bytes) -> Path:
    """Store ``data`` as the upload ``sha256`` (private, written whole or not at all)."""
    sweep()
    path = path_of(sha256)
    if path.exists():
        path.chmod(0o600)
        os.utime(path)  # kept again: its wait starts again
        return path
    partial = path.with_name(f".{sha256}.{uuid.uuid4().hex}")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
    os.replace(partial, path)
    return path


def sweep() -> int:
    """Delete the uploads older than ``VX_UPLOAD_KEEP_MINUTES``; return how many."""
    oldest = time.time() - settings.VX_UPLOAD_KEEP_MINUTES * 60
    removed = 0
    waiting = None
    for path in folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < oldest:
                waiting = _waiting() if waiting is None else waiting
                if str(path) in waiting:
                    continue
                path.unlink()
                removed += 1
        except FileNotFoundError:  # deleted meanwhile by its job or another sweep
            continue
    return removed


def _waiting() -> set[str]:
    """The uploads of the import and check jobs not yet ended (their worker needs them)."""
    busy = Job.objects.filter(
        task__startswith="imports.", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    )
    return {params.get("path", "") for params in busy.values_list("params", flat=True)}
