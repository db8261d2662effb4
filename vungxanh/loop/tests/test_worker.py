"""The loop closes by itself: an import reaches the indicators and levels through a real
worker, on the configured broker (the embedded filesystem transport by default; the
PostgreSQL leg of ``make test`` uses Redis), with no command run by a person."""

from __future__ import annotations

import hashlib
import importlib
import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from vungxanh.jobs.models import Change, Job
from vungxanh.risk import services as risk
from vungxanh.risk.freshness import moment
from vungxanh.risk.models import AssessmentSeries
from vungxanh.surveillance.models import IndicatorSeries, Series
from vungxanh.testing import build_world

STANDARD_SERIES = importlib.import_module(
    "vungxanh.surveillance.migrations.0002_standard_series"
).STANDARD_SERIES

CASES = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n" + "".join(
    f"W-{n:04d},31120,{10 + n % 10:02d}/09/2021,community\n" for n in range(60)
)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@override_settings(VX_LOOP_INLINE=False)
class RealWorkerTestCase(TransactionTestCase):
    def setUp(self) -> None:
        # A TransactionTestCase run after another one finds the tables flushed: bring back
        # the standard series the migration created.
        for values in STANDARD_SERIES:
            Series.objects.get_or_create(code=values["code"], defaults=values)
        build_world(self)
        with self.settings(VX_LOOP_AUTOMATIC=False):
            risk.sync_rulesets()
        # Loading the rule sets wrote a change of its own; this test follows the import's.
        Change.objects.filter(what="rules").delete()
        env = {
            **os.environ,
            "VX_DATABASE_URL": database_url(),
            "VX_DATA_DIR": str(settings.DATA_DIR),
            "VX_BROKER_URL": settings.CELERY_BROKER_URL,
            "VX_SECRET_KEY": settings.SECRET_KEY,
        }
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "vungxanh.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def tearDown(self) -> None:
        self.worker.kill()
        self.worker.wait(timeout=30)

    def wait_for_the_loop(self, timeout: float = 120) -> Job:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = Job.objects.filter(task="loop.drain", status=Job.Status.DONE).first()
            if done is not None and not Change.objects.filter(processed_at__isnull=True).exists():
                return done
            self.assertIsNone(self.worker.poll(), "the worker stopped")
            time.sleep(0.5)
        self.fail("the loop did not run within the time allowed")

    def test_a_ward_import_reaches_indicators_and_levels_without_any_command(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("api:import_create", args=["cases"]),
            {"file": SimpleUploadedFile("cases.csv", CASES.encode(), "text/csv")},
        )
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertTrue(Change.objects.filter(area_path=self.anhoa.path).exists())
        self.assertFalse(IndicatorSeries.objects.exists(), "nothing is computed in the request")

        job = self.wait_for_the_loop()

        self.assertTrue(IndicatorSeries.objects.filter(area=self.anhoa).exists())
        levels = AssessmentSeries.objects.filter(area=self.anhoa)
        self.assertTrue(levels.exists(), "the levels follow the data by themselves")
        self.assertTrue(
            job.worker.endswith(f":{self.worker.pid}"), "the worker process ran the loop"
        )
        self.assertEqual(job.outcome["changes"], 1)

    def test_an_import_on_the_web_page_shows_on_the_map_and_area_page_once_the_job_ends(self):
        self.client.force_login(self.anhoa_official)
        upload = SimpleUploadedFile("cases.csv", CASES.encode(), "text/csv")
        preview = self.client.post(reverse("imports:new"), {"kind": "cases", "file": upload})
        self.assertContains(preview, "60")  # the preview says what importing would add
        confirmed = self.client.post(
            reverse("imports:confirm"),
            {
                "kind": "cases",
                "sha256": hashlib.sha256(CASES.encode()).hexdigest(),
                "file_name": "cases.csv",
                "rows": 60,
            },
        )
        self.assertEqual(confirmed.status_code, 302, confirmed.content[:300])
        area_page = reverse("risk:area", args=[self.anhoa.code])
        before = self.client.get(area_page)
        self.assertContains(before, 'data-testid="recompute-pending"')

        self.wait_for_the_loop()

        computed = AssessmentSeries.objects.filter(area=self.anhoa).order_by("-computed_at")
        self.assertTrue(computed.exists(), "the levels follow the data by themselves")
        stamp = moment(computed[0].computed_at)
        after = self.client.get(area_page)
        self.assertNotContains(after, 'data-testid="recompute-pending"')
        self.assertContains(after, stamp[-5:])  # "cấp độ tính lúc HH:MM"
        self.client.force_login(self.district_steering)  # the district's map
        levels = self.client.get(
            reverse("risk:map_levels"), {"area": self.ninhkieu.code, "date": "20/09/2021"}
        ).json()
        anhoa = next(f for f in levels["features"] if f["properties"]["code"] == self.anhoa.code)
        self.assertIsNotNone(anhoa["properties"]["computed"], anhoa["properties"])
        self.assertFalse(levels["recompute_pending"])
        self.assertIsNotNone(levels["levels_computed_at"])
