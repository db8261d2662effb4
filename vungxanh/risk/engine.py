"""The level engine: a rule set evaluated over the stored indicators of a province.

All areas of a scale are evaluated in one vectorised call per day (``evaluate_day``);
scales judged on their children come after them (``plan_scales``). The inputs come from
the stored indicators and the stored Rt through the rule set's sources (``risk.inputs``);
hysteresis and delays are applied afterwards (``timed_levels``). Nothing here writes:
``services.compute_levels`` stores what ``evaluate_province`` returns, the projection and
the one-day levels (``risk.daily``) use the same functions on their own matrices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain.classify import NO_RULE, apply_timing, assess, index_of_rank
from vungxanh.domain.indicators import forward_fill
from vungxanh.domain.rules import RuleSet
from vungxanh.risk import inputs as input_map
from vungxanh.surveillance.models import RT_ROWS, IndicatorSeries, RtSeries, Series

# Scales in the order they are evaluated: a scale judged on its children comes after them.
SCALE_ORDER = [
    AreaKind.SUBUNIT,
    AreaKind.COMMUNE,
    AreaKind.DISTRICT,
    AreaKind.PROVINCE,
    AreaKind.NATION,
]


@dataclass
class Province:
    """The areas of one province with their input matrices on a common day axis."""

    areas: list
    start: dt.date
    days: int
    indicators: dict[str, np.ndarray]

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=t) for t in range(self.days)]


def load_province(series: Series, province: Area, names: set[str]) -> Province | None:
    """Return the stored indicators (and Rt statistics) ``names`` of the province's areas."""
    rows = list(
        IndicatorSeries.objects.filter(
            series=series, area__path__startswith=province.path
        ).select_related("area")
    )
    if not rows:
        return None
    start = min(r.start for r in rows)
    end = max(r.start + dt.timedelta(days=r.days) for r in rows)
    days = (end - start).days
    stored = {n for n in names if not input_map.is_rt(n)}
    matrices = {n: np.full((len(rows), days), np.nan, dtype=np.float64) for n in names}
    for i, row in enumerate(rows):
        offset = (row.start - start).days
        data = row.matrix()
        for name in stored:
            matrices[name][i, offset : offset + row.days] = data[row.names.index(name)]
    statistics = input_map.rt_statistics(names)
    if statistics:
        fill_rt(matrices, series, [r.area_id for r in rows], start, days, statistics)
    return Province([r.area for r in rows], start, days, matrices)


def fill_rt(
    matrices: dict[str, np.ndarray],
    series: Series,
    area_ids: list[int],
    start: dt.date,
    days: int,
    statistics: set[str],
) -> None:
    """Copy the stored Rt statistics of the areas (rows in ``area_ids`` order) onto the axis.

    Rt is estimated for the window ending on each day; days without an estimate (the first
    week, the days after the last report) stay NaN, a missing input.
    """
    position = {pk: i for i, pk in enumerate(area_ids)}
    for rt in RtSeries.objects.filter(series=series, area_id__in=area_ids):
        i = position[rt.area_id]
        matrix = rt.matrix()
        shift = (rt.start - start).days
        lo, hi = max(shift, 0), min(shift + rt.days, days)
        if hi <= lo:
            continue
        for statistic in statistics:
            values = matrix[RT_ROWS.index(statistic)]
            matrices[f"rt.{statistic}"][i, lo:hi] = values[lo - shift : hi - shift]


@dataclass(frozen=True)
class ScaleStep:
    """The areas of one scale, and for scales judged on children, who their children are."""

    scale: str
    rows: np.ndarray  # positions of the scale's areas
    children: np.ndarray | None  # positions of their children
    parent_slot: np.ndarray | None  # for each child, the index of its parent within ``rows``


def plan_scales(ruleset: RuleSet, areas: list) -> list[ScaleStep]:
    """Work out once per province which rows each scale evaluates (no per-day loops)."""
    position = {a.pk: i for i, a in enumerate(areas)}
    kinds = np.array([a.kind for a in areas])
    steps = []
    for scale in SCALE_ORDER:
        rows = np.flatnonzero(kinds == scale)
        if not len(rows):
            continue
        rule = ruleset.scale_rules.get(str(scale))
        children = parent_slot = None
        if rule is not None and rule.method == "children":
            slot_of = {areas[r].pk: k for k, r in enumerate(rows)}
            pairs = [
                (position[a.pk], slot_of[a.parent_id]) for a in areas if a.parent_id in slot_of
            ]
            children = np.array([p for p, _slot in pairs], dtype=int)
            parent_slot = np.array([slot for _p, slot in pairs], dtype=int)
        steps.append(ScaleStep(str(scale), rows, children, parent_slot))
    return steps


def child_levels(ruleset: RuleSet, step: ScaleStep, level_index: np.ndarray):
    """Count the children at each level key, per parent, for share() and count()."""
    size = len(step.rows)
    child_index = level_index[step.children]
    assessed = np.zeros(size)
    np.add.at(assessed, step.parent_slot[child_index >= 0], 1.0)
    counts = {}
    for number, level in enumerate(ruleset.levels):
        at_level = np.zeros(size)
        np.add.at(at_level, step.parent_slot[child_index == number], 1.0)
        counts[level.key] = (at_level, assessed)
    return counts


def evaluate_day(
    ruleset: RuleSet,
    mapping: dict[str, str],
    province: Province,
    plan: list[ScaleStep],
    column: int,
    day: dt.date,
    previous: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (level index, rank) of every area of the province on one day."""
    values = input_map.day_values(mapping, province.indicators, day, column, previous)
    level_index = np.full(len(province.areas), NO_RULE, dtype=np.int64)
    for step in plan:
        counts = child_levels(ruleset, step, level_index) if step.children is not None else None
        result = assess(
            ruleset,
            {k: v[step.rows] for k, v in values.items()},
            scale=step.scale,
            child_levels=counts,
        )
        level_index[step.rows] = result.level_index
    ranks = np.array([lv.rank for lv in ruleset.levels] + [0], dtype=np.float64)
    return level_index, np.where(level_index >= 0, ranks[level_index], np.nan)


def evaluate_province(
    ruleset: RuleSet, mapping: dict[str, str], province: Province
) -> tuple[np.ndarray, np.ndarray]:
    """Return the (computed, decided) level indexes, ``areas × days``, of a province."""
    n, days = len(province.areas), province.days
    computed = np.full((n, days), NO_RULE, dtype=np.int64)
    previous = np.full(n, np.nan)
    dates = province.dates
    plan = plan_scales(ruleset, province.areas)
    for t, day in enumerate(dates):
        computed[:, t], previous = evaluate_day(ruleset, mapping, province, plan, t, day, previous)
    return computed, timed_levels(ruleset, computed, dates)


def input_matrix(mapping: dict[str, str], province: Province, name: str) -> np.ndarray:
    """Return the ``areas × days`` values input ``name`` read (NaN for the previous level)."""
    if mapping[name] == input_map.PREVIOUS_LEVEL:
        return np.full((len(province.areas), province.days), np.nan)
    return input_map.source_matrix(mapping[name], province.indicators, province.dates)


def timed_levels(ruleset: RuleSet, computed: np.ndarray, dates) -> np.ndarray:
    """Apply hysteresis and delays to ranked levels; grey/unknown states pass through."""
    ranks = np.array([lv.rank for lv in ruleset.levels] + [0], dtype=np.float64)
    ranked = np.array([lv.state == "level" for lv in ruleset.levels] + [False])
    is_ranked = ranked[computed]
    rank = np.where(is_ranked, ranks[computed], np.nan)
    # An unranked day (no data) neither raises nor lowers: carry the last ranked level.
    filled = forward_fill(rank)
    timed = apply_timing(ruleset, np.nan_to_num(filled, nan=0.0), dates)
    # Before an area's first ranked day apply_timing gives NaN: no decided level yet.
    index = index_of_rank(ruleset, timed)
    return np.where(is_ranked | ~np.isnan(filled), index, computed)
