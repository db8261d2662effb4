"""The demo's simulated line list of Cần Thơ, 8/7–31/12/2021 (series ``cantho-sim``).

The city published daily counts now and then, cumulative totals, five-way splits by place
of detection, and five district tables; it never published ward figures. This model spreads
the city's epidemic over its 9 districts, Ninh Kiều's 11 wards and the other districts'
communes so that every published figure is reproduced exactly, and invents the rest. It is
deterministic: a fixed seed (``SEED``) and NumPy; about 51,000 cases in a fraction of a second.

**It follows the city's series (Sở Y tế, ``cantho-doh``)**, not the Ministry's portal
(``moh-ncsc``, report dates): the two disagree a lot in November 2021 (10/11: 579 vs 139),
and the district tables add up to the city's series, not the Ministry's.

1. City total per day (``city_totals``). Days with a published count keep it. Between
   them the prior is the *shape* of the Ministry's series (centred 7-day mean, floored at 1)
   times the ratio city/Ministry, interpolated log-linearly between published days (flat
   before the first; back to 1 over 14 days after the last, as the series converge in
   December). Within each interval between two published cumulative totals the free days
   are multiplied by ``exp(a·h)``, ``h`` a half-sine that is 0 at published days and at the
   interval ends, with ``a`` solved so the interval adds up to the published difference;
   then rounded so the cumulative sums stay exact. After the last published total (5/12)
   the prior is used as is.
2. Place of detection per day (``detection_counts``). Published splits are kept exactly;
   figures printed as combined ("trong khu cách ly, phong tỏa") are split by the shares of
   the neighbouring published days; "F1 of earlier cases" (July) count as home isolation;
   facility and community screening are community cases. Unpublished days draw from shares
   interpolated between published splits. From 23/9 to 7/10 there is no community case (the
   city said so on 7/10); the 2 cases screened at a health facility on 27/9 are therefore
   recorded as ``imported`` (the city did not count them as community; the district table of
   27/9 leaves 54 cases outside the districts). The first 6 cases (8–9/7, arrivals from
   epidemic areas) are ``imported`` too.
3. Districts (``district_counts``). Each commune has a weight ``population × (1 + Σ clusters)``;
   a cluster is a gamma-shaped bump (start, time scale, amplitude). Named clusters are the
   dated events of the press (``data/named_clusters.csv``: chợ Tân An 10/7, An Hòa 12/7,
   Cái Khế 14/7, Thới Bình 20/7, Trường Xuân, Trà Nóc, ...); each Ninh Kiều ward also gets
   2–3 seeded clusters and each other district 3 seeded district-wide ones. Between the
   dates of the district tables (27/9, 10/11, 17/11, 25/11, 27/11) the district × day
   weights are fitted by iterative proportional fitting to the day totals and to each
   district's published increase, then rounded keeping both margins. Cases the tables leave
   outside the districts (city total − sum of districts: 54 on 27/9 … 1,151 on 27/11,
   probably residents of other provinces) are recorded at city level (area 92); on 10/11 they
   are the published 24. A published "highest district of the day" is a fixed cell, and
   every other district is kept below it that day.
4. Wards and communes (``build``): Ninh Kiều's daily cases go to its 11 wards and the other
   districts' to their communes by a multinomial draw on the commune weights.
5. Case attributes are simulated: age band, sex, vaccination (from coverage rising as
   published), onset (60 % symptomatic, 0–5 days before confirmation), report date = the
   city's day, outcome as of 31/12/2021. Exactly 254 cases confirmed by 6/12 die (the city's
   cumulative deaths on 6/12 — an approximation, as the line list has no date of death), the
   later ones at the same rate, chosen by age and vaccination.

Published figures the model cannot all meet, and which it follows (see ``DISCARDED``):
20/7 cumulative 199 (the 21/7 total 264 and the daily 47 are kept), 22/11 cumulative 15,780
(impossible after 14,841 on 18/11 and 989 on 22/11), 6/12 cumulative 33,106 (31,960 on 5/12
+ 1,152 on 6/12 = 33,112; the daily count is kept). The 2022 rows are outside the period.
``vungxanh/demo/data/README.md`` lists every published figure and how it is reproduced.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from vungxanh.areas import reference
from vungxanh.surveillance import loaders, services

SEED = 20210923  # the day of the Ninh Kiều working session the demo opens on
START = dt.date(2021, 7, 8)  # the city counts "since 8/7"
END = dt.date(2021, 12, 31)
DAYS = (END - START).days + 1
SERIES = "cantho-sim"
# Shown to people beside the figures (the series keeps the same words, migration 0007).
SOURCE = "Mô hình mô phỏng của Vùng Xanh (không phải số liệu thật)"
CITY = loaders.CANTHO_CODE
NINH_KIEU = "916"
DISTRICTS = tuple(sorted(loaders.CANTHO_DISTRICTS_BY_NAME.values()))
GROUPS = (*DISTRICTS, CITY)  # the last group: cases the district tables leave out
OUTSIDE = len(DISTRICTS)
DETECTIONS = ("community", "quarantine", "home_isolation", "lockdown", "imported")
C, Q, H, L, IMP = range(5)
NO_COMMUNITY = (dt.date(2021, 9, 23), dt.date(2021, 10, 7))
FIRST_IMPORTED_UNTIL = dt.date(2021, 7, 9)
DATA_DIR = Path(__file__).resolve().parent / "data"
NAMED_CLUSTERS = DATA_DIR / "named_clusters.csv"

# Published cumulative totals the model does not follow, and why (all others are exact).
DISCARDED = {
    dt.date(2021, 7, 20): "199 contradicts 264 on 21/7 with 47 new that day (kept)",
    dt.date(2021, 11, 22): "15,780 is below 14,841 (18/11) + 989 (22/11); flagged by the source",
    dt.date(2021, 12, 6): "33,106 ≠ 31,960 (5/12) + 1,152 (6/12); the daily count is kept",
}
# Cumulative totals read from the notes of cantho_daily_2021.csv.
NOTE_TOTALS = {
    # "3,754 cases during 37 days of CT16" (19/7–24/8) with 3,837 on 24/8.
    dt.date(2021, 7, 18): 3837 - 3754,
    # "4,819 F0 in 14 days (2–15/11)" with 12,902 on 15/11.
    dt.date(2021, 11, 1): 12902 - 4819,
}
# A total "as of the morning of" a day counts the day before.
MORNING_TOTALS = {dt.date(2021, 9, 30): dt.date(2021, 9, 29)}
# Splits printed as one figure for several places (the notes column), and July's "F1 of
# earlier cases", which the model counts as home isolation.
COMBINED = {
    dt.date(2021, 7, 14): (((H,), 7),),
    dt.date(2021, 7, 20): (((Q, L), 8), ((H,), 8)),
    dt.date(2021, 7, 21): (((Q, L), 5), ((H,), 23)),
    dt.date(2021, 7, 25): (((C,), 87), ((Q, L), 13), ((H,), 50)),
    dt.date(2021, 8, 5): (((Q, L), 92),),
    dt.date(2021, 9, 12): (((Q, H), 33),),
    dt.date(2021, 11, 15): (((Q, H), 204), ((C,), 143)),
    # 487 "home isolation and community screening" + 115 not itemised (facility screening).
    dt.date(2021, 11, 22): (((H, C), 989 - 338 - 49),),
}
# Cases outside the districts on a day, where published ("24 of the 579 are ngoài thành phố").
OUTSIDE_ON = {dt.date(2021, 11, 10): 24}
AGE_BANDS = ("0-4", "5-11", "12-17", "18-49", "50-64", "65+")
AGE_SHARES = (0.05, 0.09, 0.07, 0.55, 0.15, 0.09)
# Relative risk of death by age band and by vaccination (none, one dose, full).
AGE_FATALITY = np.array([0.0005, 0.0002, 0.0003, 0.002, 0.02, 0.08])
VACCINE_FATALITY = np.array([1.0, 0.5, 0.2])
VACCINATION = ("none", "one_dose", "full")
# Adults' coverage (one dose, full) as published on 5/8, 7/9, 26/10 (one dose only; full
# assumed), 25/11 and 6/12; 8/7 assumed.
COVERAGE = (
    (dt.date(2021, 7, 8), 0.03, 0.005),
    (dt.date(2021, 8, 5), 0.12, 0.008),
    (dt.date(2021, 9, 7), 0.28, 0.04),
    (dt.date(2021, 10, 26), 0.87, 0.45),
    (dt.date(2021, 11, 25), 0.968, 0.85),
    (dt.date(2021, 12, 6), 0.98, 0.914),
)
DEATHS_BY = (dt.date(2021, 12, 6), 254)  # the city's cumulative deaths on 6/12
CONVERGE_DAYS = 14
RECOVERED_BEFORE = dt.date(2021, 12, 17)  # outcome as of 31/12: two weeks after confirmation


def day_index(day: dt.date) -> int:
    return (day - START).days


def in_period(day: dt.date) -> bool:
    return START <= day <= END


# -- published figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What the city published within the period, read from the shipped files."""

    daily: dict[dt.date, int]  # new cases of the day
    totals: dict[dt.date, int]  # cumulative since 8/7 the model follows
    rows: dict[dt.date, dict[str, Any]]  # daily rows with new cases
    district_totals: dict[dt.date, dict[str, int]]  # district code -> cumulative
    district_days: dict[tuple[dt.date, str], int]  # (day, district) -> new cases


def published() -> Published:
    rows = [r for r in loaders.read_cantho_daily() if in_period(r["date"])]
    daily = {r["date"]: r["new_cases"] for r in rows if r["new_cases"] is not None}
    totals = {
        MORNING_TOTALS.get(r["date"], r["date"]): r["cumulative_cases_since_8_7"]
        for r in rows
        if r["cumulative_cases_since_8_7"] is not None and r["date"] not in DISCARDED
    }
    totals |= NOTE_TOTALS
    district_totals: dict[dt.date, dict[str, int]] = {}
    district_days = {}
    for row in loaders.read_cantho_districts():
        if not in_period(row["date"]):
            continue
        if row["cumulative_cases"] is not None:
            district_totals.setdefault(row["date"], {})[row["code"]] = row["cumulative_cases"]
        if row["new_cases_that_day"] is not None:
            district_days[(row["date"], row["code"])] = row["new_cases_that_day"]
    return Published(
        daily=daily,
        totals=dict(sorted(totals.items())),
        rows={r["date"]: r for r in rows if r["new_cases"] is not None},
        district_totals=district_totals,
        district_days=district_days,
    )


# -- 1. the city's daily totals ----------------------------------------------------------


def ministry_shape() -> np.ndarray:
    """Return the Ministry's Cần Thơ series over the period: centred 7-day mean, at least 1."""
    dates, cases, _deaths = loaders.ncsc_province_series(CITY)
    first = dates.index(START - dt.timedelta(days=3))
    window = np.nan_to_num(cases[first : first + DAYS + 6])
    mean = np.convolve(window, np.ones(7) / 7, mode="valid")
    return np.maximum(mean, 1.0)


def prior_totals(daily: dict[dt.date, int]) -> np.ndarray:
    """Return the Ministry's shape scaled to the city's published days (log-linear ratio).

    After the last published day the ratio returns to 1 over ``CONVERGE_DAYS``: the two
    series converge in December (5/12: city 1,163, Ministry 1,132).
    """
    shape = ministry_shape()
    knots = [day_index(d) for d in daily]
    ratio = list(np.log(np.array(list(daily.values()), dtype=float) / shape[knots]))
    knots.append(knots[-1] + CONVERGE_DAYS)
    ratio.append(0.0)
    return shape * np.exp(np.interp(np.arange(DAYS), knots, ratio))


def _bumps(free: np.ndarray, zeros: np.ndarray) -> np.ndarray:
    """Return a half-sine per free day, 0 at the surrounding ``zeros`` (sorted indexes)."""
    right = np.searchsorted(zeros, free)
    left_at, right_at = zeros[right - 1], zeros[right]
    return np.sin(np.pi * (free - left_at) / (right_at - left_at))


def _solve_scale(prior: np.ndarray, bump: np.ndarray, target: float) -> np.ndarray:
    """Return ``prior·exp(a·bump)`` with ``a`` such that it adds up to ``target``."""
    low, high = -60.0, 60.0
    for _ in range(200):
        mid = (low + high) / 2
        if (prior * np.exp(mid * bump)).sum() < target:
            low = mid
        else:
            high = mid
    values = prior * np.exp(low * bump)
    return values * (target / values.sum())


def _round_keeping_sum(values: np.ndarray) -> np.ndarray:
    """Round so that every cumulative sum is the rounded cumulative sum (total exact)."""
    cumulative = np.round(np.cumsum(values)).astype(np.int64)
    return np.diff(cumulative, prepend=0)


def city_totals(pub: Published) -> np.ndarray:
    """Return the city's new cases per day, meeting every published day and total."""
    prior = prior_totals(pub.daily)
    totals = np.zeros(DAYS, dtype=np.int64)
    fixed = np.zeros(DAYS, dtype=bool)
    for day, count in pub.daily.items():
        totals[day_index(day)] = count
        fixed[day_index(day)] = True
    anchors = [(-1, 0)] + [(day_index(d), n) for d, n in pub.totals.items()]
    for (start, before), (end, after) in zip(anchors, anchors[1:], strict=False):
        span = np.arange(start + 1, end + 1)
        free = span[~fixed[span]]
        remainder = after - before - int(totals[span].sum())
        if free.size == 0 or remainder < 0:
            if remainder:
                raise ValueError(f"published figures disagree on day {end}: {remainder}")
            continue
        zeros = np.concatenate([[start], span[fixed[span]], [end + 1]])
        values = _solve_scale(prior[free], _bumps(free, zeros), remainder)
        totals[free] = _round_keeping_sum(values)
    tail = np.arange(anchors[-1][0] + 1, DAYS)
    tail = tail[~fixed[tail]]
    totals[tail] = np.round(prior[tail]).astype(np.int64)
    return totals


# -- 2. place of detection ---------------------------------------------------------------


def _constraints(day: dt.date, row: dict[str, Any]) -> list[tuple[tuple[int, ...], int]]:
    """Return the (places, count) groups a day's report fixes."""
    groups = [
        ((place,), row[column])
        for place, column in ((Q, "in_quarantine"), (L, "in_lockdown"), (H, "home_isolation"))
        if row[column] is not None
    ]
    extra = list(COMBINED.get(day, ()))
    screened = [row[c] for c in ("screening", "community") if row[c] is not None]
    quiet = NO_COMMUNITY[0] <= day <= NO_COMMUNITY[1]
    if quiet and screened:
        # The city reported no community case in this window, so it did not count the
        # cases screened at a health facility as community: they are recorded as imported.
        groups += [((C,), row["community"] or 0), ((IMP,), row["screening"] or 0)]
    elif screened and not any(C in places for places, _n in extra):
        groups.append(((C,), sum(screened)))
    return groups + extra


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` (whole numbers, exact total)."""
    if total == 0:
        return np.zeros(len(weights), dtype=np.int64)
    weights = weights if weights.sum() > 0 else np.ones(len(weights))
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def _split(total: int, groups, background: np.ndarray) -> np.ndarray:
    """Return a day's five counts: each group split by ``background``, the rest likewise."""
    counts = np.zeros(len(DETECTIONS), dtype=np.int64)
    used = set()
    for places, count in groups:
        if used & set(places):
            raise ValueError("overlapping published splits")
        used |= set(places)
        counts[list(places)] += _largest_remainder(count, background[list(places)])
    rest = [p for p in (C, Q, H, L) if p not in used]
    remainder = total - counts.sum()
    if remainder < 0 or (remainder and not rest):
        raise ValueError(f"the published split does not add up to {total}")
    counts[rest] += _largest_remainder(remainder, background[rest])
    return counts


def _interpolated(days: list[int], shares: np.ndarray) -> np.ndarray:
    """Return (DAYS, 5) shares interpolated between the knots, with the quiet window."""
    grid = np.arange(DAYS)
    result = np.stack([np.interp(grid, days, shares[:, p]) for p in range(5)], axis=1)
    result[:, IMP] = 0.0
    quiet = slice(day_index(NO_COMMUNITY[0]), day_index(NO_COMMUNITY[1]) + 1)
    result[quiet, C] = 0.0
    return result / result.sum(axis=1, keepdims=True)


def detection_counts(pub: Published, totals: np.ndarray, rng) -> np.ndarray:
    """Return (5, DAYS) city cases by place of detection, published splits kept."""
    groups = {d: _constraints(d, pub.rows[d]) for d in pub.rows}
    # Days that fix at least two places are knots. First pass: a knot's combined figures are
    # divided evenly; second pass: every published day's are divided by the first-pass
    # shares of the other knots around it. Unpublished days draw from the second pass.
    knots = sorted(d for d, g in groups.items() if sum(len(p) == 1 for p, _n in g) >= 2)
    flat = np.full(5, 0.25)
    flat[IMP] = 0.0
    first = {d: _split(pub.daily[d], groups[d], flat) for d in knots}
    split = {}
    for day, day_groups in groups.items():
        others = [d for d in knots if d != day]
        shares = np.array([first[d] / first[d].sum() for d in others])
        background = _interpolated([day_index(d) for d in others], shares)[day_index(day)]
        split[day] = _split(pub.daily[day], day_groups, background + 1e-9)
    shares = np.array([split[d] / max(split[d].sum(), 1) for d in knots])
    background = _interpolated([day_index(d) for d in knots], shares)
    counts = rng.multinomial(totals, background).T
    for day, values in split.items():
        counts[:, day_index(day)] = values
    early = np.arange(day_index(FIRST_IMPORTED_UNTIL) + 1)
    counts[:, early] = 0
    counts[IMP, early] = totals[early]
    return counts


# -- 3. districts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Communes:
    """Cần Thơ's communes (2021) with their district group and population."""

    codes: list[str]
    group: np.ndarray  # index into GROUPS
    population: np.ndarray


def communes() -> Communes:
    units = [u for u in reference.units_2021() if u.parent_code in DISTRICTS]
    return Communes(
        codes=[u.code for u in units],
        group=np.array([DISTRICTS.index(u.parent_code) for u in units]),
        population=np.array([u.population or 0 for u in units], dtype=float),
    )


def cluster_curve(start: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Return (clusters, DAYS) gamma-shaped bumps: 0 before ``start``, peak 1 at 2·tau."""
    elapsed = np.arange(DAYS)[None, :] - start[:, None]
    scaled = np.clip(elapsed, 0, None) / tau[:, None]
    return (scaled / 2) ** 2 * np.exp(2 - scaled)


def named_clusters() -> list[dict[str, Any]]:
    with NAMED_CLUSTERS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def commune_weights(places: Communes, rng) -> np.ndarray:
    """Return (communes, DAYS) weights: population × (1 + named and seeded clusters)."""
    members, starts, taus, amplitudes = [], [], [], []

    def add(indexes, start, tau, amplitude):
        for i in indexes:
            members.append(i)
            starts.append(start)
            taus.append(tau)
            amplitudes.append(amplitude)

    position = {code: i for i, code in enumerate(places.codes)}
    for row in named_clusters():
        code = row["code"]
        indexes = (
            np.flatnonzero(places.group == DISTRICTS.index(code)).tolist()
            if code in DISTRICTS
            else [position[code]]
        )
        start = day_index(dt.date.fromisoformat(row["start"]))
        add(indexes, start, float(row["tau_days"]), float(row["amplitude"]))
    ninh_kieu = np.flatnonzero(places.group == DISTRICTS.index(NINH_KIEU))
    for i in ninh_kieu:
        for _ in range(int(rng.integers(2, 4))):
            add([i], int(rng.integers(10, DAYS - 12)), rng.uniform(3, 8), rng.lognormal(1.0, 0.5))
    for group in range(len(DISTRICTS)):
        if DISTRICTS[group] == NINH_KIEU:
            continue
        indexes = np.flatnonzero(places.group == group).tolist()
        for _ in range(3):
            add(
                indexes,
                int(rng.integers(10, DAYS - 12)),
                rng.uniform(4, 9),
                rng.lognormal(0.5, 0.5),
            )
    curves = (
        cluster_curve(np.array(starts, dtype=float), np.array(taus)) * np.array(amplitudes)[:, None]
    )
    intensity = np.ones((len(places.codes), DAYS))
    np.add.at(intensity, np.array(members), curves)
    return places.population[:, None] * intensity


def _ipf(weights: np.ndarray, day_totals: np.ndarray, group_totals: np.ndarray) -> np.ndarray:
    """Scale (groups, days) weights to both margins (iterative proportional fitting)."""
    x = weights.copy()
    for _ in range(2000):
        days = x.sum(axis=0)
        x *= np.divide(day_totals, days, out=np.zeros_like(days), where=days > 0)[None, :]
        groups = x.sum(axis=1)
        x *= np.divide(group_totals, groups, out=np.zeros_like(groups), where=groups > 0)[:, None]
        if np.abs(x.sum(axis=0) - day_totals).max() < 1e-7:
            break
    return x


def _allocate(weights: np.ndarray, day_totals: np.ndarray, group_totals) -> np.ndarray:
    """Spread each day's total over the groups: fitted to ``group_totals`` if given."""
    if group_totals is not None:
        return _ipf(weights, day_totals, group_totals)
    days = weights.sum(axis=0)
    return weights * np.divide(day_totals, days, out=np.zeros_like(days), where=days > 0)


def _allocate_capped(weights, day_totals, group_totals, cap: np.ndarray) -> np.ndarray:
    """Allocate, pin the cells above ``cap`` at the cap and refit the others, until none is."""
    pinned = np.zeros(weights.shape, dtype=bool)
    while True:
        fixed = np.where(pinned, cap, 0.0)
        rest = None if group_totals is None else group_totals - fixed.sum(axis=1)
        x = _allocate(np.where(pinned, 0.0, weights), day_totals - fixed.sum(axis=0), rest)
        over = (x > cap) & ~pinned
        if not over.any():
            return x + fixed
        pinned |= over


def _round_table(x: np.ndarray, day_totals, group_totals, frozen, limit) -> np.ndarray:
    """Round (groups, days) to whole numbers keeping the day and group totals, within ``limit``.

    Day by day, the units left after flooring go to the groups furthest behind their
    running target; a final pass moves single cases between groups within a day to fix
    any group total still off by one.
    """
    counts = np.floor(x + 1e-9).astype(np.int64)
    behind = np.zeros(x.shape[0])
    for d in range(x.shape[1]):
        wanted = behind + x[:, d] - counts[:, d]
        wanted[frozen[:, d] | (counts[:, d] >= limit[:, d])] = -np.inf
        extra = int(day_totals[d] - counts[:, d].sum())
        counts[np.argsort(-wanted, kind="stable")[:extra], d] += 1
        behind += x[:, d] - counts[:, d]
    if group_totals is None:
        return counts
    off = np.rint(group_totals).astype(np.int64) - counts.sum(axis=1)
    while off.any():
        over, under = int(np.argmin(off)), int(np.argmax(off))
        gain = (x[under] - counts[under]) - (x[over] - counts[over])
        blocked = (counts[over] == 0) | (counts[under] >= limit[under])
        gain[blocked | frozen[over] | frozen[under]] = -np.inf
        d = int(np.argmax(gain))
        if not np.isfinite(gain[d]):
            raise ValueError("the district figures cannot be rounded consistently")
        counts[over, d] -= 1
        counts[under, d] += 1
        off[over] += 1
        off[under] -= 1
    return counts


def published_cells(pub: Published) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the published (group, day) counts, where they are, and the caps they imply.

    A district reported as the day's highest caps every other district one below it.
    """
    counts = np.zeros((len(GROUPS), DAYS), dtype=np.int64)
    known = np.zeros((len(GROUPS), DAYS), dtype=bool)
    cap = np.full((len(GROUPS), DAYS), np.iinfo(np.int64).max // 2, dtype=np.int64)
    for (day, code), n in pub.district_days.items():
        group, d = GROUPS.index(code), day_index(day)
        counts[group, d], known[group, d] = n, True
        cap[:OUTSIDE, d] = np.minimum(cap[:OUTSIDE, d], n - 1)
    for day, n in OUTSIDE_ON.items():
        counts[OUTSIDE, day_index(day)], known[OUTSIDE, day_index(day)] = n, True
    return counts, known, cap


def district_counts(pub: Published, totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return (GROUPS, DAYS) cases per district (and outside them), tables met exactly."""
    counts, known, cap = published_cells(pub)
    city_total = np.cumsum(totals)
    before = np.zeros(len(GROUPS), dtype=np.int64)
    start = 0
    for day in [*sorted(pub.district_totals), None]:
        end = DAYS if day is None else day_index(day) + 1
        span = slice(start, end)
        free_weights = np.where(known[:, span], 0.0, weights[:, span])
        day_totals = (totals[span] - counts[:, span].sum(axis=0)).astype(float)
        group_totals = None
        if day is not None:
            table = pub.district_totals[day]
            after = np.array([table[c] for c in DISTRICTS] + [0])
            after[OUTSIDE] = city_total[end - 1] - after[:OUTSIDE].sum()
            group_totals = (after - before - counts[:, span].sum(axis=1)).astype(float)
            before = after
        x = _allocate_capped(free_weights, day_totals, group_totals, cap[:, span].astype(float))
        counts[:, span] += _round_table(x, day_totals, group_totals, known[:, span], cap[:, span])
        start = end
    return counts


# -- 4. the line list --------------------------------------------------------------------


@dataclass(frozen=True)
class Epidemic:
    """The simulated city: daily totals and the line list as NumPy columns."""

    totals: np.ndarray  # (DAYS,) city cases per day
    detections: np.ndarray  # (5, DAYS)
    districts: np.ndarray  # (GROUPS, DAYS)
    area_codes: list[str]  # the areas the cases are in (communes, and the city)
    day: np.ndarray  # per case: day index
    area: np.ndarray  # per case: index into area_codes
    detection: np.ndarray  # per case: index into DETECTIONS
    age: np.ndarray  # per case: index into AGE_BANDS
    male: np.ndarray  # per case: bool
    vaccination: np.ndarray  # per case: index into VACCINATION
    died: np.ndarray  # per case: bool
    onset_lag: np.ndarray  # per case: days from onset to confirmation, -1 if no symptoms

    def dates(self) -> np.ndarray:
        return np.array([START + dt.timedelta(days=int(d)) for d in range(DAYS)])


def _commune_cases(places: Communes, counts: np.ndarray, weights: np.ndarray, rng) -> np.ndarray:
    """Return (communes, DAYS): each district's daily cases drawn over its communes."""
    result = np.zeros((len(places.codes), DAYS), dtype=np.int64)
    for group in range(len(DISTRICTS)):
        members = np.flatnonzero(places.group == group)
        share = weights[members] / weights[members].sum(axis=0, keepdims=True)
        result[members] = rng.multinomial(counts[group], share.T).T
    return result


def _coverage(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    knots = [day_index(d) for d, _one, _full in COVERAGE]
    one = np.interp(day, knots, [c[1] for c in COVERAGE])
    full = np.interp(day, knots, [c[2] for c in COVERAGE])
    return one, full


def _vaccination(day: np.ndarray, age: np.ndarray, rng) -> np.ndarray:
    """Cases are less often vaccinated than the population; children not until late 2021."""
    one, full = _coverage(day)
    p_full, p_one = 0.5 * full, 0.6 * (one - full)
    draw = rng.random(len(day))
    status = np.where(draw < p_full, 2, np.where(draw < p_full + p_one, 1, 0))
    teen_dose = (age == 2) & (day >= day_index(dt.date(2021, 11, 23))) & (draw < 0.3)
    status = np.where(age < 3, np.where(teen_dose, 1, 0), status)
    return status


def _deaths(day: np.ndarray, age: np.ndarray, vaccination: np.ndarray, rng) -> np.ndarray:
    """Choose who died: exactly the city's count by 6/12, then at the same rate."""
    risk = AGE_FATALITY[age] * VACCINE_FATALITY[vaccination]
    died = np.zeros(len(day), dtype=bool)
    by_day, count = DEATHS_BY
    early = day <= day_index(by_day)
    late_count = round(count * (~early).sum() / max(early.sum(), 1))
    for part, n in ((early, count), (~early, late_count)):
        pool = np.flatnonzero(part)
        chosen = rng.choice(pool, size=n, replace=False, p=risk[pool] / risk[pool].sum())
        died[chosen] = True
    return died


def build(seed: int = SEED) -> Epidemic:
    """Run the model (no database needed)."""
    rng = np.random.default_rng(seed)
    pub = published()
    totals = city_totals(pub)
    detections = detection_counts(pub, totals, rng)
    places = communes()
    weights = commune_weights(places, rng)
    group_weights = np.zeros((len(GROUPS), DAYS))
    np.add.at(group_weights, places.group, weights)
    group_weights[OUTSIDE] = 0.03 * group_weights[:OUTSIDE].sum(axis=0)
    districts = district_counts(pub, totals, group_weights)
    per_area = np.vstack([_commune_cases(places, districts, weights, rng), districts[OUTSIDE]])
    area_codes = [*places.codes, CITY]
    # One row per case, ordered by day then area; places of detection shuffled within a day.
    flat = per_area.T.ravel()
    day = np.repeat(np.repeat(np.arange(DAYS), len(area_codes)), flat)
    area = np.repeat(np.tile(np.arange(len(area_codes)), DAYS), flat)
    detection = np.repeat(np.tile(np.arange(5), DAYS), detections.T.ravel())
    detection = detection[np.lexsort((rng.random(len(detection)), day))]
    age = rng.choice(len(AGE_BANDS), size=len(day), p=AGE_SHARES)
    vaccination = _vaccination(day, age, rng)
    symptomatic = rng.random(len(day)) < 0.6
    lag = rng.choice(6, size=len(day), p=[0.15, 0.3, 0.25, 0.15, 0.1, 0.05])
    return Epidemic(
        totals=totals,
        detections=detections,
        districts=districts,
        area_codes=area_codes,
        day=day,
        area=area,
        detection=detection,
        age=age,
        male=rng.random(len(day)) < 0.49,
        vaccination=vaccination,
        died=_deaths(day, age, vaccination, rng),
        onset_lag=np.where(symptomatic, lag, -1),
    )


@lru_cache(maxsize=1)
def simulate() -> Epidemic:
    """Return the demo epidemic with the fixed seed (computed once per process)."""
    return build(SEED)


def case_records(epidemic: Epidemic, area_ids: dict[str, int]) -> list[dict[str, Any]]:
    """Return the line list as ``CaseRecord`` field dicts (codes SIM-000001, ...)."""
    dates = epidemic.dates()
    confirmed = dates[epidemic.day]
    onset = [
        None if lag < 0 else day - dt.timedelta(days=lag)
        for day, lag in zip(confirmed, epidemic.onset_lag.tolist(), strict=True)
    ]
    ids = [area_ids[c] for c in epidemic.area_codes]
    recovered_before = day_index(RECOVERED_BEFORE)
    outcome = np.where(
        epidemic.died, "died", np.where(epidemic.day <= recovered_before, "recovered", "treatment")
    )
    columns = zip(
        epidemic.area.tolist(),
        confirmed.tolist(),
        onset,
        epidemic.detection.tolist(),
        epidemic.age.tolist(),
        epidemic.male.tolist(),
        epidemic.vaccination.tolist(),
        outcome.tolist(),
        strict=True,
    )
    return [
        {
            "case_code": f"SIM-{n:06d}",
            "area_id": ids[area],
            "onset_date": onset_date,
            "sample_date": None,
            "confirmed_date": day,
            "report_date": day,
            "detection": DETECTIONS[detection],
            "age_band": AGE_BANDS[age],
            "sex": "M" if male else "F",
            "vaccination": VACCINATION[vaccination],
            "outcome": result,
            "zone_ref": "",
        }
        for n, (area, day, onset_date, detection, age, male, vaccination, result) in enumerate(
            columns, start=1
        )
    ]


def load_demo_epidemic(*, actor=None):
    """Store the simulated line list as series ``cantho-sim``; a second run changes nothing."""
    epidemic = simulate()
    area_ids = loaders.area_ids(epidemic.area_codes)
    return services.import_records(
        "cases",
        case_records(epidemic, area_ids),
        actor=actor,
        series_code=SERIES,
        label=f"vungxanh.demo.epidemic (seed {SEED})",
        source=SOURCE,
    )


def load_job(job, progress) -> dict:
    """The job of ``vungxanh demo`` that stores the simulated line list (its outcome)."""
    from vungxanh.surveillance.importing import loaded

    progress(0.1, "simulate")
    return loaded(SERIES, load_demo_epidemic(actor=job.actor))
