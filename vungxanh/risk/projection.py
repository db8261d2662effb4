"""What it takes to turn green: for an area, a rule set and a day.

Two answers, both read-only:

1. ``steps``: for each input with a direction, the smallest change (others unchanged)
   that lowers the computed level (``domain.classify.what_lowers`` on the day's inputs),
   turned where possible into a count a ward understands: community cases per 100,000
   per week ≤ 20 in a ward of 31,268 people is "at most 6 community cases in the week"
   (cases ≤ ⌊20 × 31,268 / 100,000⌋, or one fewer when the bound is strict and falls on a
   whole number).
2. ``first_lower_on`` / ``green_on``: if no new case appears after the day, the area's
   indicators are projected forward (zero new cases appended to ``new_cases`` and
   ``new_community``; the 7- and 14-day windows and the days since the last community
   case recomputed with ``domain.indicators``; vaccination, capacity and test stocks held
   at the day's value), the rule set is evaluated day by day exactly as
   ``services.compute_levels`` does, its timing rules (hysteresis, delays) applied, and
   the first date the level *in force* would be lower, and the first date it would be the
   lowest level (green), are returned. History up to the day is the stored computation,
   so the projection continues what the map shows.

An area whose scale is judged on its children's levels (QĐ 2686 districts) is projected
with its children, and has no per-input steps: its own inputs do not decide its level.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.domain.classify import NO_RULE, Threshold, format_number, what_lowers
from vungxanh.domain.indicators import INDICATORS, PER, IndicatorInputs, compute, forward_fill
from vungxanh.domain.rules import Level, RuleSet
from vungxanh.risk import engine, services
from vungxanh.risk import inputs as input_map
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance.models import IndicatorSeries, Series

# How far ahead the projection looks. The green-zone rule needs 14 days; QĐ 4800 needs
# the weekly windows to empty; eight weeks leave room for delays and hysteresis.
HORIZON_DAYS = 56

# Daily flows set to zero after the day ("no new case appears").
FLOWS = ("new_cases", "new_community", "new_deaths")


@dataclass(frozen=True)
class CountBound:
    """An input bound written as a count of cases: "at most ``limit`` … in ``window``"."""

    limit: int
    now: int | None
    text: str


@dataclass(frozen=True)
class Step:
    """One input's smallest change that lowers the level."""

    input: str
    label: str
    symbol: str
    threshold: float
    current: float
    level: Level | None  # the level the area would then have
    text: str  # "≤ 20 community cases per 100,000 people per week"
    count: CountBound | None = None


@dataclass
class Projection:
    """What it takes to lower an area's level, and when it turns green if nothing happens."""

    area: Area
    record: RuleSetRecord
    series: Series
    day: dt.date
    level: Level | None  # in force on the day
    lowest: Level | None  # the lowest ranked level of the rule set (green)
    steps: list[Step] = field(default_factory=list)
    first_lower_on: dt.date | None = None
    first_lower: Level | None = None
    green_on: dt.date | None = None
    horizon: dt.date | None = None
    judged_on_children: bool = False

    @property
    def is_lowest(self) -> bool:
        return (
            self.level is not None and self.lowest is not None and self.level.key == self.lowest.key
        )


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def project(
    record: RuleSetRecord,
    series: Series,
    area: Area,
    day: dt.date,
    *,
    horizon_days: int = HORIZON_DAYS,
) -> Projection | None:
    """Return the projection of ``area`` on ``day``, or None without computed levels.

    The caller has checked that the user may read the area's levels.
    """
    ruleset = services.ruleset_of(record)
    row = (
        AssessmentSeries.objects.filter(ruleset=record, series=series, area=area)
        .select_related("area")
        .first()
    )
    if row is None or row.offset(day) is None:
        return None
    levels = row.level_indexes()
    index = int(levels[row.offset(day)])
    ranked = ruleset.ranked_levels()
    projection = Projection(
        area=area,
        record=record,
        series=series,
        day=day,
        level=ruleset.levels[index] if index >= 0 else None,
        lowest=ranked[0] if ranked else None,
    )
    scale_rule = ruleset.scale_rules.get(str(area.kind))
    projection.judged_on_children = scale_rule is not None and scale_rule.method == "children"
    if projection.level is None or projection.level.state != "level":
        return projection
    if not projection.judged_on_children:
        projection.steps = steps(ruleset, record, row, day)
    _forward(projection, ruleset, row, horizon_days)
    return projection


# -- 1. the smallest change of each input ------------------------------------------------


def steps(ruleset: RuleSet, record: RuleSetRecord, row: AssessmentSeries, day: dt.date):
    """Return, per input with a direction, the change that lowers the computed level."""
    _explanation, values = services.explain_day(record, row, day)
    inputs = {name: float(v[0]) for name, v in values.items()}
    mapping = input_map.mapping_for(ruleset, services.parents())
    indicators = _indicators_on(row.area, row.series_id, day)
    language = _language()
    found = []
    for threshold in what_lowers(ruleset, inputs):
        spec = ruleset.inputs[threshold.input]
        label = spec.label_vi if language == "vi" else spec.label_en
        unit = spec.unit_vi if language == "vi" else spec.unit_en
        value = format_number(threshold.value, spec.decimals, language)
        level = _level(ruleset, threshold.level_key)
        found.append(
            Step(
                input=threshold.input,
                label=label,
                symbol=threshold.symbol,
                threshold=threshold.value,
                current=inputs.get(threshold.input, math.nan),
                level=level,
                text=f"{threshold.symbol} {value}{unit} {label}".replace("  ", " "),
                count=count_bound(
                    threshold, mapping.get(threshold.input, ""), row.area, indicators, day
                ),
            )
        )
    return found


def _level(ruleset: RuleSet, key: str) -> Level | None:
    return next((lv for lv in ruleset.levels if lv.key == key), None)


def _indicators_on(area: Area, series_id: int, day: dt.date) -> dict[str, float | None]:
    row = IndicatorSeries.objects.filter(area=area, series_id=series_id).first()
    return row.on(day) if row is not None else {}


def largest_count(threshold: float, symbol: str, population: int, scale: float = 1.0) -> int:
    """Return the largest whole count c with c × 100,000 / (population × scale) ``symbol`` T.

    ``symbol`` is "≤" or "<". Exact arithmetic: 20 per 100,000 in 5,000 people is exactly
    one case, so "< 20" allows none and "≤ 20" allows one.
    """
    bound = Fraction(repr(float(threshold))) * population * Fraction(repr(scale)) / int(PER)
    whole = math.floor(bound)
    if symbol == "<" and whole == bound:
        whole -= 1
    return max(whole, 0)


# indicator -> (count indicator, how many windows the rate averages, message)
_RATE_COUNTS = {
    "community_incidence_7d": ("community_7d", 1.0, "week"),
    "incidence_7d": ("cases_7d", 1.0, "week_all"),
    "community_incidence_14d": (None, 1.0, "fortnight"),
    "community_weekly_avg_2w": (None, 2.0, "fortnight"),
}


def _count_text(kind: str, limit: int) -> str:
    if kind == "week":
        if limit == 0:
            return _("no community case in the week")
        return ngettext(
            "at most %(n)d community case in the week",
            "at most %(n)d community cases in the week",
            limit,
        ) % {"n": limit}
    if kind == "week_all":
        if limit == 0:
            return _("no new case in the week")
        return ngettext(
            "at most %(n)d case in the week", "at most %(n)d cases in the week", limit
        ) % {"n": limit}
    if limit == 0:
        return _("no community case in 14 days")
    return ngettext(
        "at most %(n)d community case in 14 days",
        "at most %(n)d community cases in 14 days",
        limit,
    ) % {"n": limit}


def count_bound(
    threshold: Threshold,
    indicator: str,
    area: Area,
    indicators: dict[str, float | None],
    day: dt.date,
) -> CountBound | None:
    """Return the threshold as a count of cases, or None where it is not a case rate."""
    if indicator == "days_since_community_case":
        return _days_bound(threshold, indicators, day)
    if indicator not in _RATE_COUNTS or threshold.symbol not in {"≤", "<"}:
        return None
    if not area.population:
        return None
    count_name, windows, kind = _RATE_COUNTS[indicator]
    limit = largest_count(threshold.value, threshold.symbol, area.population, windows)
    if count_name is not None:
        now = indicators.get(count_name)
    else:
        week, before = indicators.get("community_7d"), indicators.get("community_prev_7d")
        now = None if week is None or before is None else week + before
    return CountBound(limit, None if now is None else int(round(now)), _count_text(kind, limit))


def _days_bound(threshold: Threshold, indicators, day: dt.date) -> CountBound | None:
    if threshold.symbol not in {"≥", ">"}:
        return None
    needed = math.ceil(threshold.value) + (1 if threshold.symbol == ">" else 0)
    since = indicators.get("days_since_community_case")
    if since is None:
        return None
    # Worded as the rule's condition is (no date: the day the level changes, after the rule
    # set's delays, is the one date the page gives, under "If no new case appears").
    if threshold.symbol == ">":
        full = int(math.ceil(threshold.value))
        text = ngettext(
            "more than %(n)d day since the last community case",
            "more than %(n)d days since the last community case",
            full,
        ) % {"n": full}
    else:
        text = ngettext(
            "%(n)d day since the last community case",
            "%(n)d days since the last community case",
            needed,
        ) % {"n": needed}
    return CountBound(needed, int(since), text)


# -- 2. the days ahead if no new case appears ---------------------------------------------


def _forward(projection: Projection, ruleset: RuleSet, row: AssessmentSeries, horizon: int):
    """Fill ``first_lower_on`` and ``green_on`` by projecting the indicators forward."""
    areas = [row.area]
    if projection.judged_on_children:
        areas += list(Area.objects.current().filter(parent=row.area).order_by("path"))
    stored = {
        r.area_id: r for r in IndicatorSeries.objects.filter(series=row.series, area__in=areas)
    }
    computed = {
        r.area_id: r
        for r in AssessmentSeries.objects.filter(
            ruleset=row.ruleset, series=row.series, area__in=areas
        )
    }
    areas = [a for a in areas if a.pk in stored and a.pk in computed]
    if row.area not in areas:
        return
    start = row.start
    offset = (projection.day - start).days
    days = offset + 1 + horizon
    dates = [start + dt.timedelta(days=t) for t in range(days)]
    mapping = input_map.mapping_for(ruleset, services.parents())
    names = input_map.needed_indicators(mapping)
    projected = [_projected(stored[a.pk], names, start, offset, days, a) for a in areas]
    matrices = {name: np.stack([p[name] for p in projected]) for name in names}
    _hold_rt(matrices, row.series, areas, start, offset, names)
    province = engine.Province(areas, start, days, matrices)
    plan = engine.plan_scales(ruleset, areas)
    history = np.stack([_history(computed[a.pk], start, offset) for a in areas])
    index = np.full((len(areas), days), NO_RULE, dtype=np.int64)
    index[:, : offset + 1] = history
    ranks = np.array([lv.rank for lv in ruleset.levels] + [0], dtype=np.float64)
    previous = np.where(history[:, -1] >= 0, ranks[history[:, -1]], np.nan)
    for t in range(offset + 1, days):
        index[:, t], previous = engine.evaluate_day(
            ruleset, mapping, province, plan, t, dates[t], previous
        )
    timed = engine.timed_levels(ruleset, index, dates)[0]
    projection.horizon = dates[-1]
    current = projection.level
    for t in range(offset + 1, days):
        level = ruleset.levels[int(timed[t])] if timed[t] >= 0 else None
        if level is None or level.state != "level":
            continue
        if projection.first_lower_on is None and level.rank < current.rank:
            projection.first_lower_on, projection.first_lower = dates[t], level
        if projection.lowest is not None and level.key == projection.lowest.key:
            if projection.green_on is None and not projection.is_lowest:
                projection.green_on = dates[t]
        elif projection.green_on is not None:
            projection.green_on = None  # it did not stay green: not a real turn


def _hold_rt(matrices, series, areas, start: dt.date, offset: int, names: set[str]) -> None:
    """Fill the Rt statistics a rule set reads: stored up to the day, then held at the
    day's last estimate (the projection does not re-estimate Rt)."""
    statistics = input_map.rt_statistics(names)
    if not statistics:
        return
    days = next(iter(matrices.values())).shape[1]
    history = {f"rt.{s}": np.full((len(areas), days), np.nan) for s in statistics}
    engine.fill_rt(history, series, [a.pk for a in areas], start, offset + 1, statistics)
    for name, values in history.items():
        known = forward_fill(values[:, : offset + 1])
        values[:, : offset + 1] = known
        values[:, offset + 1 :] = known[:, -1:]
        matrices[name] = values


def _history(row: AssessmentSeries, start: dt.date, offset: int) -> np.ndarray:
    """Return the stored computed level indexes from ``start`` to the day (NO_RULE where none)."""
    out = np.full(offset + 1, NO_RULE, dtype=np.int64)
    values = row.level_indexes(computed=True)
    shift = (row.start - start).days
    lo, hi = max(shift, 0), min(shift + row.days, offset + 1)
    if hi > lo:
        out[lo:hi] = values[lo - shift : hi - shift]
    return out


def _projected(
    row: IndicatorSeries, names: set[str], start: dt.date, offset: int, days: int, area: Area
) -> dict[str, np.ndarray]:
    """Return each indicator of ``names`` on the common axis: stored to the day, then projected."""
    matrix = row.matrix().astype(np.float64)
    shift = (row.start - start).days
    lo, hi = max(shift, 0), min(shift + row.days, offset + 1)

    def aligned(indicator: str) -> np.ndarray:
        out = np.full(days, np.nan)
        if indicator in row.names and hi > lo:
            out[lo:hi] = matrix[row.names.index(indicator)][lo - shift : hi - shift]
        return out

    future = slice(offset + 1, days)
    flows = {f: np.nan_to_num(aligned(f), nan=0.0) for f in FLOWS}
    for flow in flows.values():
        flow[future] = 0.0
    recomputed = _windows(flows, area.population)
    result = {}
    for name in names:
        own = aligned(name)
        if name in flows:
            own[future] = 0.0
        elif name in recomputed:
            own[future] = recomputed[name][future]
        else:
            # A stock (coverage, capacity, tests): the day's value holds.
            own[future] = own[offset]
        result[name] = own
    return result


# The indicators that follow from the daily flows alone, recomputed ahead of the day.
WINDOWED = (
    "cumulative_cases",
    "cases_7d",
    "community_7d",
    "community_prev_7d",
    "incidence_7d",
    "community_incidence_7d",
    "community_incidence_14d",
    "community_weekly_avg_2w",
    "days_since_community_case",
)


def _windows(flows: dict[str, np.ndarray], population: int | None) -> dict[str, np.ndarray]:
    """Recompute the window indicators of one area from its daily flows, with the domain's
    formulas (``domain.indicators.compute``): the projection continues what is stored."""
    days = len(flows["new_cases"])
    inputs = IndicatorInputs.empty([population or np.nan], [-1], [0], days)
    inputs.cases["community"] = flows["new_community"][None, :].copy()
    # Cases not found in the community: their place of detection does not matter here.
    inputs.cases["unknown"] = (flows["new_cases"] - flows["new_community"])[None, :]
    inputs.deaths = flows["new_deaths"][None, :].copy()
    computed = compute(inputs)
    return {name: computed[INDICATORS.index(name), 0] for name in WINDOWED}
