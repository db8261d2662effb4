"""The indicator kernel on small hand-computed examples (no Django, no database)."""

import numpy as np
import pytest

from vungxanh.domain.indicators import (
    INDICATORS,
    IndicatorInputs,
    compute,
    days_since,
    forward_fill,
    roll_up,
    window_sum,
)

NAN = np.nan


def row(values) -> np.ndarray:
    return np.array([values], dtype=np.float64)


def indicator(result: np.ndarray, name: str) -> np.ndarray:
    return result[INDICATORS.index(name)]


@pytest.mark.parametrize(
    ("values", "parent", "depth", "expected"),
    [
        # A lone root keeps its own figures.
        ([[1, 2]], [-1], [0], [[1, 2]]),
        # District 0 with wards 1 and 2: the district adds its own figure to theirs.
        ([[1, 0], [2, 3], [4, 5]], [-1, 0, 0], [0, 1, 1], [[7, 8], [2, 3], [4, 5]]),
        # Three levels: the ward (3) reaches the province (0) through its district (1).
        (
            [[0, 0], [1, 0], [0, 2], [5, 5]],
            [-1, 0, 0, 1],
            [0, 1, 1, 2],
            [[6, 7], [6, 5], [0, 2], [5, 5]],
        ),
        # Children listed before their parent, and two roots that never mix.
        ([[3, 1], [1, 1], [0, 4]], [1, -1, -1], [1, 0, 0], [[3, 1], [4, 2], [0, 4]]),
    ],
)
def test_roll_up_adds_every_row_into_all_its_ancestors(values, parent, depth, expected):
    result = roll_up(np.array(values, float), np.array(parent), np.array(depth))
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([NAN, 1, NAN, NAN, 3, NAN], [NAN, 1, 1, 1, 3, 3]),
        ([2, NAN, 0, NAN], [2, 2, 0, 0]),
        ([NAN, NAN, NAN], [NAN, NAN, NAN]),
        ([4, 5, 6], [4, 5, 6]),
    ],
)
def test_forward_fill_carries_the_last_known_value(values, expected):
    np.testing.assert_array_equal(forward_fill(row(values)), row(expected))


@pytest.mark.parametrize(
    ("values", "days", "lag", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 7, 0, [1, 3, 6, 10, 15, 21, 28, 35, 42]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 7, 7, [0, 0, 0, 0, 0, 0, 0, 1, 3]),
        ([1, 2, 3, 4, 5], 1, 0, [1, 2, 3, 4, 5]),
        ([1, 2, 3, 4, 5], 2, 1, [0, 1, 3, 5, 7]),
    ],
)
def test_window_sum_counts_the_days_ending_lag_days_before(values, days, lag, expected):
    np.testing.assert_array_equal(window_sum(row(values), days, lag), row(expected))


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([0, 1, 0, 0, 2, 0], [NAN, 0, 1, 2, 0, 1]),
        ([3, 0, 0], [0, 1, 2]),
        ([0, 0, 0], [NAN, NAN, NAN]),
    ],
)
def test_days_since_the_last_event(events, expected):
    np.testing.assert_array_equal(days_since(row(events)), row(expected))


def ward(population: float, n_days: int, **cases: dict[int, float]) -> IndicatorInputs:
    """One area with cases by detection: {"community": {day: count}}."""
    inputs = IndicatorInputs.empty([population], [-1], [0], n_days)
    for detection, by_day in cases.items():
        for day, count in by_day.items():
            inputs.cases[detection][0, day] = count
    return inputs


# 40,000 people; community cases on days 0, 3, 6, 8, 13; 10 quarantine cases on day 8.
COMMUNITY = ward(40_000, 15, community={0: 2, 3: 1, 6: 1, 8: 4, 13: 2}, quarantine={8: 10})


@pytest.mark.parametrize(
    ("name", "day", "expected"),
    [
        ("community_7d", 6, 4),  # days 0–6: 2 + 1 + 1
        ("community_incidence_7d", 6, 10.0),  # 4 / 40,000 × 100,000
        ("community_incidence_7d", 13, 15.0),  # days 7–13: 4 + 2
        ("community_prev_7d", 13, 4),  # days 0–6
        ("community_incidence_14d", 13, 25.0),  # (6 + 4) / 40,000 × 100,000
        ("community_weekly_avg_2w", 13, 12.5),  # the mean of 15 and 10
        ("community_incidence_14d", 14, 20.0),  # days 8–14: 6, days 1–7: 2
        ("community_weekly_avg_2w", 14, 10.0),
        ("incidence_7d", 8, 40.0),  # days 2–8, every detection: 1 + 1 + 4 + 10
        ("new_cases", 8, 14),
        ("cumulative_cases", 14, 20),
        ("days_since_community_case", 12, 4),
        ("days_since_community_case", 13, 0),
    ],
)
def test_community_incidence_per_100k(name, day, expected):
    assert indicator(compute(COMMUNITY), name)[0, day] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("performed", "positive", "day", "expected"),
    [
        ({}, {}, 3, NAN),  # no test reported: unknown, not 0 %
        ({2: 200}, {2: 5}, 3, 2.5),
        ({0: 100, 3: 300}, {0: 1, 3: 9}, 3, 2.5),
        ({0: 100}, {0: 0}, 3, 0.0),
        ({0: 100}, {0: 4}, 7, NAN),  # the test fell out of the 7-day window
    ],
)
def test_positivity_over_seven_days(performed, positive, day, expected):
    inputs = ward(10_000, 8)
    for day_tested, count in performed.items():
        inputs.tests_performed[0, day_tested] = count
    for day_tested, count in positive.items():
        inputs.tests_positive[0, day_tested] = count
    result = indicator(compute(inputs), "positivity_7d_pct")[0, day]
    np.testing.assert_allclose(result, expected)


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (0, 10.0),  # the district: 10 cases / 100,000 people, not the 50 of its worst ward
        (1, 50.0),  # ward A: 5 / 10,000
        (2, 10.0),  # ward B: 5 / 50,000
    ],
)
def test_a_district_is_computed_on_its_own_totals(area, expected):
    inputs = IndicatorInputs.empty([100_000, 10_000, 50_000], [-1, 0, 0], [0, 1, 1], 7)
    inputs.cases["community"][1, 2] = 5
    inputs.cases["community"][2, 4] = 5
    result = indicator(compute(inputs), "community_incidence_7d")
    assert result[area, 6] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("day", "district", "ward_a"),
    [
        (0, NAN, NAN),  # nothing reported yet
        (1, 50.0, 50.0),  # ward A alone: 500 / 1,000
        (2, 27.5, 50.0),  # (500 + 600) / (1,000 + 3,000)
        (3, 27.5, 50.0),  # carried forward
        (4, 35.0, 80.0),  # ward A's update: (800 + 600) / 4,000
    ],
)
def test_vaccination_stocks_are_carried_forward_and_added_up(day, district, ward_a):
    inputs = IndicatorInputs.empty([0, 1_500, 4_000], [-1, 0, 0], [0, 1, 1], 5)
    for area, reported_on, adults, full in (
        (1, 1, 1_000, 500),
        (2, 2, 3_000, 600),
        (1, 4, 1_000, 800),
    ):
        inputs.vaccination["adults"][area, reported_on] = adults
        inputs.vaccination["adults_full"][area, reported_on] = full
    result = indicator(compute(inputs), "vacc_full_18plus_pct")
    np.testing.assert_allclose([result[0, day], result[1, day]], [district, ward_a])


@pytest.mark.parametrize(
    ("ward_a", "ward_b", "expected"),
    [
        ([1, NAN, NAN], [1, NAN, NAN], [1, 1, 1]),
        ([1, NAN, NAN], [NAN, 0, NAN], [1, 0, 0]),  # one ward without oxygen: the district lacks it
        ([NAN, 1, NAN], [NAN, NAN, NAN], [NAN, 1, 1]),  # unknown wards do not count
        ([1, NAN, 0], [1, NAN, NAN], [1, 1, 0]),  # ward A's later "no" holds from day 2
        ([NAN, NAN, NAN], [NAN, NAN, NAN], [NAN, NAN, NAN]),
    ],
)
def test_station_oxygen_needs_every_reporting_ward(ward_a, ward_b, expected):
    inputs = IndicatorInputs.empty([0, 1, 1], [-1, 0, 0], [0, 1, 1], 3)
    inputs.capacity["station_oxygen"][1] = ward_a
    inputs.capacity["station_oxygen"][2] = ward_b
    result = indicator(compute(inputs), "station_oxygen")
    np.testing.assert_array_equal(result[0], expected)
