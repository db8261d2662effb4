"""The next 14 days of an area's cases, and the warning that its level may rise within 7.

For each area of a map (or one area's page) on a day, under one rule set and series:

1. the case rate that would raise the level the rules give that day: the rule set's weekly
   case-rate input (the one fed by a 7-day incidence per 100,000) is raised, the other
   inputs held at the day's values, until the level rises (a bisection on
   ``domain.classify.assess``); turned into a weekly count with the area's population;
2. the short-term projection of daily cases (``domain.projection.project_cases``: the
   renewal equation with R drawn from the area's current Rt posterior and the disease's
   serial interval; only where that posterior rests on enough cases, ``MAX_RT_CV``), with
   the probability that the 7-day count reaches that threshold on
   one of the next 7 days;
3. the warning "likely to move to a higher level in the next 7 days" when that probability
   is above one half.

Everything is read from stored rows (indicators, Rt, computed levels): nothing is written.
The areas of a map are projected together, vectorised.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from vungxanh.domain.classify import assess
from vungxanh.domain.indicators import PER
from vungxanh.domain.projection import DEFAULT_HORIZON, WEEK, project_cases
from vungxanh.domain.rt import discr_si
from vungxanh.domain.rules import Level, RuleSet
from vungxanh.risk import inputs as input_map
from vungxanh.risk import services
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance.models import RT_ROWS, IndicatorSeries, RtSeries, Series

# Above this probability of reaching the next level's case rate within 7 days: the warning.
WARNING_PROBABILITY = 0.5
SAMPLES = 400
SEED = 20210923
# Days of history the renewal equation reads (the serial interval is shorter than this).
HISTORY_DAYS = 42
SI_DAYS = 30
# Rt is trusted for a projection when its posterior's coefficient of variation is at most
# this (Cori et al. 2013 advise about 12 cases in the window: CV ≈ 0.29).
MAX_RT_CV = 0.3
# The stored indicator behind a weekly case-rate input -> the daily count it sums.
RATE_SOURCES = {"community_incidence_7d": "new_community", "incidence_7d": "new_cases"}


@dataclass(frozen=True)
class Outlook:
    """One area's projection on ``day`` (``probability`` None: not projectable)."""

    area_id: int
    day: dt.date
    level: Level | None  # what the rules give on the day
    next_level: Level | None  # the level a higher case rate would give
    threshold_rate: float | None  # cases per 100,000 per week that would raise it
    threshold_cases: float | None  # the same as a weekly count in the area
    probability: float | None
    mean: tuple[float, ...] = ()  # projected daily cases, days 1..14
    lower: tuple[float, ...] = ()
    upper: tuple[float, ...] = ()

    @property
    def warning(self) -> bool:
        return self.probability is not None and self.probability > WARNING_PROBABILITY

    @property
    def threshold_count(self) -> int | None:
        """The weekly count to reach, in whole cases."""
        return None if self.threshold_cases is None else math.ceil(self.threshold_cases - 1e-9)

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(self.probability * 100)

    @property
    def expected_cases(self) -> int:
        """The expected new cases over the next 7 days (the sum of the daily means).

        R is held at today's estimate: beyond a week an exponential says little.
        """
        return round(sum(self.mean[:WEEK]))

    def as_dict(self) -> dict:
        return {
            "day": self.day,
            "warning": self.warning,
            "probability": None if self.probability is None else round(self.probability, 3),
            "next_level": self.next_level.key if self.next_level else None,
            "threshold_per_100k_week": self.threshold_rate,
            "threshold_cases_week": self.threshold_cases,
            "projected_cases": [round(v, 2) for v in self.mean],
            "projected_low": [round(v, 2) for v in self.lower],
            "projected_high": [round(v, 2) for v in self.upper],
        }


def _rate_input(ruleset: RuleSet) -> tuple[str, str] | None:
    """(input name, daily count it sums) of the rule set's weekly case rate, if it has one."""
    mapping = input_map.mapping_for(ruleset, services.parents())
    for name, indicator in mapping.items():
        if indicator in RATE_SOURCES:
            return name, RATE_SOURCES[indicator]
    return None


def _inputs_on(ruleset: RuleSet, rows: list[AssessmentSeries], day: dt.date):
    """Every input of every row on ``day``, one array per input (as ``services.explain_day``)."""
    columns: dict[str, list[float]] = {name: [] for name in ruleset.inputs}
    ranks = [lv.rank for lv in ruleset.levels]
    for row in rows:
        values = row.input_values(day)
        offset = row.offset(day)
        if "previous_level" in ruleset.inputs and offset:
            previous = int(row.level_indexes()[offset - 1])
            values["previous_level"] = ranks[previous] if previous >= 0 else math.nan
        for name in ruleset.inputs:
            columns[name].append(values.get(name, math.nan))
    return {name: np.array(v, dtype=np.float64) for name, v in columns.items()}


def _ranks(ruleset: RuleSet, values: dict[str, np.ndarray], scale: str) -> np.ndarray:
    return assess(ruleset, values, scale=scale).ranks().astype(np.float64)


def raise_thresholds(
    ruleset: RuleSet, values: dict[str, np.ndarray], name: str, scale: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per area: the rank the rules give, the lowest ``name`` that raises it, the rank then.

    The other inputs are held; NaN where no value of ``name`` raises the level. One
    bisection for all the areas at once (each step one vectorised ``assess``).
    """
    current_value = values[name]
    current = _ranks(ruleset, values, scale)

    def rank_at(rate: np.ndarray) -> np.ndarray:
        return _ranks(ruleset, {**values, name: rate}, scale)

    high = np.maximum(10_000.0, np.nan_to_num(current_value) * 4)
    raises = (rank_at(high) > current) & ~np.isnan(current_value)
    low = np.where(raises, current_value, np.nan)
    high = np.where(raises, high, np.nan)
    for _step in range(60):
        middle = (low + high) / 2
        up = rank_at(np.nan_to_num(middle)) > current
        high = np.where(raises & up, middle, high)
        low = np.where(raises & ~up, middle, low)
    then = np.where(raises, rank_at(np.nan_to_num(high)), np.nan)
    return current, high, then


def raise_threshold(ruleset: RuleSet, values: dict[str, np.ndarray], name: str, scale: str):
    """(current rank, rate that raises it, the rank then) of one area, or None."""
    current, rate, then = raise_thresholds(ruleset, values, name, scale)
    return None if np.isnan(rate[0]) else (float(current[0]), float(rate[0]), float(then[0]))


def outlooks(
    record: RuleSetRecord, series: Series, day: dt.date, rows: list[AssessmentSeries]
) -> dict[int, Outlook]:
    """Area id -> outlook on ``day`` for the (caller-scoped) computed rows of ``record``."""
    ruleset = services.ruleset_of(record)
    rate = _rate_input(ruleset)
    rows = [r for r in rows if r.offset(day) is not None]
    if not rows or rate is None or not ruleset.applies_on(day):
        return {}
    name, daily = rate
    area_ids = [r.area_id for r in rows]
    stored = {
        s.area_id: s for s in IndicatorSeries.objects.filter(series=series, area_id__in=area_ids)
    }
    rts = {s.area_id: s for s in RtSeries.objects.filter(series=series, area_id__in=area_ids)}
    by_level = {lv.rank: lv for lv in ruleset.ranked_levels()}
    found: dict[int, Outlook] = {}
    wanted = []
    by_scale: dict[str, list[AssessmentSeries]] = {}
    for row in rows:
        by_scale.setdefault(str(row.area.kind), []).append(row)
    for scale, group in by_scale.items():
        current, thresholds, then = raise_thresholds(
            ruleset, _inputs_on(ruleset, group, day), name, scale
        )
        for i, row in enumerate(group):
            level = by_level.get(int(current[i])) if not np.isnan(current[i]) else None
            population = row.area.population or 0
            if np.isnan(thresholds[i]) or not population:
                found[row.area_id] = Outlook(row.area_id, day, level, None, None, None, None)
                continue
            threshold = float(thresholds[i])
            weekly = threshold * population / PER
            wanted.append((row, level, by_level.get(int(then[i])), threshold, weekly))
    histories, recents, shapes, scales, sis, kept = [], [], [], [], [], []
    for row, level, next_level, threshold, weekly in wanted:
        history = _history(stored.get(row.area_id), ("new_cases",), day)
        recent = _history(stored.get(row.area_id), (daily,), day)
        posterior = _posterior(rts.get(row.area_id), day)
        if history is None or recent is None or posterior is None:
            found[row.area_id] = Outlook(
                row.area_id, day, level, next_level, round(threshold, 2), round(weekly, 1), None
            )
            continue
        histories.append(history)
        recents.append(recent)
        shapes.append(posterior[0])
        scales.append(posterior[1])
        sis.append(rts[row.area_id])
        kept.append((row, level, next_level, threshold, weekly))
    if not kept:
        return found
    # One serial interval for the batch: every Rt row of a series uses its disease's.
    si = discr_si(np.arange(SI_DAYS), sis[0].si_mean, sis[0].si_sd)
    si[0] = 0.0
    projection = project_cases(
        np.array(histories),
        si,
        np.array(shapes),
        np.array(scales),
        horizon=DEFAULT_HORIZON,
        n_samples=SAMPLES,
        seed=SEED,
        weekly_threshold=np.array([k[4] for k in kept]),
        recent=np.array(recents),
        within=WEEK,
    )
    for i, (row, level, next_level, threshold, weekly) in enumerate(kept):
        p = projection.exceed_probability[i]
        found[row.area_id] = Outlook(
            row.area_id,
            day,
            level,
            next_level,
            round(threshold, 2),
            round(weekly, 1),
            None if np.isnan(p) else float(p),
            tuple(float(v) for v in np.nan_to_num(projection.mean[i])),
            tuple(float(v) for v in np.nan_to_num(projection.lower[i])),
            tuple(float(v) for v in np.nan_to_num(projection.upper[i])),
        )
    return found


def outlook(
    record: RuleSetRecord, series: Series, day: dt.date, row: AssessmentSeries
) -> Outlook | None:
    """One area's outlook (None when the rule set has no weekly case rate)."""
    return outlooks(record, series, day, [row]).get(row.area_id)


def _history(ind: IndicatorSeries | None, names: tuple[str, ...], day: dt.date):
    """The last ``HISTORY_DAYS`` daily values up to ``day`` (zeros before the first)."""
    if ind is None or any(n not in ind.names for n in names):
        return None
    end = (day - ind.start).days
    if end < 0 or end >= ind.days:
        return None
    matrix = ind.matrix()
    out = np.zeros(HISTORY_DAYS)
    begin = max(0, end + 1 - HISTORY_DAYS)
    for n in names:
        values = np.nan_to_num(matrix[ind.names.index(n), begin : end + 1].astype(np.float64))
        out[HISTORY_DAYS - len(values) :] += values
    return out


def _posterior(rt: RtSeries | None, day: dt.date) -> tuple[float, float] | None:
    """The gamma posterior (shape, scale) of R on ``day`` from its mean and sd."""
    if rt is None:
        return None
    j = (day - rt.start).days
    if not 0 <= j < rt.days:
        return None
    matrix = rt.matrix()
    mean, sd = float(matrix[RT_ROWS.index("mean"), j]), float(matrix[RT_ROWS.index("std"), j])
    if not (mean > 0 and sd > 0) or math.isnan(mean) or math.isnan(sd):
        return None
    if sd / mean > MAX_RT_CV:
        return None  # too few cases in the window: the prior, not the data, would speak
    return (mean / sd) ** 2, sd**2 / mean
