"""Surveillance indicators of every area and day at once (NumPy, no per-area loop).

Inputs are dense ``areas × days`` matrices of what was reported *in* each area (its own
rows); ``roll_up`` adds every area's figures into all its ancestors, so a district's
indicators are computed on its own totals (QĐ 4800: a district is not the maximum of its
communes). ``compute`` returns the ``INDICATORS × areas × days`` array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PER = 100_000.0

# Order is the storage order of IndicatorSeries; append, never reorder.
INDICATORS: tuple[str, ...] = (
    "new_cases",  # all new cases that day
    "new_community",  # new cases found in the community
    "new_deaths",
    "cumulative_cases",
    "cases_7d",  # cases in the 7 days ending that day
    "community_7d",
    "community_prev_7d",  # community cases in the 7 days before those
    "incidence_7d",  # cases_7d per 100,000 people
    "community_incidence_7d",  # community cases per 100,000 per week
    "community_incidence_14d",  # community cases per 100,000 over 14 days
    "community_weekly_avg_2w",  # mean of the last two weeks' weekly community incidence
    "tests_7d",
    "positives_7d",
    "positivity_7d_pct",  # NaN when no test was reported in the 7 days
    "vacc_1dose_18plus_pct",  # NaN until a coverage figure is known
    "vacc_full_18plus_pct",
    "vacc_full_50plus_pct",
    "vacc_full_65plus_pct",
    "icu_beds",
    "treatment_beds_free",
    "station_oxygen",  # 1 yes, 0 no, NaN unknown
    "mobile_stations",
    "days_since_community_case",  # NaN if no community case so far
)

DETECTIONS = ("community", "quarantine", "home_isolation", "lockdown", "imported", "unknown")
VACCINATION_FIELDS = (
    "adults",
    "adults_one_dose",
    "adults_full",
    "aged_50_plus",
    "aged_50_plus_full",
    "aged_65_plus",
    "aged_65_plus_full",
)
CAPACITY_FIELDS = (
    "treatment_beds",
    "treatment_beds_occupied",
    "icu_beds",
    "station_oxygen",
    "mobile_stations",
)


def _zeros(n_areas: int, n_days: int) -> np.ndarray:
    return np.zeros((n_areas, n_days), dtype=np.float64)


def _nans(n_areas: int, n_days: int) -> np.ndarray:
    return np.full((n_areas, n_days), np.nan, dtype=np.float64)


@dataclass
class IndicatorInputs:
    """What each area reported itself, day by day.

    ``cases`` and ``deaths``, ``tests_performed`` and ``tests_positive`` are daily flows
    (0 where nothing was reported). ``vaccination`` and ``capacity`` are stocks reported
    now and then: NaN where no figure was reported that day; the last figure holds until
    the next.
    """

    population: np.ndarray  # (areas,)
    parent: np.ndarray  # (areas,) index of the parent, -1 at a root
    depth: np.ndarray  # (areas,) 0 at a root
    n_days: int
    cases: dict[str, np.ndarray] = field(default_factory=dict)
    deaths: np.ndarray | None = None
    tests_performed: np.ndarray | None = None
    tests_positive: np.ndarray | None = None
    vaccination: dict[str, np.ndarray] = field(default_factory=dict)
    capacity: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, population, parent, depth, n_days: int) -> IndicatorInputs:
        n = len(population)
        return cls(
            population=np.asarray(population, dtype=np.float64),
            parent=np.asarray(parent, dtype=np.int64),
            depth=np.asarray(depth, dtype=np.int64),
            n_days=n_days,
            cases={d: _zeros(n, n_days) for d in DETECTIONS},
            deaths=_zeros(n, n_days),
            tests_performed=_zeros(n, n_days),
            tests_positive=_zeros(n, n_days),
            vaccination={f: _nans(n, n_days) for f in VACCINATION_FIELDS},
            capacity={f: _nans(n, n_days) for f in CAPACITY_FIELDS},
        )


def roll_up(values: np.ndarray, parent: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Return ``values`` with every row added into all its ancestors' rows."""
    total = values.copy()
    for level in range(int(depth.max(initial=0)), 0, -1):
        rows = np.flatnonzero(depth == level)
        np.add.at(total, parent[rows], total[rows])
    return total


def forward_fill(values: np.ndarray) -> np.ndarray:
    """Carry each row's last non-NaN value forward along the days."""
    n_days = values.shape[1]
    known = ~np.isnan(values)
    index = np.where(known, np.arange(n_days), 0)
    np.maximum.accumulate(index, axis=1, out=index)
    filled = np.take_along_axis(values, index, axis=1)
    # Before the first known value the index points at day 0, which may be NaN: correct.
    seen = np.maximum.accumulate(known, axis=1)
    return np.where(seen, filled, np.nan)


def roll_up_stock(values: np.ndarray, parent, depth) -> np.ndarray:
    """Roll up a forward-filled stock: unknown children add nothing, all-unknown stays NaN."""
    known = ~np.isnan(values)
    summed = roll_up(np.where(known, values, 0.0), parent, depth)
    any_known = roll_up(known.astype(np.float64), parent, depth) > 0
    return np.where(any_known, summed, np.nan)


def window_sum(values: np.ndarray, days: int, lag: int = 0) -> np.ndarray:
    """Sum over the ``days`` days ending ``lag`` days before each day."""
    cumulative = np.cumsum(values, axis=1)
    padded = np.concatenate([np.zeros((values.shape[0], days + lag)), cumulative], axis=1)
    n = values.shape[1]
    end = padded[:, days : days + n]
    start = padded[:, 0:n]
    return end - start


def _per_100k(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = counts / population[:, None] * PER
    rate[~(population > 0)] = np.nan
    return rate


def _pct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / whole * 100.0, np.nan)


def days_since(events: np.ndarray) -> np.ndarray:
    """Days since the last day with an event (0 on such a day), NaN before the first."""
    n_days = events.shape[1]
    last = np.where(events > 0, np.arange(n_days), -1)
    np.maximum.accumulate(last, axis=1, out=last)
    return np.where(last >= 0, np.arange(n_days) - last, np.nan).astype(np.float64)


def compute(inputs: IndicatorInputs) -> np.ndarray:
    """Return ``len(INDICATORS) × areas × days`` indicators (float64)."""
    parent, depth, pop = inputs.parent, inputs.depth, inputs.population
    up = lambda a: roll_up(a, parent, depth)  # noqa: E731
    cases = {d: up(a) for d, a in inputs.cases.items()}
    new_cases = sum(cases.values())
    community = cases["community"]
    deaths = up(inputs.deaths)
    tests = up(inputs.tests_performed)
    positives = up(inputs.tests_positive)
    vacc = {f: roll_up_stock(forward_fill(a), parent, depth) for f, a in inputs.vaccination.items()}
    cap = {f: roll_up_stock(forward_fill(a), parent, depth) for f, a in inputs.capacity.items()}
    community_7d = window_sum(community, 7)
    community_prev_7d = window_sum(community, 7, lag=7)
    cases_7d = window_sum(new_cases, 7)
    tests_7d = window_sum(tests, 7)
    positives_7d = window_sum(positives, 7)
    oxygen = forward_fill(inputs.capacity["station_oxygen"])
    # A parent has oxygen everywhere only if every reporting child has it: use the minimum.
    oxygen_all = _all_children_yes(oxygen, parent, depth)
    values = {
        "new_cases": new_cases,
        "new_community": community,
        "new_deaths": deaths,
        "cumulative_cases": np.cumsum(new_cases, axis=1),
        "cases_7d": cases_7d,
        "community_7d": community_7d,
        "community_prev_7d": community_prev_7d,
        "incidence_7d": _per_100k(cases_7d, pop),
        "community_incidence_7d": _per_100k(community_7d, pop),
        "community_incidence_14d": _per_100k(community_7d + community_prev_7d, pop),
        "community_weekly_avg_2w": _per_100k((community_7d + community_prev_7d) / 2.0, pop),
        "tests_7d": tests_7d,
        "positives_7d": positives_7d,
        "positivity_7d_pct": _pct(positives_7d, tests_7d),
        "vacc_1dose_18plus_pct": _pct(vacc["adults_one_dose"], vacc["adults"]),
        "vacc_full_18plus_pct": _pct(vacc["adults_full"], vacc["adults"]),
        "vacc_full_50plus_pct": _pct(vacc["aged_50_plus_full"], vacc["aged_50_plus"]),
        "vacc_full_65plus_pct": _pct(vacc["aged_65_plus_full"], vacc["aged_65_plus"]),
        "icu_beds": cap["icu_beds"],
        "treatment_beds_free": cap["treatment_beds"] - cap["treatment_beds_occupied"],
        "station_oxygen": oxygen_all,
        "mobile_stations": cap["mobile_stations"],
        "days_since_community_case": days_since(community),
    }
    return np.stack([values[name] for name in INDICATORS])


def _all_children_yes(flags: np.ndarray, parent, depth) -> np.ndarray:
    """1 where the area and every reporting descendant say yes, 0 if any says no."""
    known = ~np.isnan(flags)
    noes = roll_up(np.where(known & (flags == 0), 1.0, 0.0), parent, depth)
    knowns = roll_up(known.astype(np.float64), parent, depth)
    return np.where(knowns > 0, np.where(noes > 0, 0.0, 1.0), np.nan)
