"""Freshness (issue 10, item 3): every page, export and API answer that shows indicators or
levels says up to when the data counts and when the levels were computed, and shows a
pending recompute as pending; the surveillance page and the level page never disagree
without saying so.

The world of ``test_views.build_levels``; then An Hòa reports 40 community cases on 21/10/2021
with the loop NOT run (``VX_LOOP_INLINE`` off, no worker): both pages say a recompute is
pending. Once the loop has drained the outbox, both show the same level and the same time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from vungxanh.jobs.models import Change, Job
from vungxanh.loop.drain import drain
from vungxanh.risk.freshness import freshness
from vungxanh.risk.tests.test_views import build_levels, daily_csv
from vungxanh.surveillance import services as surveillance
from vungxanh.testing import BaseTestCase

from .test_views import OCTOBER_DAY

NEXT_DAY = OCTOBER_DAY.replace(day=21)
PENDING = 'data-testid="recompute-pending"'


def no_progress(fraction, phase):
    return None


class FreshnessTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)

    def pages(self, user=None):
        self.client.force_login(user or self.district_steering)
        return (
            self.client.get(reverse("surveillance:area", args=["31120"])),
            self.client.get(reverse("risk:area", args=["31120"])),
        )

    def import_late_cases(self):
        with override_settings(VX_LOOP_INLINE=False):
            result = surveillance.import_file(
                "daily", daily_csv([("31120", NEXT_DAY, 40)]), "late.csv", actor=self.admin
            )
        self.assertTrue(result.written)
        return result

    def test_both_pages_say_a_recompute_is_pending_until_the_loop_runs_then_agree(self):
        surveillance_page, risk_page = self.pages()
        for page in (surveillance_page, risk_page):
            self.assertContains(page, 'data-testid="freshness-line"')
            self.assertNotContains(page, PENDING)
        before = risk_page.context["freshness"].levels_computed_at

        self.import_late_cases()
        self.assertTrue(Change.objects.filter(processed_at__isnull=True).exists())
        surveillance_page, risk_page = self.pages()
        for page in (surveillance_page, risk_page):
            self.assertContains(page, PENDING)
            self.assertTrue(page.context["freshness"].recompute_pending)
            # The data changed after the levels were computed: the line says so by its times.
            self.assertGreater(
                page.context["freshness"].data_until, page.context["freshness"].levels_computed_at
            )

        drain(None, no_progress)
        surveillance_page, risk_page = self.pages()
        for page in (surveillance_page, risk_page):
            self.assertNotContains(page, PENDING)
            self.assertNotContains(page, 'data-testid="levels-stale"')
        fresh_s, fresh_r = surveillance_page.context["freshness"], risk_page.context["freshness"]
        self.assertEqual(fresh_s.levels_computed_at, fresh_r.levels_computed_at)
        self.assertGreater(fresh_r.levels_computed_at, before)
        self.assertEqual(fresh_s.line(), fresh_r.line())
        level_s, level_r = surveillance_page.context["area_level"], risk_page.context["area_level"]
        self.assertIsNotNone(level_s)
        self.assertEqual((level_s.record, level_s.key), (level_r.record, level_r.key))
        self.assertEqual(surveillance_page.context["last"], NEXT_DAY)
        self.assertEqual(risk_page.context["day"], NEXT_DAY)
        self.assertContains(surveillance_page, fresh_s.line())
        self.assertContains(risk_page, fresh_r.line())

    def test_a_queued_run_of_the_loop_counts_as_pending(self):
        self.assertFalse(freshness(self.anhoa, self.series).recompute_pending)
        Job.objects.create(task="loop.drain", status=Job.Status.QUEUED)
        self.assertTrue(freshness(self.anhoa, self.series).recompute_pending)

    def test_a_change_elsewhere_is_not_pending_here(self):
        with override_settings(VX_LOOP_INLINE=False):
            surveillance.import_file(
                "daily", daily_csv([("31189", NEXT_DAY, 3)]), "cairang.csv", actor=self.admin
            )
        self.assertFalse(freshness(self.anhoa, self.series).recompute_pending)
        self.assertTrue(freshness(self.hungphu, self.series).recompute_pending)
        # The city holds both: pending there.
        self.assertTrue(freshness(self.cantho, self.series).recompute_pending)

    def test_the_map_says_how_fresh_its_levels_are(self):
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("risk:map"), {"area": "916"})
        self.assertContains(page, 'data-testid="freshness-line"')
        self.import_late_cases()
        page = self.client.get(reverse("risk:map"), {"area": "916"})
        self.assertContains(page, PENDING)
        levels = self.client.get(
            reverse("risk:map_levels"),
            {"area": "916", "rules": "vn-4800-2021", "date": "20/10/2021"},
        ).json()
        self.assertTrue(levels["recompute_pending"])
        self.assertIsNotNone(levels["levels_computed_at"])

    def test_the_public_map_says_how_fresh_its_levels_are(self):
        self.client.logout()
        query = {"area": "916", "rules": "vn-4800-2021", "date": "20/10/2021"}
        with translation.override("vi"):
            page = self.client.get(reverse("public:map"), query)
        self.assertContains(page, "cấp độ tính lúc")
        self.assertNotContains(page, PENDING)
        self.import_late_cases()
        self.assertContains(self.client.get(reverse("public:map"), query), PENDING)

    def test_the_api_answers_carry_the_freshness_fields(self):
        self.import_late_cases()
        self.client.force_login(self.district_steering)
        levels = self.client.get(
            "/api/v1/risk/levels", {"area": "916", "rules": "vn-4800-2021", "date": "20/10/2021"}
        ).json()
        self.assertTrue(levels["recompute_pending"])
        self.assertIsNotNone(levels["data_until"])
        explain = self.client.get(
            "/api/v1/risk/areas/31120/explain", {"rules": "vn-4800-2021", "date": "20/10/2021"}
        ).json()
        self.assertTrue(explain["recompute_pending"])
        indicators = self.client.get("/api/v1/surveillance/indicators/31120").json()
        self.assertTrue(indicators["recompute_pending"])
        drain(None, no_progress)
        indicators = self.client.get("/api/v1/surveillance/indicators/31120").json()
        self.assertFalse(indicators["recompute_pending"])
        self.assertIsNotNone(indicators["levels_computed_at"])

    def test_the_exports_say_how_fresh_their_figures_are(self):
        self.import_late_cases()
        self.client.force_login(self.district_steering)
        for name, args in (("surveillance:area_export", ["31120", "csv"]),):
            response = self.client.get(reverse(name, args=args))
            body = b"".join(response.streaming_content).decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(body)))
            header = rows[0]
            self.assertEqual(header[-3:], ["data_until", "levels_computed_at", "recompute_pending"])
            last = dict(zip(header, rows[-1], strict=True))
            self.assertEqual(last["recompute_pending"], "yes")
            self.assertRegex(last["data_until"], r"^\d\d/\d\d/\d{4} \d\d:\d\d$")

    def test_the_map_export_says_how_fresh_its_levels_are(self):
        self.import_late_cases()
        self.client.force_login(self.district_steering)
        response = self.client.get(
            reverse("risk:map_xlsx"), {"area": "916", "rules": "vn-4800-2021", "date": "20/10/2021"}
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rows = list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].values)
        with translation.override("vi"):
            self.assertEqual(
                list(rows[0][-3:]),
                [_("data up to"), _("levels computed at"), _("recompute pending")],
            )
            self.assertEqual({r[-1] for r in rows[1:]}, {_("yes")})
        self.assertRegex(rows[1][-3], r"^\d\d/\d\d/\d{4} \d\d:\d\d$")

    def test_the_line_names_the_last_day_counted_not_after_the_as_of_day(self):
        from vungxanh.surveillance.models import IndicatorSeries

        stored = IndicatorSeries.objects.filter(area=self.anhoa).select_related("series")[0]
        last = stored.start + dt.timedelta(days=stored.days - 1)
        earlier = last - dt.timedelta(days=5)
        with translation.override("vi"):
            whole = freshness(self.anhoa, stored.series)
            cut = freshness(self.anhoa, stored.series, as_of=earlier)
            before_any = freshness(
                self.anhoa, stored.series, as_of=stored.start - dt.timedelta(days=1)
            )
        self.assertEqual(whole.last_day, last)
        self.assertIn(f"Số liệu đến ngày {last:%d/%m/%Y} (cập nhật ", whole.line())
        self.assertEqual(cut.last_day, earlier)
        self.assertIn(f"{earlier:%d/%m/%Y}", cut.line())
        self.assertIsNone(before_any.last_day, "no day counted before the first")
