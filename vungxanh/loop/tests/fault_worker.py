"""A real worker that stops dead at a chosen point of the loop (for ``test_faults.py``).

``python -m vungxanh.loop.tests.fault_worker`` starts ``vungxanh worker`` after wrapping
the loop at its points: before and after each stage, after the first rule set's levels
are written inside the levels stage, and after a drain job committed (before the broker's message is
acknowledged). When the run reaches ``VX_FAULT_POINT`` the worker writes its pid to
``VX_FAULT_SIGNAL`` and waits, its transaction open, for the test to kill it with SIGKILL.
Kill points are chosen this way, not by timing, so the test never depends on the
machine's speed.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

POINTS = (
    "before:indicators",
    "after:indicators",
    "before:rt",
    "after:rt",
    "before:levels",
    "during:levels",
    "after:levels",
    "committed",
)


def reached(point: str) -> None:
    if point != os.environ.get("VX_FAULT_POINT"):
        return
    signal = Path(os.environ["VX_FAULT_SIGNAL"])
    temporary = signal.with_suffix(".tmp")
    temporary.write_text(f"{os.getpid()} {point}")
    os.replace(temporary, signal)
    while True:  # hold everything as it is until SIGKILL
        time.sleep(1)


def install() -> None:
    from vungxanh.jobs import runner
    from vungxanh.loop import drain
    from vungxanh.risk import services as risk

    def wrap(stage):
        def run(series, provinces):
            reached(f"before:{stage.name}")
            written = stage.run(series, provinces)
            reached(f"after:{stage.name}")
            return written

        return dataclasses.replace(stage, run=run)

    drain.STAGES = tuple(wrap(stage) for stage in drain.STAGES)

    store = risk._store_province  # the rows of one rule set in a block of provinces

    def store_then_stop(*args, **kwargs):
        written = store(*args, **kwargs)
        reached("during:levels")
        return written

    risk._store_province = store_then_stop

    run_job = runner.run

    def run_then_stop(job_id):
        job = run_job(job_id)
        if job is not None and job.task == "loop.drain":
            reached("committed")
        return job

    runner.run = run_then_stop


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")
    import django

    django.setup()
    install()
    from django.core.management import call_command

    call_command("worker")


if __name__ == "__main__":
    main()
