"""``levels_in_force`` (arrays for many wards and days) equals ``applies.level_in_force``
(one ward, one day) for every ward and day of the levels test world, with an official
decision and a published assessment in it."""

from __future__ import annotations

import datetime as dt

from vungxanh.risk import applies, services
from vungxanh.risk.levels_in_force import (
    OFFICIAL,
    PUBLISHED,
    SOURCE_NAMES,
    levels_in_force,
    rank_table,
)
from vungxanh.risk.models import Assessment, AssessmentSeries, OfficialDecision
from vungxanh.risk.tests.test_views import LevelsTestCase

FIRST, LAST = dt.date(2021, 8, 10), dt.date(2021, 11, 5)


class LevelsInForceTestCase(LevelsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Cái Khế: the committee decides Cấp 3 on 22/10, where the rules say otherwise.
        cls.published = Assessment.objects.create(
            area=cls.caikhe, ruleset=cls.r4800, series=cls.series, date=dt.date(2021, 10, 22),
            computed_key="2", computed_rank=2, decided_key="3", decided_rank=3,
            criterion="test", inputs={}, explanation_vi="x", explanation_en="x",
            data_as_of=dt.datetime(2021, 10, 22, tzinfo=dt.UTC),
        )  # fmt: skip

    def test_it_equals_applies_for_every_ward_and_day(self):
        wards = [self.anhoa, self.caikhe, self.hungphu]
        grid = levels_in_force(wards, FIRST, LAST, self.series)
        seen = set()
        for w, ward in enumerate(wards):
            for offset in range(grid.days):
                day = grid.day(offset)
                expected = applies.level_in_force(
                    ward, day, self.series, AssessmentSeries.objects.all(),
                    OfficialDecision.objects.all(), Assessment.objects.all(),
                )  # fmt: skip
                source = SOURCE_NAMES[int(grid.source[w, offset])]
                where = f"{ward.code} {day}"
                if expected is None:
                    self.assertEqual(source, "", where)
                    continue
                seen.add(source)
                self.assertEqual(source, expected.source_kind, where)
                record = (
                    grid.records[grid.ruleset[w, offset]] if grid.ruleset[w, offset] >= 0 else None
                )
                self.assertEqual(record, expected.record, where)
                if expected.source_kind == OFFICIAL_NAME:
                    rs = services.ruleset_of(record)
                    mapped = rank_table(rs, [expected.rank])[expected.rank]
                    self.assertEqual(grid.key(w, offset), rs.levels[mapped].key, where)
                else:
                    self.assertEqual(grid.key(w, offset), expected.key, where)
        # The world exercises all three sources.
        self.assertEqual(seen, {"computed", "published", "official"})

    def test_an_official_decision_reads_as_the_level_of_its_rank(self):
        grid = levels_in_force(
            [self.anhoa], dt.date(2021, 10, 20), dt.date(2021, 10, 20), self.series
        )
        self.assertEqual(int(grid.source[0, 0]), OFFICIAL)
        self.assertEqual(grid.key(0, 0), "4")  # Chỉ thị 16, rank 4: Cấp 4 of vn-4800-2021
        grid = levels_in_force(
            [self.caikhe], dt.date(2021, 10, 25), dt.date(2021, 10, 25), self.series
        )
        self.assertEqual((int(grid.source[0, 0]), grid.key(0, 0)), (PUBLISHED, "3"))


OFFICIAL_NAME = SOURCE_NAMES[OFFICIAL]
