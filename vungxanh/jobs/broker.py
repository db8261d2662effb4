"""Broker settings: Redis, RabbitMQ, or the embedded filesystem transport (no server)."""

from __future__ import annotations

from pathlib import Path

# The filesystem transport ignores the host; naming one keeps kombu from warning about it.
FILESYSTEM = "filesystem://localhost/"


def celery_settings(broker_url: str, data_dir: Path, *, eager: bool) -> dict:
    """Return the CELERY_* settings for ``broker_url`` (empty = embedded)."""
    url = broker_url or FILESYSTEM
    values: dict = {
        "CELERY_BROKER_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": eager,
        "CELERY_TASK_IGNORE_RESULT": True,
        "CELERY_RESULT_BACKEND": None,
        # A job's message is acknowledged after it ran, so a worker killed mid-job does
        # not lose it; the job's own state (jobs.Job) keeps it from running twice.
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        "CELERY_BROKER_CONNECTION_MAX_RETRIES": 3,
        "CELERY_BEAT_SCHEDULE": {
            "sweep-jobs": {"task": "vungxanh.sweep_jobs", "schedule": 60.0},
        },
        "CELERY_WORKER_HIJACK_ROOT_LOGGER": False,
    }
    if url.startswith("filesystem:"):
        folder = data_dir / "broker"
        values["CELERY_BROKER_TRANSPORT_OPTIONS"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
        # No fan-out exchange on files: no remote control, no events.
        values["CELERY_WORKER_ENABLE_REMOTE_CONTROL"] = False
        values["CELERY_WORKER_SEND_TASK_EVENTS"] = False
    else:
        values["CELERY_BROKER_TRANSPORT_OPTIONS"] = {"visibility_timeout": 3600}
    return values


def prepare_broker() -> None:
    """Create the folders of the embedded transport (owner-only, they hold job ids)."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(mode=0o700, parents=True, exist_ok=True)
