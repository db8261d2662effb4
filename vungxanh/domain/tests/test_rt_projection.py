"""The renewal-equation projection on synthetic series with known answers."""

import numpy as np
import pytest

from vungxanh.domain import projection as pj
from vungxanh.domain import rt

# A posterior so narrow that R is the given value in every sample.
CERTAIN = 1e10


def certain(r) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(r, dtype=float)
    return np.full(r.shape, CERTAIN), r / CERTAIN


def test_r_of_one_keeps_a_steady_epidemic_flat():
    si = rt.parametric_si(30, 4.7, 2.9)
    si = si / si.sum()
    history = np.full((2, 120), 400.0)
    shape, scale = certain([1.0, 1.0])
    np.testing.assert_allclose(pj.expected_cases(history, si, 1.0), 400.0, rtol=1e-12)
    result = pj.project_cases(history, si, shape, scale, n_samples=2000, seed=3)
    assert result.mean.shape == (2, 14)
    np.testing.assert_allclose(result.mean, 400.0, rtol=0.02)
    np.testing.assert_allclose(result.median, 400.0, rtol=0.03)
    assert (result.lower < 400).all() and (result.upper > 400).all()


@pytest.mark.parametrize("growth", [0.05, -0.08])
def test_known_exponential_growth_goes_on(growth):
    # Generation time of exactly 2 days: R = exp(2 r) keeps I_t = I_0 exp(r t) exact.
    si = np.array([0.0, 0.0, 1.0])
    r = np.exp(2 * growth)
    days = np.arange(60)
    history = 1e5 * np.exp(growth * days)[None, :]
    future = 1e5 * np.exp(growth * (60 + np.arange(14)))
    np.testing.assert_allclose(pj.expected_cases(history, si, r)[0], future, rtol=1e-12)
    shape, scale = certain([r])
    result = pj.project_cases(history, si, shape, scale, n_samples=4000, seed=11)
    np.testing.assert_allclose(result.mean[0], future, rtol=0.02)


def test_r_uncertainty_widens_the_interval():
    si = np.array([0.0, 0.3, 0.4, 0.3])
    history = np.full((2, 30), 100.0)
    # Both posteriors have mean 1; the second is far wider (sd 0.3 against 0.01).
    shape = np.array([1e4, 1 / 0.09])
    scale = 1.0 / shape
    result = pj.project_cases(history, si, shape, scale, n_samples=3000, seed=2)
    width = result.upper - result.lower
    assert (width[1] > 2 * width[0]).all()
    assert (result.lower <= result.median).all() and (result.median <= result.upper).all()


def test_the_same_seed_gives_the_same_projection():
    si = np.array([0.0, 0.5, 0.5])
    history = np.arange(40, dtype=float).reshape(2, 20)
    one = pj.project_cases(history, si, [20.0, 30.0], [0.05, 0.04], n_samples=50, seed=7)
    two = pj.project_cases(history, si, [20.0, 30.0], [0.05, 0.04], n_samples=50, seed=7)
    other = pj.project_cases(history, si, [20.0, 30.0], [0.05, 0.04], n_samples=50, seed=8)
    np.testing.assert_array_equal(one.median, two.median)
    np.testing.assert_array_equal(one.mean, two.mean)
    assert not np.array_equal(one.mean, other.mean)


def test_an_area_without_posterior_is_nan_and_leaves_the_others_alone():
    si = np.array([0.0, 1.0])
    history = np.full((3, 10), 50.0)
    shape, scale = certain([1.0, np.nan, 1.0])
    result = pj.project_cases(history, si, shape, scale, n_samples=200, seed=1, chunk=2)
    assert np.isnan(result.mean[1]).all() and np.isnan(result.upper[1]).all()
    assert np.isfinite(result.mean[[0, 2]]).all()


def test_it_runs_on_estimate_rs_posterior():
    rng = np.random.default_rng(4)
    local = rng.poisson(np.linspace(5, 40, 50), (3, 50)).astype(float)
    si = rt.parametric_si(50, 4.7, 2.9)
    estimate = rt.estimate_r(local, None, si, si_must_sum_to_one=False)
    shape, scale = rt.current_posterior(estimate)
    result = pj.project_cases(local, si, shape, scale, n_samples=500, seed=0)
    assert result.horizon == 14
    assert (result.median > 0).all()


@pytest.mark.parametrize(
    ("r", "threshold", "expected"),
    [
        # Steady 100 a day (700 a week): R = 1.3 crosses 800 within 7 days, R = 0.7 never.
        (1.3, 800.0, 1.0),
        (0.7, 800.0, 0.0),
        # Already above it and staying flat: certain.
        (1.0, 600.0, 1.0),
    ],
)
def test_exceed_probability_within_a_week(r, threshold, expected):
    si = np.array([0.0, 0.5, 0.5])
    history = np.full((1, 30), 100.0)
    shape, scale = certain([r])
    result = pj.project_cases(
        history, si, shape, scale, n_samples=400, seed=5, weekly_threshold=threshold
    )
    assert result.exceed_probability[0] == pytest.approx(expected, abs=0.01)
    assert pj.likely_to_exceed(result)[0] == (expected > 0.5)


def test_the_week_counts_the_last_observed_days():
    si = np.array([0.0, 1.0])
    history = np.zeros((1, 20))
    history[0, -3:] = [4, 4, 4]  # 12 cases in the last 3 days, then R ~ 0
    recent_only = history.copy()
    shape, scale = certain([1e-9])
    options = {"n_samples": 100, "seed": 1, "weekly_threshold": 12, "recent": recent_only}
    assert pj.project_cases(history, si, shape, scale, **options).exceed_probability[0] == 1
    options["weekly_threshold"] = 13
    assert pj.project_cases(history, si, shape, scale, **options).exceed_probability[0] == 0
    options["weekly_threshold"] = 12
    options["inclusive"] = False
    assert pj.project_cases(history, si, shape, scale, **options).exceed_probability[0] == 0


def test_weekly_counts_roll_over_observed_and_projected_days():
    observed = np.array([[1.0, 2, 3, 4, 5, 6]])
    projected = np.array([[[10.0, 20, 30, 40, 50, 60, 70, 80]]])
    weekly = pj._weekly_counts(observed, projected)[0, 0]
    days = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60, 70, 80]
    assert weekly.tolist() == [sum(days[d : d + 7]) for d in range(8)]


def test_weekly_threshold_per_100k():
    np.testing.assert_allclose(pj.weekly_threshold(50, [31_268, 100_000]), [15.634, 50.0])


def test_history_kernel_is_the_renewal_sum():
    rng = np.random.default_rng(9)
    history = rng.poisson(5.0, (2, 12)).astype(float)
    si = np.array([0.0, 0.2, 0.5, 0.2, 0.1])
    base = history @ pj.history_kernel(si, 12, 4)
    for h in range(4):
        t = 12 + h
        naive = sum(si[s] * history[:, t - s] for s in range(1, len(si)) if t - s < 12)
        np.testing.assert_allclose(base[:, h], naive)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"horizon": 0}, "at least 1"),
        ({"interval": (0.9, 0.1)}, "interval"),
        ({"weekly_threshold": 5, "within": 20}, "within"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        pj.project_cases(np.ones((1, 5)), [0, 1.0], 1.0, 1.0, **options)


def test_likely_to_exceed_needs_a_threshold():
    result = pj.project_cases(np.ones((1, 5)), [0, 1.0], 1.0, 1.0, n_samples=10)
    with pytest.raises(ValueError, match="threshold"):
        pj.likely_to_exceed(result)
