"""The Cori estimator against EpiEstim itself (fixtures made by fixtures/epiestim/make_fixtures.R).

Every case of ``cases.csv`` is EpiEstim's ``estimate_R`` run area by area; here all the
areas of a case go through one ``estimate_r`` call, and every output must equal
EpiEstim's to 1e-8 relative (NA where EpiEstim gives NA).
"""

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from vungxanh.domain import rt

FIXTURES = Path(__file__).parent / "fixtures" / "epiestim"
RTOL = 1e-8
COLUMNS = {
    "mean": lambda e: e.mean,
    "std": lambda e: e.std,
    "q025": lambda e: e.quantiles[0.025],
    "q05": lambda e: e.quantiles[0.05],
    "q25": lambda e: e.quantiles[0.25],
    "median": lambda e: e.quantiles[0.5],
    "q75": lambda e: e.quantiles[0.75],
    "q95": lambda e: e.quantiles[0.95],
    "q975": lambda e: e.quantiles[0.975],
}


def read_csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(text: str) -> float:
    return np.nan if text == "NA" else float(text)


CASES = {row["case"]: row for row in read_csv("cases.csv")}


def load_incidence(data: str) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Return the areas (in file order), local and imported (None if no column) matrices."""
    rows = read_csv(f"{data}.csv")
    areas = list(dict.fromkeys(row["area"] for row in rows))
    local = np.array([[number(r["local"]) for r in rows if r["area"] == a] for a in areas])
    if "imported" not in rows[0]:
        return areas, local, None
    imported = np.array([[number(r["imported"]) for r in rows if r["area"] == a] for a in areas])
    return areas, local, imported


def run_case(case: dict[str, str]) -> tuple[list[str], rt.RtEstimate]:
    areas, local, imported = load_incidence(case["data"])
    options = {
        "prior_mean": float(case["mean_prior"]),
        "prior_sd": float(case["std_prior"]),
    }
    if case["windows"] == "custom":
        windows = read_csv(f"{case['case']}.windows.csv")
        options["t_start"] = [int(number(w["t_start"])) for w in windows]
        options["t_end"] = [int(number(w["t_end"])) for w in windows]
    if case["method"] == "parametric_si":
        estimate = rt.estimate_r_parametric(
            local, imported, float(case["mean_si"]), float(case["std_si"]), **options
        )
    else:
        si = [float(row["si"]) for row in read_csv(f"{case['si_distr']}.si.csv")]
        estimate = rt.estimate_r(local, imported, si, **options)
    return areas, estimate


def expected(case: str, column: str, n_areas: int) -> np.ndarray:
    return np.array([number(row[column]) for row in read_csv(f"{case}.expected.csv")]).reshape(
        n_areas, -1
    )


def max_relative_error(got: np.ndarray, want: np.ndarray) -> float:
    known = ~np.isnan(want)
    if not known.any():
        return 0.0
    return float(np.max(np.abs(got[known] - want[known]) / np.abs(want[known])))


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_output_matches_epiestim(case):
    areas, estimate = run_case(CASES[case])
    for column in ("t_start", "t_end"):
        want = expected(case, column, len(areas))
        got = getattr(estimate, column)
        np.testing.assert_array_equal(np.broadcast_to(got, want.shape), want, err_msg=column)
    for column, read in COLUMNS.items():
        want = expected(case, column, len(areas))
        got = read(estimate)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"NA of {column}")
        assert max_relative_error(got, want) <= RTOL, column


@pytest.mark.parametrize("case", sorted(CASES))
def test_serial_interval_moments_match_epiestim(case):
    _, estimate = run_case(CASES[case])
    assert estimate.si_mean == pytest.approx(float(CASES[case]["si_mean"]), rel=RTOL)
    assert estimate.si_std == pytest.approx(float(CASES[case]["si_std"]), rel=RTOL)


@pytest.mark.parametrize("case", sorted(CASES))
def test_warnings_are_epiestims(case):
    areas, estimate = run_case(CASES[case])
    want = {(row["area"], row["code"]) for row in read_csv(f"{case}.warnings.csv")}
    got = set()
    for warning in estimate.warnings:
        # A warning about the serial interval concerns every area, as EpiEstim repeats it.
        concerned = warning.areas if warning.areas.size else range(len(areas))
        got |= {(areas[i], warning.code) for i in concerned}
    assert got == want


def test_the_fixtures_cover_what_the_issue_asks():
    datasets = {case["data"] for case in CASES.values()}
    assert {"flu2009", "sars2003", "mers2014", "sparse"} <= datasets
    methods = {(c["data"], c["method"]) for c in CASES.values()}
    assert {("flu2009", "parametric_si"), ("flu2009", "non_parametric_si")} <= methods
    assert {("sars2003", "parametric_si"), ("sars2003", "non_parametric_si")} <= methods
    assert any(c["windows"] == "custom" for c in CASES.values())
    _, _, imported = load_incidence("mers2014")
    assert imported is not None and imported.sum() > 0
    areas, local, imported = load_incidence("sparse")
    assert not (local[areas.index("zero")].any() or imported[areas.index("zero")].any())
    # NA windows (t_end <= mean SI) are among the fixtures.
    assert np.isnan(expected("sars2003_nonparametric", "mean", 1)).any()


@pytest.mark.parametrize(
    ("mean", "sd"), [(2.6, 1.5), (8.4, 3.8), (4.7, 2.9), (6.8, 4.1), (1.5, 0.3), (20, 10), (3, 6)]
)
def test_discr_si_matches_epiestim(mean, sd):
    rows = [r for r in read_csv("discr_si.csv") if (float(r["mean"]), float(r["sd"])) == (mean, sd)]
    k = np.array([float(r["k"]) for r in rows])
    want = np.array([float(r["value"]) for r in rows])
    got = rt.discr_si(k, mean, sd)
    # Far in the tail EpiEstim's formula cancels to rounding noise: compare absolutely there.
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-15)
    assert got[0] == 0


def test_one_call_equals_one_call_per_area():
    areas, local, imported = load_incidence("sparse")
    si = rt.parametric_si(local.shape[1], 4.7, 2.9)
    together = rt.estimate_r(local, imported, si, si_must_sum_to_one=False)
    for i in range(len(areas)):
        alone = rt.estimate_r(local[i], imported[i], si, si_must_sum_to_one=False)
        np.testing.assert_allclose(together.mean[i], alone.mean[0], rtol=1e-14)
        np.testing.assert_allclose(together.quantiles[0.975][i], alone.quantiles[0.975][0])


def test_infectivity_is_the_renewal_sum():
    rng = np.random.default_rng(5)
    incidence = rng.poisson(3.0, (4, 30)).astype(float)
    si = rt.parametric_si(30, 4.7, 2.9)
    lam = rt.infectivity(incidence, si)
    assert np.isnan(lam[:, 0]).all()
    for t in range(1, 30):
        naive = sum(si[s] * incidence[:, t - s] for s in range(1, t + 1))
        np.testing.assert_allclose(lam[:, t], naive, rtol=1e-13)


@pytest.mark.parametrize("shape", [0.7, 1.0, 2.777777777777778, 13.0, 4000.5, 1e6])
def test_gamma_quantiles_are_qgamma(shape):
    shapes = np.array([[shape, shape + 3.0], [np.nan, shape]])
    scales = np.array([[0.2, 1.5], [np.nan, 0.01]])
    got = rt.gamma_quantiles(shapes, scales)
    for i, p in enumerate(rt.QUANTILES):
        want = stats.gamma.ppf(p, shapes, scale=scales)
        np.testing.assert_allclose(got[i], want, rtol=1e-12)


def test_zero_incidence_gives_the_prior_everywhere_it_may():
    estimate = rt.estimate_r(np.zeros((2, 20)), None, [0, 0.5, 0.5], prior_mean=5, prior_sd=5)
    # Mean SI 1.5: every window (t_end >= 8) is estimated, and R is the prior: gamma(1, 5).
    assert estimate.estimable.all()
    np.testing.assert_allclose(estimate.mean, 5.0)
    np.testing.assert_allclose(estimate.std, 5.0)
    np.testing.assert_allclose(estimate.median, 5.0 * np.log(2))
    np.testing.assert_array_equal(estimate.too_early(), [0, 1])


def test_missing_counts_are_no_case_as_in_epiestim():
    local = np.array([[0, 2, np.nan, 4, 1, 0, 3, 5, 2, 1]], dtype=float)
    si = [0, 0.6, 0.4]
    np.testing.assert_array_equal(
        rt.estimate_r(local, None, si).mean, rt.estimate_r(np.nan_to_num(local), None, si).mean
    )


def test_day_one_local_cases_warn_only_when_imported_are_given():
    local = np.array([[3, 2, 4, 4, 1, 0, 3, 5, 2, 1]], dtype=float)
    si = [0, 0.6, 0.4]
    without = rt.estimate_r(local, None, si)
    with_column = rt.estimate_r(local, np.zeros_like(local), si)
    assert rt.LOCAL_FIRST_DAY not in {w.code for w in without.warnings}
    assert rt.LOCAL_FIRST_DAY in {w.code for w in with_column.warnings}
    np.testing.assert_array_equal(without.mean, with_column.mean)


def test_imported_cases_infect_but_are_not_counted_as_infected():
    local = np.array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], dtype=float)
    imported = np.array([[0, 0, 10, 0, 0, 10, 0, 0, 0, 0]], dtype=float)
    estimate = rt.estimate_r(local + imported, None, [0, 1.0])
    moved = rt.estimate_r(local, imported, [0, 1.0])
    # Same infectivity, but no local case: a lower posterior than with the cases local.
    assert (moved.mean < estimate.mean).all()
    # Shape is the prior's (1) and the scale shrinks with the imported infectivity (20).
    np.testing.assert_allclose(moved.shape, 1.0)
    np.testing.assert_allclose(moved.scale[0, 0], 1 / (1 / 5 + 20))


def test_low_count_applies_epiestims_rule_to_every_window():
    local = np.array([[0, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9]], dtype=float)
    estimate = rt.estimate_r(local, None, [0, 0.5, 0.5])
    # ceil(1 / 0.3² − 1) = 11 cases per window under the default prior.
    cases = [7, 15, 23, 31]
    assert estimate.low_count[0].tolist() == [c < 11 for c in cases]


@pytest.mark.parametrize(
    ("n_days", "length", "first", "last"), [(32, 7, (2, 8), (26, 32)), (20, 14, (2, 15), (7, 20))]
)
def test_sliding_windows_are_epiestims(n_days, length, first, last):
    t_start, t_end = rt.sliding_windows(n_days, length)
    assert (t_start[0], t_end[0]) == first
    assert (t_start[-1], t_end[-1]) == last


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0.1, 0.9], [2], [3]), "si\\[0\\] = 0"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 0.5], [2], [3]), "sum to 1"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, -0.5, 1.5], [2], [3]), "positive"),
        (lambda: rt.estimate_r([[0, -1, 2]], None, [0, 1], [2], [3]), "non-negative"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 1], [1], [3]), "between 2"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 1], [3], [2]), "<= t_end"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 1], [2], [4]), "between 2"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 1], [2, 2], [3]), "same length"),
        (lambda: rt.estimate_r([[0, 1, 2]], [[0, 1]], [0, 1], [2], [3]), "same shape"),
        (lambda: rt.estimate_r([[0, 1, 2]], None, [0, 1], [2], [3], 0, 5), "prior"),
        (lambda: rt.estimate_r(np.zeros((1, 7)), None, [0, 1]), "at least 8 days"),
        (lambda: rt.estimate_r_parametric([[0, 1, 2]], None, 1.0, 2.0, [2], [3]), "> 1"),
        (lambda: rt.estimate_r_parametric([[0, 1, 2]], None, 3.0, 0.0, [2], [3]), "> 0"),
    ],
)
def test_bad_input_is_refused_as_epiestim_does(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_long_series_needs_memory_linear_in_its_days():
    # Five years of days (a year typed wrong once stretched a series to 2099): the
    # estimate must not build a days × days matrix (1826² × 8 bytes = 27 MB here).
    import tracemalloc

    n_days = 5 * 365 + 1
    rng = np.random.default_rng(9)
    local = rng.poisson(4.0, (3, n_days)).astype(float)
    tracemalloc.start()
    try:
        estimate = rt.estimate_r_parametric(local, None, 4.7, 2.9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert estimate.mean.shape == (3, n_days - 7)
    assert peak < n_days * n_days * 8 / 10


def test_the_serial_interval_is_cut_where_it_has_no_mass_left():
    # The convolution runs over the support only; the estimate is EpiEstim's all the same.
    si = rt.parametric_si(2000, 4.7, 2.9)
    support = rt.si_support(si)
    assert 20 < support < 120
    assert math.fsum(si[support:]) <= rt.SI_NEGLIGIBLE
    rng = np.random.default_rng(3)
    local = rng.poisson(30.0, (2, 400)).astype(float)
    short = rt.estimate_r(local, None, si[:support], si_must_sum_to_one=False)
    full = rt.estimate_r(local, None, si[:400], si_must_sum_to_one=False)
    np.testing.assert_allclose(short.mean, full.mean, rtol=1e-12)
