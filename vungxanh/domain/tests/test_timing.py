"""Decided levels from computed ones: hysteresis, working days, delays, dwell (no Django)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from vungxanh.domain.classify import apply_timing, assess, prepare
from vungxanh.domain.rules import load_ruleset, parse_ruleset

RULES_DIR = Path(__file__).resolve().parents[2] / "risk" / "rulesets"
GERMANY = load_ruleset(RULES_DIR / "de-ifsg-28b-2021.toml")
GREEN = load_ruleset(RULES_DIR / "vn-green-zone-14d.toml")
VN_4800 = load_ruleset(RULES_DIR / "vn-4800-2021.toml")
NAN = math.nan
ASCENSION_2021 = dt.date(2021, 5, 13)  # Christi Himmelfahrt, a public holiday


def days_from(start: dt.date, count: int) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range(count)]


def german_levels(start: dt.date, incidences: list[float], holidays=frozenset()) -> list[int]:
    """Return the decided level rank of each day for RKI incidences published from ``start``."""
    values = prepare(GERMANY, {"incidence_7d": incidences})
    computed = assess(GERMANY, values).ranks().astype(float)
    decided = apply_timing(GERMANY, computed, days_from(start, len(incidences)), holidays)
    return [int(r) for r in decided]


def timing_ruleset(**timing) -> object:
    """A three-level rule set with the given [timing] (levels are whatever is computed)."""
    doc = {
        "id": "t",
        "title": "t",
        "source": {"document": "test"},
        "levels": [{"key": str(n), "rank": n, "label": str(n)} for n in (1, 2, 3)],
        "inputs": {"x": {}},
        "method": "rules",
        "rules": [{"level": "1", "when": "true"}],
        "timing": timing,
    }
    return parse_ruleset(doc, file="t.toml")


# -- §28b IfSG: 3 days up, 5 working days down, effective the day after next -----------------


def test_three_days_above_100_with_a_sunday_apply_the_day_after_next():
    # Thu 29/4 ≤ 100; Fri 30/4, Sat 1/5, Sun 2/5 above: the Sunday counts for the trigger.
    got = german_levels(dt.date(2021, 4, 29), [90, 105, 110, 120, 120, 120])
    #               Thu Fri Sat Sun Mon Tue(4/5: day after next of Sunday)
    assert got == [1, 1, 1, 1, 1, 2]


def test_two_days_above_then_a_dip_trigger_nothing():
    got = german_levels(dt.date(2021, 4, 29), [90, 105, 110, 95, 105, 110, 99, 120])
    assert got == [1] * 8


def test_exactly_100_is_not_above_100():
    assert german_levels(dt.date(2021, 4, 29), [90, 100, 100, 100, 100, 100]) == [1] * 6


@pytest.mark.parametrize(
    ("holidays", "last_in_force", "first_lifted"),
    [
        # Below from Thu 6/5: Thu, Fri, Sat, (Sun 9/5 neither counts nor breaks), Mon, Tue 11/5
        # = 5 working days → lifted on Thu 13/5, the day after next. Counting Sunday would
        # have lifted it on Wed 12/5.
        (frozenset(), dt.date(2021, 5, 12), dt.date(2021, 5, 13)),
    ],
)
def test_five_working_days_below_with_a_sunday_lift_the_day_after_next(
    holidays, last_in_force, first_lifted
):
    start = dt.date(2021, 5, 5)  # Wed, above 100
    incidences = [120] + [80] * 9
    got = german_levels(start, incidences, holidays)
    day = {d: rank for d, rank in zip(days_from(start, len(incidences)), got, strict=True)}
    assert day[last_in_force] == 2
    assert day[first_lifted] == 1
    assert all(rank == 2 for d, rank in day.items() if d <= last_in_force)


@pytest.mark.parametrize(
    ("holidays", "first_lifted"),
    [
        # Below from Mon 10/5: Mon, Tue, Wed, Thu 13/5, Fri 14/5 → lifted Sun 16/5.
        (frozenset(), dt.date(2021, 5, 16)),
        # Ascension (Thu 13/5) does not count: 5th working day Sat 15/5 → lifted Mon 17/5.
        (frozenset({ASCENSION_2021}), dt.date(2021, 5, 17)),
    ],
)
def test_a_holiday_neither_counts_nor_breaks_the_run(holidays, first_lifted):
    start = dt.date(2021, 5, 9)  # Sun, above 100
    incidences = [120] + [80] * 10
    got = german_levels(start, incidences, holidays)
    lifted = [
        d for d, rank in zip(days_from(start, len(incidences)), got, strict=True) if rank == 1
    ]
    assert lifted[0] == first_lifted


def test_a_day_above_breaks_the_downward_run():
    start = dt.date(2021, 5, 5)  # Wed above; Thu, Fri, Sat below; Sun skipped; Mon above again
    incidences = [120, 80, 80, 80, 80, 105, 80, 80, 80, 80, 80, 80, 80]
    got = german_levels(start, incidences)
    dates = days_from(start, len(incidences))
    # The run restarts on Tue 11/5: Tue–Sat 15/5 = 5 working days → lifted Mon 17/5.
    lifted = [d for d, rank in zip(dates, got, strict=True) if rank == 1]
    assert lifted[0] == dt.date(2021, 5, 17)


def test_each_threshold_has_its_own_trigger():
    # Above 100 from day 1 and above 150 from day 2: 100's third day is day 3 (in force
    # day 5); 150's third day is day 4 (in force day 6), not three days after day 5.
    got = german_levels(dt.date(2021, 5, 3), [90, 120, 160, 160, 160, 160, 160, 160])
    assert got == [1, 1, 1, 1, 1, 2, 3, 3]


def test_falling_through_two_thresholds_lifts_both():
    got = german_levels(dt.date(2021, 5, 3), [170, 140, 140, 140, 140, 140, 140, 140])
    # Mon 3/5 above 165; below 150 and 165 from Tue: Tue–Sat = 5 working days → Mon 10/5.
    assert got == [4, 4, 4, 4, 4, 4, 4, 2]


# -- green zone: last case on 2/9 → green from 18/9 (RULES-VN §8, convention [U]) --------------


def test_green_zone_from_18_september_after_a_last_case_on_2_september():
    dates = days_from(dt.date(2021, 9, 1), 22)  # 1/9 … 22/9
    last_case = {dt.date(2021, 9, 1), dt.date(2021, 9, 2), dt.date(2021, 9, 21)}
    days_since, latest = [], None
    for day in dates:
        latest = day if day in last_case else latest
        days_since.append((day - latest).days)
    values = prepare(GREEN, {"days_since_community_case": days_since})
    computed = assess(GREEN, values).ranks().astype(float)
    decided = dict(zip(dates, apply_timing(GREEN, computed, dates), strict=True))
    green, not_green = 1, 2
    assert decided[dt.date(2021, 9, 16)] == not_green
    assert decided[dt.date(2021, 9, 17)] == not_green  # 14 full days (3/9–16/9) are complete
    assert decided[dt.date(2021, 9, 18)] == green  # … and the zone is green the next day
    assert decided[dt.date(2021, 9, 20)] == green
    assert decided[dt.date(2021, 9, 21)] == not_green  # a new case ends it the same day


# -- NQ 128: a raise takes effect 48 hours after the decision ------------------------------------


def test_4800_raise_is_effective_two_days_later_and_lowering_at_once():
    computed = np.array([1, 1, 3, 3, 3, 3, 1, 1], dtype=float)
    got = apply_timing(VN_4800, computed, days_from(dt.date(2021, 11, 1), 8))
    assert got.tolist() == [1, 1, 1, 1, 3, 3, 1, 1]


# -- generic behaviour ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timing", "computed", "expected"),
    [
        # default timing: the decided level follows the computed one
        ({}, [1, 2, 3, 1], [1, 2, 3, 1]),
        # minimum dwell of 3 days: no change within 3 days of the last
        ({"min_dwell_days": 3}, [1, 2, 1, 1, 1, 1], [1, 2, 2, 2, 1, 1]),
        # two days in a row before raising, effective one day later
        ({"raise_after_days": 2, "raise_delay_days": 1}, [1, 2, 2, 2, 2], [1, 1, 1, 2, 2]),
        # an unknown day (NaN, or 0 for a grey state) neither counts nor breaks a run;
        # before the first known day there is no level
        ({"raise_after_days": 2}, [NAN, 0, 1, 2, NAN, 2, 2], [NAN, NAN, 1, 1, 1, 2, 2]),
        # two days below (days 1 and 2), effective two days after the decision (day 4)
        (
            {"lower_after_days": 2, "lower_delay_days": 2},
            [3, 1, 1, 1, 1, 1],
            [3, 3, 3, 3, 1, 1],
        ),
        # once a raise is decided, a fall during its delay does not cancel it
        ({"raise_delay_days": 2}, [1, 3, 1, 1, 1], [1, 1, 1, 3, 1]),
    ],
)
def test_timing_rules(timing, computed, expected):
    ruleset = timing_ruleset(**timing)
    dates = days_from(dt.date(2021, 6, 7), len(computed))
    got = apply_timing(ruleset, np.array(computed, dtype=float), dates)
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


def test_areas_are_independent_and_the_shape_is_kept():
    ruleset = timing_ruleset(raise_after_days=2)
    computed = np.array([[1, 2, 2, 2], [3, 3, 1, 1]], dtype=float)
    dates = days_from(dt.date(2021, 6, 7), 4)
    got = apply_timing(ruleset, computed, dates)
    np.testing.assert_array_equal(got, [[1, 1, 2, 2], [3, 3, 1, 1]])
    assert apply_timing(ruleset, computed[0], dates).shape == (4,)
