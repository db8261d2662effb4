"""The level in force for many wards over many days at once, as arrays.

``applies.level_in_force`` answers one area on one day for a page. The establishment stage
needs every ward of a province over every day, so this module reads the same facts in a few
queries (computed series, official decisions, published assessments) and applies the same
precedence with NumPy:

1. an official decision in force (the latest by effective day) or the level the steering
   committee published under the rule set in force, whichever took effect last (a tie goes
   to the official decision);
2. else the computed level of the first rule set in force (in code order) whose series
   covers the day.

An official decision carries a rank, not a key: it is read as the rule set in force's
level of that rank (the highest level at or below it, as ``applies`` picks its colour), so
an activity matrix can be looked up for it. ``vungxanh/reopening/tests/test_levels_in_force.py``
checks the arrays against ``applies.level_in_force`` for every ward and day of a small world.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vungxanh.areas.models import Area
from vungxanh.domain.rules import RuleSet
from vungxanh.risk import services
from vungxanh.risk.models import Assessment, AssessmentSeries, OfficialDecision, RuleSetRecord
from vungxanh.surveillance.models import Series

NONE, COMPUTED, PUBLISHED, OFFICIAL = 0, 1, 2, 3
SOURCE_NAMES = {NONE: "", COMPUTED: "computed", PUBLISHED: "published", OFFICIAL: "official"}


@dataclass
class LevelGrid:
    """Ward × day arrays; ``ruleset`` indexes ``records``, ``level`` that rule set's levels."""

    wards: list[Area]
    first_day: dt.date
    records: list[RuleSetRecord]
    ruleset: np.ndarray  # int16, -1: no rule set in force
    level: np.ndarray  # int16, -1: no level
    source: np.ndarray  # int8: NONE, COMPUTED, PUBLISHED or OFFICIAL

    @property
    def days(self) -> int:
        return self.ruleset.shape[1]

    def day(self, offset: int) -> dt.date:
        return self.first_day + dt.timedelta(days=offset)

    def key(self, ward: int, offset: int) -> str | None:
        """The level key of one cell (None: no level, or a decided status of no level)."""
        r, lv = int(self.ruleset[ward, offset]), int(self.level[ward, offset])
        if r < 0 or lv < 0:
            return None
        return services.ruleset_of(self.records[r]).levels[lv].key


def rank_table(ruleset: RuleSet, ranks: Sequence[int]) -> dict[int, int]:
    """Each rank -> the index of the level an official decision of that rank reads as."""
    ranked = ruleset.ranked_levels()
    found = {}
    for rank in ranks:
        fitting = [lv for lv in ranked if lv.rank <= rank] or ranked[:1]
        if fitting:
            found[rank] = ruleset.levels.index(max(fitting, key=lambda lv: lv.rank))
    return found


def _fill_latest(grid: np.ndarray, row: int, offset: int, value: int) -> None:
    """Rows are given oldest first: a later fact overwrites from its day onward."""
    grid[row, max(offset, 0) :] = value


def levels_in_force(
    wards: Sequence[Area], first_day: dt.date, last_day: dt.date, series: Series
) -> LevelGrid:
    """The level in force for each of ``wards`` on each day from ``first_day`` to ``last_day``."""
    wards = list(wards)
    days = (last_day - first_day).days + 1
    n = len(wards)
    row_of = {w.pk: i for i, w in enumerate(wards)}
    records = services.computable_rulesets()  # in code order, as ``applies`` tries them
    index_of = {r.pk: i for i, r in enumerate(records)}
    rulesets = [services.ruleset_of(r) for r in records]
    offsets = np.arange(days)
    day_numbers = first_day.toordinal() + offsets

    # Each computable rule set's level per ward and day; -2: the series does not cover it.
    computed = np.full((len(records), n, days), -2, dtype=np.int16)
    for row in AssessmentSeries.objects.filter(
        area_id__in=list(row_of), series=series, ruleset_id__in=list(index_of)
    ):
        start = (row.start - first_day).days
        lo, hi = max(start, 0), min(start + row.days, days)
        if lo < hi:
            computed[index_of[row.ruleset_id], row_of[row.area_id], lo:hi] = row.level_indexes()[
                lo - start : hi - start
            ]
    in_force = np.array(
        [
            [
                (rs.effective_from is None or d >= rs.effective_from.toordinal())
                and (rs.effective_to is None or d <= rs.effective_to.toordinal())
                for d in day_numbers
            ]
            for rs in rulesets
        ],
        dtype=bool,
    ).reshape(len(records), days)

    primary = np.full((n, days), -1, dtype=np.int16)
    primary_level = np.full((n, days), -1, dtype=np.int16)
    for r in range(len(records)):
        take = (primary < 0) & (computed[r] > -2) & in_force[r][None, :]
        primary[take] = r
        primary_level[take] = computed[r][take]

    # Official decisions: the latest in force (by effective day, then announced day, then id).
    official = np.full((n, days), -1, dtype=np.int32)
    decisions = list(
        OfficialDecision.objects.filter(area_id__in=list(row_of), effective_on__lte=last_day)
        .order_by("effective_on", "announced_on", "id")
        .values_list("area_id", "effective_on", "rank")
    )
    for i, (area_id, effective_on, _rank) in enumerate(decisions):
        _fill_latest(official, row_of[area_id], (effective_on - first_day).days, i)

    # Published assessments: per rule set, the latest published on or before the day.
    published = np.full((len(records), n, days), -1, dtype=np.int32)
    assessments = list(
        Assessment.objects.filter(
            area_id__in=list(row_of), series=series, ruleset_id__in=list(index_of),
            date__lte=last_day,
        )
        .order_by("date", "id")
        .values_list("area_id", "ruleset_id", "date", "decided_key")
    )  # fmt: skip
    for i, (area_id, ruleset_id, date, _key) in enumerate(assessments):
        start = max((date - first_day).days, 0)
        published[index_of[ruleset_id], row_of[area_id], start:] = i

    ruleset = primary.copy()
    level = np.full((n, days), -1, dtype=np.int16)
    source = np.full((n, days), NONE, dtype=np.int8)

    # The published assessment under the rule set in force, if any.
    pub = np.full((n, days), -1, dtype=np.int32)
    has_primary = primary >= 0
    wi, di = np.nonzero(has_primary)
    pub[wi, di] = published[primary[wi, di], wi, di]

    official_day = np.array([d[1].toordinal() for d in decisions] or [0], dtype=np.int64)
    published_day = np.array([a[2].toordinal() for a in assessments] or [0], dtype=np.int64)
    both = (official >= 0) & (pub >= 0)
    later = np.zeros((n, days), dtype=bool)
    later[both] = published_day[pub[both]] > official_day[official[both]]
    use_official = (official >= 0) & ~later
    use_published = (pub >= 0) & ~use_official

    # Computed: a rule set in force with a level that day.
    use_computed = has_primary & (primary_level >= 0) & ~use_official & ~use_published
    level[use_computed] = primary_level[use_computed]
    source[use_computed] = COMPUTED

    # Published: the decided key read in the rule set in force (-1 if it names no level).
    key_index = np.array(
        [
            next((j for j, lv in enumerate(rulesets[index_of[rid]].levels) if lv.key == key), -1)
            for _a, rid, _d, key in assessments
        ]
        or [-1],
        dtype=np.int16,
    )
    level[use_published] = key_index[pub[use_published]]
    source[use_published] = PUBLISHED

    # Official: its rank read as a level of the rule set in force.
    ranks = np.array([d[2] if d[2] is not None else -1 for d in decisions] or [-1])
    for r, rs in enumerate(rulesets):
        table = rank_table(rs, sorted({int(x) for x in ranks if x >= 0}))
        mapped = np.array([table.get(int(x), -1) for x in ranks], dtype=np.int16)
        cells = use_official & (primary == r)
        level[cells] = mapped[official[cells]]
    source[use_official] = OFFICIAL
    ruleset[source == NONE] = -1
    return LevelGrid(wards, first_day, records, ruleset, level, source)
