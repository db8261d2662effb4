"""The vectorised statuses equal a plain per-establishment, per-day lookup, on a synthetic
grid of levels with lockdowns and a permit; and the periods tile the days."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.test import TestCase

from vungxanh.domain.activities import ActivityLookupError, lookup
from vungxanh.reopening import compute, matrices
from vungxanh.reopening.compute import Entry, PermitOverride
from vungxanh.risk import services
from vungxanh.risk.levels_in_force import LevelGrid

FIRST = dt.date(2021, 9, 15)
DAYS = 40  # across the green-zone regime (18–23/9) and into NQ 128 (from 11/10)
CODES = ["56101", "47112", "4711", "F", "9610", "01110", "8510", "ZZ", "56301"]
PERMIT = Entry("allowed", "permit", conditions_vi="Giấy phép số 1")


class ComputeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        services.sync_rulesets()

    def grid(self, rng) -> LevelGrid:
        records = services.computable_rulesets()
        wards = 4
        ruleset = np.full((wards, DAYS), -1, dtype=np.int16)
        level = np.full((wards, DAYS), -1, dtype=np.int16)
        for d in range(DAYS):
            day = FIRST + dt.timedelta(days=d)
            in_force = [i for i, r in enumerate(records) if services.ruleset_of(r).applies_on(day)]
            if not in_force:
                continue
            r = in_force[0]
            ruleset[:, d] = r
            n_levels = len(services.ruleset_of(records[r]).levels)
            level[:, d] = rng.integers(-1, n_levels, wards) if d % 5 == 0 else level[:, d - 1]
            level[ruleset[:, d - 1] != r, d] = rng.integers(0, n_levels) if d else 0
        source = np.where(level >= 0, 1, 0).astype(np.int8)
        return LevelGrid([None] * wards, FIRST, records, ruleset, level, source)

    def naive(self, grid, ward, code, offset, locked, permit_days):
        if offset in permit_days:
            return "allowed"
        if locked[ward, offset]:
            return "suspended"
        r, lv = int(grid.ruleset[ward, offset]), int(grid.level[ward, offset])
        if r < 0 or lv < 0:
            return "unknown"
        record = grid.records[r]
        matrix = matrices.choose(matrices.shipped(), record.code, grid.day(offset), "92")
        if matrix is None:
            return "unknown"
        try:
            return lookup(matrix, code, services.ruleset_of(record).levels[lv].key).status
        except ActivityLookupError:
            return "unknown"

    def test_the_arrays_equal_the_plain_lookup_for_every_establishment_and_day(self):
        rng = np.random.default_rng(7)
        grid = self.grid(rng)
        wards = rng.integers(0, 4, 60)
        codes = np.array(CODES)[rng.integers(0, len(CODES), 60)]
        locked = np.zeros((4, DAYS), dtype=bool)
        locked[2, 20:27] = True
        permit = PermitOverride(0, FIRST + dt.timedelta(days=30), None, PERMIT)
        periods = compute.compute(
            grid, matrices.shipped(), "92", wards, codes, locked, [(5, permit)]
        )
        since = periods.since()
        for e in range(60):
            rows = np.nonzero(periods.establishment == e)[0]
            self.assertEqual(int(periods.start[rows[0]]), 0)
            self.assertEqual(int(periods.end[rows[-1]]), -1)
            statuses = []
            for i in rows:
                end = DAYS - 1 if periods.end[i] < 0 else int(periods.end[i])
                statuses += [periods.catalogue[periods.cell[i]].status] * (
                    end - periods.start[i] + 1
                )
                # "since" is the start of the run of this status
                first = int(since[i])
                self.assertTrue(all(s == statuses[-1] for s in statuses[first:]))
                self.assertTrue(first == 0 or statuses[first - 1] != statuses[-1])
            permit_days = set(range(30, DAYS)) if e == 5 else set()
            expected = [
                self.naive(grid, int(wards[e]), str(codes[e]), d, locked, permit_days)
                for d in range(DAYS)
            ]
            self.assertEqual(statuses, expected, f"establishment {e} ({codes[e]}, ward {wards[e]})")
        self.assertIn(
            "permit",
            {periods.catalogue[c].reason for c in periods.cell[periods.establishment == 5]},
        )
        self.assertIn("lockdown", {e.reason for e in (periods.catalogue[c] for c in periods.cell)})
