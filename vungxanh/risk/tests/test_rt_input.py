"""Rt as an input of a rule set: the stored Rt per area, series and day, computed by the
loop's rt stage before its levels stage, read through the rule set's sources (TOML)."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np

from vungxanh.domain.feeds import RT_STATISTICS
from vungxanh.loop.stages import STAGES
from vungxanh.risk import inputs as input_map
from vungxanh.risk import services
from vungxanh.risk.daily import levels_for_day
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.risk.tests.test_services import daily_csv
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.models import RT_ROWS, DailyCount, RtSeries
from vungxanh.testing import BaseTestCase

START = dt.date(2021, 9, 1)
DAYS = 21

RULES = """
id = "test-rt-rising"
version = "1"
title = "Test: the epidemic grows where the median Rt is 1 or more"
disease = "COVID-19"
scales = ["commune", "district", "province", "nation"]
effective_from = 2021-09-01
verified = true
method = "rules"

[source]
document = "test"

[[levels]]
key = "falling"
rank = 1
label = "Giảm"
colour = "#2e7d32"

[[levels]]
key = "rising"
rank = 2
label = "Tăng"
colour = "#c62828"

[[levels]]
key = "unknown"
rank = 0
label = "Chưa ước tính"
colour = "#9e9e9e"
state = "missing"

[inputs.rt_median]
label_vi = "Rt (trung vị)"
label_en = "Rt (median)"
decimals = 2
direction = "down"

[[rules]]
name = "no estimate"
level = "unknown"
when = "missing(rt_median)"
verified = true

[[rules]]
name = "growing"
level = "rising"
when = "rt_median >= 1"
verified = true

[[rules]]
name = "shrinking"
level = "falling"
when = "rt_median < 1"
verified = true
"""

SOURCES = """
id = "test-rt-inputs"
title = "Test: the median Rt feeds rt_median"

[inputs."test-rt-rising"]
rt_median = { indicator = "rt.q50", verified = true, note = "the stored Rt's median" }
"""


def test_the_rt_statistics_of_the_sources_are_the_stored_ones():
    assert RT_STATISTICS == RT_ROWS


def test_the_loop_computes_rt_before_levels():
    names = [stage.name for stage in STAGES]
    assert names.index("indicators") < names.index("rt") < names.index("levels")


class RtInputTestCase(BaseTestCase):
    def setUp(self):
        folder = Path(tempfile.mkdtemp(prefix="vx-rt-rules-"))
        (folder / "rules").mkdir()
        (folder / "rules" / "test-rt-rising.toml").write_text(RULES, encoding="utf-8")
        (folder / "feeds").mkdir()
        (folder / "feeds" / "test-rt-inputs.toml").write_text(SOURCES, encoding="utf-8")
        self.rules_folder = folder / "rules"
        patcher = mock.patch.object(
            input_map, "FEEDS_DIRS", [input_map.FEEDS_DIR, folder / "feeds"]
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def import_growth(self):
        # An Hòa: community cases growing 20 % a day for three weeks, then none for a week.
        rows = [("31120", START + dt.timedelta(days=d), round(2 * 1.2**d), 0) for d in range(DAYS)]
        rows += [("31120", START + dt.timedelta(days=DAYS + d), 0, 0) for d in range(7)]
        surveillance.import_file("daily", daily_csv(rows), "d.csv", actor=self.health_officer)

    def check_levels_follow_the_stored_rt(self, record) -> dict[str, int]:
        """Assert the level of every day is the rule applied to that day's stored median Rt."""
        stored = AssessmentSeries.objects.get(ruleset=record, area=self.anhoa)
        rt = RtSeries.objects.get(area=self.anhoa, series=stored.series)
        median = dict(zip(rt.dates(), rt.values("q50"), strict=True))
        ruleset = services.ruleset_of(record)
        levels = stored.level_indexes(computed=True)
        seen: dict[str, int] = {}
        for t in range(stored.days):
            day = stored.start + dt.timedelta(days=t)
            value = median.get(day, np.nan)
            key = ruleset.levels[int(levels[t])].key
            expected = "unknown" if math.isnan(value) else "rising" if value >= 1 else "falling"
            self.assertEqual(key, expected, day)
            read = stored.input_values(day)["rt_median"]
            if math.isnan(value):
                self.assertTrue(read is None or math.isnan(read), day)
            else:
                self.assertAlmostEqual(read, float(value), places=5)
            seen[key] = seen.get(key, 0) + 1
        return seen

    def test_a_rule_set_reads_the_stored_rt(self):
        self.import_growth()
        services.sync_rulesets(folder=self.rules_folder)  # the loop computes its levels
        record = RuleSetRecord.objects.get(code="test-rt-rising", current=True)
        self.assertIn(record, services.computable_rulesets())
        seen = self.check_levels_follow_the_stored_rt(record)
        # The growth gives Rt above 1; the first week has no estimate yet.
        self.assertGreater(seen.get("rising", 0), 5)
        self.assertGreater(seen.get("unknown", 0), 5)
        # The one-day reading (risk.daily) reads the same stored Rt.
        stored = AssessmentSeries.objects.get(ruleset=record, area=self.anhoa)
        for day in (START + dt.timedelta(days=3), START + dt.timedelta(days=15)):
            one_day = levels_for_day(record, stored.series, day)
            expected = int(stored.level_indexes(computed=True)[stored.offset(day)])
            self.assertEqual(one_day[self.anhoa.pk], expected, day)

    def test_a_data_change_recomputes_rt_then_the_levels_that_read_it(self):
        self.import_growth()
        services.sync_rulesets(folder=self.rules_folder)
        record = RuleSetRecord.objects.get(code="test-rt-rising", current=True)
        before = self.check_levels_follow_the_stored_rt(record)
        # A large outbreak reported on the last quiet day: Rt of that week jumps.
        quiet = DailyCount.objects.current().get(area=self.anhoa, date=dt.date(2021, 9, 28))
        edits.correct_fact(quiet, {"community": 900}, actor=self.health_officer, reason="late")
        after = self.check_levels_follow_the_stored_rt(record)
        self.assertNotEqual(before, after)
