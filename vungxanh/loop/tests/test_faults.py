"""The worker killed with SIGKILL during a recompute, five times: nothing half-written.

Each round changes data (an import, as a ward would), starts a real worker that stops at
a point of the loop drawn with a fixed seed (``fault_worker.POINTS``: between stages,
inside the levels stage, after the commit), and kills it there with SIGKILL. A last,
plain worker then starts; its start-up sweep requeues what the dead ones held (or fails a
job that died too often) and drains the outbox. At the end no job is queued or running,
no change waits, and the stored indicators, Rt and levels are exactly those of a
recompute from scratch. On SQLite with the embedded transport; on PostgreSQL with the
broker of ``VX_BROKER_URL`` (Redis on the PostgreSQL leg of ``make test``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.test import TransactionTestCase, override_settings

from vungxanh.jobs.models import Change, Job
from vungxanh.loop.stages import STAGES
from vungxanh.loop.tests.fault_worker import POINTS
from vungxanh.loop.tests.test_worker import STANDARD_SERIES, database_url
from vungxanh.risk import services as risk
from vungxanh.risk.models import AssessmentSeries
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import IndicatorSeries, RtSeries, Series
from vungxanh.testing import build_world

SEED = 20210923
KILLS = 5
WAIT_SECONDS = 90  # a bound against hanging, never a measure: no test asserts a time
DAY = dt.date(2021, 9, 20)


def stored() -> dict[str, dict]:
    """Every derived row the loop owns, by its key, without the time it was computed."""
    return {
        "indicators": {
            (r.area_id, r.series_id): (r.start, r.days, list(r.names), bytes(r.data))
            for r in IndicatorSeries.objects.all()
        },
        "rt": {
            (r.area_id, r.series_id): (r.start, r.days, r.si_mean, r.si_sd, bytes(r.data))
            for r in RtSeries.objects.all()
        },
        "levels": {
            (r.area_id, r.ruleset_id, r.series_id): (
                r.start,
                r.days,
                bytes(r.levels),
                bytes(r.computed),
                list(r.input_names),
                bytes(r.inputs),
            )
            for r in AssessmentSeries.objects.all()
        },
    }


@override_settings(VX_LOOP_INLINE=False)
class WorkerKilledTestCase(TransactionTestCase):
    def setUp(self) -> None:
        for values in STANDARD_SERIES:
            Series.objects.get_or_create(code=values["code"], defaults=values)
        build_world(self)
        risk.sync_rulesets()
        self.folder = Path(tempfile.mkdtemp(prefix="vx-faults-"))
        self.env = {
            **os.environ,
            "VX_DATABASE_URL": database_url(),
            "VX_DATA_DIR": str(settings.DATA_DIR),
            "VX_BROKER_URL": settings.CELERY_BROKER_URL,
            "VX_SECRET_KEY": settings.SECRET_KEY,
        }
        self.worker: subprocess.Popen | None = None

    def tearDown(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait(timeout=30)

    def start(self, module: str, **env: str) -> subprocess.Popen:
        command = [sys.executable, "-m", module]
        if module == "vungxanh.cli":
            command.append("worker")
        self.worker = subprocess.Popen(
            command,
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self.worker

    def change_data(self, round_: int) -> None:
        """An import as a ward would make it: the loop must follow it."""
        ward = [self.anhoa, self.caikhe, self.hungphu][round_ % 3]
        series = "cantho-sim" if round_ == 3 else "reported"
        surveillance.import_records(
            "daily",
            [
                {"area_id": ward.pk, "date": DAY + dt.timedelta(days=d), "community": 3 + round_}
                for d in range(round_ * 2, round_ * 2 + 5)
            ],
            actor=self.health_officer,
            series_code=series,
            label=f"round-{round_}.csv",
        )

    def kill_at(self, point: str, round_: int) -> None:
        sign = self.folder / f"reached-{round_}"
        worker = self.start(
            "vungxanh.loop.tests.fault_worker", VX_FAULT_POINT=point, VX_FAULT_SIGNAL=str(sign)
        )
        deadline = time.monotonic() + WAIT_SECONDS
        while not sign.exists():
            self.assertIsNone(worker.poll(), f"the worker stopped before reaching {point}")
            self.assertLess(time.monotonic(), deadline, f"the loop never reached {point}")
            time.sleep(0.1)
        pid, _reached = sign.read_text().split(" ", 1)
        self.assertEqual(int(pid), worker.pid)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    def settle(self) -> None:
        worker = self.start("vungxanh.cli")
        deadline = time.monotonic() + WAIT_SECONDS
        busy = [Job.Status.QUEUED, Job.Status.RUNNING]
        while (
            Job.objects.filter(status__in=busy).exists()
            or Change.objects.filter(processed_at__isnull=True).exists()
        ):
            self.assertIsNone(worker.poll(), "the worker stopped")
            if time.monotonic() > deadline:
                left = list(Job.objects.filter(status__in=busy).values_list("status", "attempts"))
                self.fail(f"the loop did not settle: {left}")
            time.sleep(0.2)

    def test_five_kills_leave_the_levels_of_a_recompute_from_scratch(self):
        draw = random.Random(SEED)
        points = [draw.choice(POINTS) for _kill in range(KILLS)]
        for round_, point in enumerate(points):
            self.change_data(round_)
            self.kill_at(point, round_)
        self.settle()

        self.assertFalse(Job.objects.filter(status=Job.Status.RUNNING).exists())
        self.assertFalse(Job.objects.filter(status=Job.Status.QUEUED).exists())
        self.assertFalse(Change.objects.filter(processed_at__isnull=True).exists())
        for failed in Job.objects.filter(status=Job.Status.FAILED):
            self.assertGreaterEqual(failed.attempts, 3, "only a job that died too often fails")
            self.assertIn("3", failed.error)
        self.assertTrue(Job.objects.filter(task="loop.drain", status=Job.Status.DONE).exists())

        after_the_kills = stored()
        self.assertTrue(after_the_kills["levels"], "the loop computed levels")
        sim = Series.objects.get(code="cantho-sim")
        self.assertTrue(
            any(key[1] == sim.pk for key in after_the_kills["indicators"]),
            "every series that changed was recomputed",
        )

        # From scratch, in this process: every stage over the whole country, every series.
        IndicatorSeries.objects.all().delete()
        RtSeries.objects.all().delete()
        AssessmentSeries.objects.all().delete()
        for series in Series.objects.all():
            for stage in STAGES:
                stage.run(series, None)
        from_scratch = stored()
        for part in ("indicators", "rt", "levels"):
            with self.subTest(part=part):
                self.assertEqual(after_the_kills[part].keys(), from_scratch[part].keys())
                self.assertEqual(after_the_kills[part], from_scratch[part])
