"""Large checks and imports as jobs of the project's job engine (``vungxanh.jobs``).

A page (or ``vungxanh import``) submits a job with ``submit_check`` (the preview of a large
file) or ``submit_import``; a worker runs ``run_check`` or ``run_import``, which call the
kind's own services (all-or-nothing, audited) inside the job's transaction. Everything
about the job — queued, running, done or failed, progress and phase, who started it, the
outcome — is the ``Job`` row, so it survives a restart of the web process and reads the
same from every web process; a worker that dies mid-job is the jobs sweep's business
(its writes were rolled back; the job is sent again or marked failed).

The upload is a file under ``MEDIA_ROOT/uploads`` (``uploads.py``): deleted when its job
ends, whatever the end, except after a check whose file may be imported (kept for the
confirmation). A worker killed mid-job leaves it for the retry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.imports import registry, uploads
from vungxanh.imports.preview import Preview, outcome
from vungxanh.jobs import inline
from vungxanh.jobs import services as jobs
from vungxanh.jobs.models import Change, Job
from vungxanh.jobs.sweep import sweep

logger = logging.getLogger(__name__)

CHECK_TASK = "imports.check"
IMPORT_TASK = "imports.import"
TASKS = (CHECK_TASK, IMPORT_TASK)


def _params(kind: str, path: Path, file_name: str, **options: Any) -> dict[str, Any]:
    known = registry.kind(kind)
    return {
        "kind": kind,
        "path": str(path),
        "file_name": file_name,
        "valid_only": bool(options.get("valid_only", False)),
        "series_code": options.get("series_code") or known.default_series,
    }


def _submit(
    task: str,
    kind: str,
    path: Path,
    file_name: str,
    *,
    actor,
    valid_only: bool = False,
    series_code: str = "",
) -> Job:
    uploads.sweep()
    params = _params(kind, path, file_name, valid_only=valid_only, series_code=series_code)
    return jobs.submit(task, params, actor=actor, label=file_name)


def submit_import(kind: str, path: Path, file_name: str, *, actor, **options: Any) -> Job:
    """Queue the import of the file at ``path`` (deleted when done); return its job.

    ``options``: ``valid_only`` (bool), ``series_code`` (default: the kind's series).
    """
    return _submit(IMPORT_TASK, kind, path, file_name, actor=actor, **options)


def submit_check(kind: str, path: Path, file_name: str, *, actor, **options: Any) -> Job:
    """Queue the check of the file at ``path`` for its preview; return its job."""
    return _submit(CHECK_TASK, kind, path, file_name, actor=actor, **options)


def submit_loader(key: str, *, actor) -> Job:
    """Queue the loader ``key`` as a job, on the area it loads (for the jobs page)."""
    loader = registry.loaders()[key]
    area = Area.objects.current().filter(code=loader.area_code).first()
    return jobs.submit(loader.task, {}, actor=actor, area=area, label=str(loader.label))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError(_("The uploaded file is no longer here: upload it again.")) from exc


# Callbacks ``(job, fraction, phase)`` of this process: a command that runs its job here
# prints the phases as they come (a worker's progress is read from the job's row instead).
_LISTENERS: list[Callable[[Job, float, str], None]] = []


@contextmanager
def listening(callback: Callable[[Job, float, str], None]) -> Iterator[None]:
    """Call ``callback`` with each progress report of the jobs run in this process."""
    _LISTENERS.append(callback)
    try:
        yield
    finally:
        _LISTENERS.remove(callback)


def _arguments(job: Job, progress) -> dict[str, Any]:
    params = job.params

    def report(fraction: float, phase: str) -> None:
        progress(fraction, phase)
        for listener in list(_LISTENERS):
            listener(job, fraction, phase)

    return {
        "actor": job.actor,
        "series_code": params["series_code"],
        "valid_only": params["valid_only"],
        "progress": report,
    }


def run_import(job: Job, progress) -> dict[str, Any]:
    """Import the job's file, all of it or nothing; return what it did (the job's outcome)."""
    params = job.params
    path = Path(params["path"])
    try:
        kind = registry.kind(params["kind"])
        data = _read(path)
        result = kind.store(kind.key, data, params["file_name"], **_arguments(job, progress))
        return outcome(result)
    finally:
        path.unlink(missing_ok=True)


def run_check(job: Job, progress) -> dict[str, Any]:
    """Check the job's file as its preview does; keep the upload only if it may be imported.

    The outcome holds the preview (``Preview.as_state``), from which the page is rendered.
    """
    params = job.params
    path = Path(params["path"])
    preview = None
    try:
        kind = registry.kind(params["kind"])
        data = _read(path)
        check = kind.check(kind.key, data, params["file_name"], **_arguments(job, progress))
        preview = Preview.of(check, params["valid_only"])
        return {"preview": preview.as_state()}
    finally:
        if preview is None or not preview.importable:
            path.unlink(missing_ok=True)


def batch_of(job: Job, user):
    """The batch an import job stored, if ``user`` may see it; else None.

    A batch id is its history's: it is looked up in the history of the job's kind (an
    establishments job's id 3 is not the surveillance import 3).
    """
    batch_id = (job.outcome or {}).get("batch_id")
    if not batch_id:
        return None
    history = registry.history_of(job.params["kind"])
    return history.batches(user).filter(pk=batch_id).first()


def job_of(user, job_id) -> Job | None:
    """Return the import or check job ``job_id`` if ``user`` started it, else None."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return Job.objects.filter(pk=job_id, actor=user, task__in=TASKS).first()
    except ValidationError:  # not a job id at all
        return None


def wait_for(
    job_id, *, grace: float = inline.GRACE_SECONDS, timeout: float = 24 * 3600, report=None
) -> Job:
    """Wait until the job and the loop run its changes caused have finished; return the job.

    A worker takes the jobs if one runs; if none has started them within ``grace`` seconds,
    they run here, in this process (``inline.run_queued_here``). ``report(job)`` is called
    at each poll (a command prints the progress).
    """
    deadline = time.monotonic() + timeout
    since = time.monotonic()
    while True:
        job = Job.objects.get(pk=job_id)
        if report is not None:
            report(job)
        if job.finished and not _changes_pending(job):
            return job
        if job.finished and not settings.VX_LOOP_AUTOMATIC:
            return job  # nothing will drain the changes: a person runs the loop
        if time.monotonic() > deadline:
            return job
        sweep()  # frees jobs whose runner died, queues the loop for undrained changes
        running = Job.objects.filter(status=Job.Status.RUNNING).exists()
        if not running and time.monotonic() - since >= grace:
            ran = inline.run_queued_here()
            since = time.monotonic()
            if ran:
                continue
        time.sleep(inline.POLL_SECONDS)


def _changes_pending(job: Job) -> bool:
    """Whether a change recorded up to the job's end still waits for the loop."""
    pending = Change.objects.filter(processed_at__isnull=True)
    if job.finished_at is not None:
        pending = pending.filter(created_at__lte=job.finished_at)
    return pending.exists()
