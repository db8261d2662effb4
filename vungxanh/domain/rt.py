"""The reproduction number of every area and window at once (Cori et al. 2013, as EpiEstim).

This is EpiEstim's ``estimate_R`` with ``method = "parametric_si"`` or
``"non_parametric_si"`` (EpiEstim 2.2-4), computed for an ``areas × days`` matrix in one
call instead of one series at a time, and equal to it to rounding (the fixtures in
``tests/fixtures/epiestim`` are made with EpiEstim itself). Its conventions, kept here:

- Days are numbered from 1, as in R; day 1's cases are all taken as imported (EpiEstim
  moves local cases of day 1 to the imported column, with a warning when they were given
  as local). This never changes an estimate: windows start on day 2 at the earliest.
- The serial interval ``si`` is a distribution over 0, 1, 2, … days with ``si[0] == 0``.
  The parametric one is ``discr_si(0 … T−1, mean, sd)``: a gamma distribution shifted by
  one day and discretised, cut at the series length (so it may sum to less than 1; EpiEstim
  warns when it is off by more than 0.01).
- The infectivity of day t is Λ_t = Σ_{s ≥ 1} si[s] · I_{t−s}, where I counts local and
  imported cases alike: imported cases infect others but are not infected locally.
- On a window [t_start, t_end], with a gamma prior of shape a = (mean/sd)² and scale
  b = sd²/mean, R has a gamma posterior of shape a + Σ local and scale
  1 / (1/b + Σ Λ); every output is NaN (EpiEstim's NA) on a window with
  t_end ≤ the mean of ``si``, and every other window is estimated, even with no case at all
  (R is then the prior).
- EpiEstim warns ("too early in the epidemic") when the first window holds fewer cases than
  ⌈1/cv² − a⌉ (cv = 0.3): the posterior coefficient of variation would exceed 0.3. The
  warning is kept, per area; ``low_count`` applies the same test to every window.

Memory and time grow with areas × days, never days²: Λ is a convolution over the serial
interval's support only (``si_support``: where its mass is not yet negligible, about 90
days for COVID-19's), and each window's sums add its days (no days × windows matrix).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import toeplitz
from scipy.special import gammainc, gammaincinv

# The posterior quantiles EpiEstim reports, in its column order.
QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
DEFAULT_PRIOR_MEAN = 5.0
DEFAULT_PRIOR_SD = 5.0
DEFAULT_CV_POSTERIOR = 0.3
SI_SUM_TOLERANCE = 0.01
# The serial interval's tail beyond which every infectivity is cut: below any rounding
# that matters (EpiEstim's outputs are matched to 1e-8).
SI_NEGLIGIBLE = 1e-15
# Days of infectivity computed by one matrix product (see _convolve_si).
CONVOLUTION_BLOCK = 256

# EpiEstim's warnings, by code (the texts are EpiEstim's).
TOO_EARLY = "too_early"
LOCAL_FIRST_DAY = "local_first_day"
SI_SUM = "si_sum"
WARNING_TEXTS = {
    TOO_EARLY: "You're estimating R too early in the epidemic to get the desired posterior CV.",
    LOCAL_FIRST_DAY: (
        "incid$local[1] is >0 but must be 0, as all cases on the first time step are "
        "assumed imported. This is corrected automatically by cases being transferred "
        "to incid$imported."
    ),
    SI_SUM: "si_distr does not sum to 1.",
}


@dataclass(frozen=True)
class RtWarning:
    """One of EpiEstim's warnings and the areas (row indices) it concerns."""

    code: str
    message: str
    areas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class RtEstimate:
    """The posterior of R for every area (rows) and window (columns).

    Every ``areas × windows`` array is NaN on windows EpiEstim does not estimate
    (``~estimable``). ``t_start`` and ``t_end`` are 1-based day indices, as in EpiEstim.
    """

    t_start: np.ndarray  # (windows,)
    t_end: np.ndarray  # (windows,)
    mean: np.ndarray
    std: np.ndarray
    quantiles: dict[float, np.ndarray]  # QUANTILES → areas × windows
    shape: np.ndarray  # posterior gamma shape
    scale: np.ndarray  # posterior gamma scale
    estimable: np.ndarray  # (windows,) t_end > si_mean
    low_count: np.ndarray  # areas × windows: fewer cases than the posterior CV asks for
    si_mean: float  # EpiEstim's SI.Moments: mean and sd of the serial interval used
    si_std: float
    warnings: tuple[RtWarning, ...] = ()

    @property
    def median(self) -> np.ndarray:
        return self.quantiles[0.5]

    def too_early(self) -> np.ndarray:
        """Return the indices of the areas EpiEstim warns are estimated too early."""
        for warning in self.warnings:
            if warning.code == TOO_EARLY:
                return warning.areas
        return np.zeros(0, dtype=np.int64)


def discr_si(k, mean: float, sd: float) -> np.ndarray:
    """Return EpiEstim's ``discr_si(k, mu, sigma)``: P(serial interval = k) for each k.

    The serial interval minus one day is gamma distributed with mean ``mean − 1`` and
    standard deviation ``sd``; the discretisation is Cori et al. (2013), Web Appendix 11.
    """
    if not sd > 0:
        raise ValueError("the serial interval's sd must be > 0")
    if not mean > 1:
        raise ValueError("the serial interval's mean must be > 1")
    k = np.asarray(k, dtype=np.float64)
    if np.any(k < 0):
        raise ValueError("all values in k must be >= 0")
    a = ((mean - 1.0) / sd) ** 2
    b = sd**2 / (mean - 1.0)

    def cdf(x: np.ndarray, shape: float) -> np.ndarray:
        # pgamma is 0 at and below 0; gammainc is undefined below 0.
        return np.where(x > 0, gammainc(shape, np.maximum(x, 0.0) / b), 0.0)

    res = k * cdf(k, a) + (k - 2) * cdf(k - 2, a) - 2 * (k - 1) * cdf(k - 1, a)
    res = res + a * b * (2 * cdf(k - 1, a + 1) - cdf(k - 2, a + 1) - cdf(k, a + 1))
    return np.maximum(res, 0.0)


def parametric_si(n_days: int, mean: float, sd: float) -> np.ndarray:
    """Return the serial interval EpiEstim's ``parametric_si`` uses on ``n_days`` days."""
    return discr_si(np.arange(n_days), mean, sd)


def sliding_windows(n_days: int, length: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Return EpiEstim's sliding windows: t_start = 2 … T−length+1, t_end = t_start+length−1.

    ``length = 7`` gives EpiEstim's default weekly windows.
    """
    if length < 1:
        raise ValueError("the window must be at least 1 day long")
    if n_days < length + 1:
        raise ValueError(
            f"{length}-day windows need at least {length + 1} days (estimation starts on day 2)"
        )
    t_start = np.arange(2, n_days - length + 2, dtype=np.int64)
    return t_start, t_start + length - 1


def check_si(si, *, must_sum_to_one: bool = True) -> np.ndarray:
    """Return ``si`` as a float array after EpiEstim's ``check_si_distr``.

    Raises ValueError when ``si[0] != 0``, a value is negative, or (``must_sum_to_one``)
    the sum is off 1 by more than 0.01.
    """
    si = np.asarray(si, dtype=np.float64)
    if si.ndim != 1 or si.size == 0:
        raise ValueError("the serial interval must be a non-empty vector")
    if not np.all(np.isfinite(si)):
        raise ValueError("the serial interval must be finite")
    if si[0] != 0:
        raise ValueError("the serial interval must start at day 0 with si[0] = 0")
    if np.any(si < 0):
        raise ValueError("the serial interval must be a positive vector")
    if must_sum_to_one and abs(math.fsum(si) - 1.0) > SI_SUM_TOLERANCE:
        raise ValueError("the serial interval must sum to 1")
    return si


def check_windows(t_start, t_end, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the windows as int arrays after EpiEstim's ``check_times``."""
    t_start = np.atleast_1d(np.asarray(t_start, dtype=np.float64))
    t_end = np.atleast_1d(np.asarray(t_end, dtype=np.float64))
    if t_start.ndim != 1 or t_end.ndim != 1 or t_start.size == 0:
        raise ValueError("t_start and t_end must be non-empty vectors")
    if t_start.shape != t_end.shape:
        raise ValueError("t_start and t_end must have the same length")
    if np.any(t_start > t_end):
        raise ValueError("t_start[i] must be <= t_end[i] for all i")
    for name, values in (("t_start", t_start), ("t_end", t_end)):
        if np.any((values < 2) | (values > n_days) | (values % 1 != 0)):
            raise ValueError(
                f"{name} must hold whole days between 2 and the number of days ({n_days})"
            )
    return t_start.astype(np.int64), t_end.astype(np.int64)


def _incidence(values, name: str) -> np.ndarray:
    array = np.array(values, dtype=np.float64, ndmin=2)
    if array.ndim != 2:
        raise ValueError(f"{name} incidence must be an areas × days matrix")
    # EpiEstim reads NA as no case.
    array[np.isnan(array)] = 0.0
    if np.any(array < 0) or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} incidence must hold non-negative finite counts")
    return array


def si_support(si: np.ndarray) -> int:
    """Return how many first days of ``si`` carry its mass: after them it is 0 or negligible.

    The days dropped hold at most ``SI_NEGLIGIBLE`` of the distribution together (a
    parametric serial interval is exactly 0 beyond a few hundred days anyway).
    """
    positive = np.flatnonzero(si)
    if not positive.size:
        return 1
    kept = si[: positive[-1] + 1]
    tail = np.cumsum(kept[::-1])[::-1]  # tail[k] = Σ si[k:]
    negligible = np.flatnonzero(tail <= SI_NEGLIGIBLE)
    return int(negligible[0]) if negligible.size else kept.size


def _convolve_si(incidence: np.ndarray, si: np.ndarray) -> np.ndarray:
    """Return Λ (areas × days) with Λ_t = Σ_{s ≥ 1} si[s] · I_{t−s}; day 1 is 0.

    Block by block of CONVOLUTION_BLOCK days, each one matrix product with the banded
    kernel K[u, t] = si[t − u] of the days that reach it (the block and the serial
    interval's support before it): areas × days memory, a kernel of (block + support) ×
    block, never days × days.
    """
    n_days = incidence.shape[1]
    support = min(si_support(si), n_days)
    block = min(CONVOLUTION_BLOCK, n_days)
    # Row r, column c: day first − support + 1 + r reaching day first + c, a lag of
    # c − r + support − 1 days; a block at the start or end of the series takes a part.
    reach = np.concatenate([si[:support][::-1], np.zeros(block - 1)])
    kernel = toeplitz(reach, np.zeros(block))
    lam = np.empty_like(incidence)
    for first in range(0, n_days, block):
        stop = min(first + block, n_days)
        start = max(0, first - support + 1)
        rows = slice(start - first + support - 1, stop - first + support - 1)
        lam[:, first:stop] = incidence[:, start:stop] @ kernel[rows, : stop - first]
    return lam


def infectivity(incidence, si) -> np.ndarray:
    """Return Λ (areas × days), EpiEstim's ``overall_infectivity``; day 1 is NaN as in R.

    ``incidence`` counts every case, local and imported.
    """
    incidence = _incidence(incidence, "the")
    si = check_si(si, must_sum_to_one=False)
    lam = _convolve_si(incidence, si)
    lam[:, 0] = np.nan
    return lam


def window_sums(values: np.ndarray, t_start: np.ndarray, t_end: np.ndarray) -> np.ndarray:
    """Return Σ values over each window (areas × windows); days are 1-based, as t_start.

    The days of each window are added one by one (non-negative terms, no cancellation
    of cumulative sums), over areas × windows memory.
    """
    lengths = t_end - t_start + 1
    out = np.zeros((values.shape[0], t_start.size))
    for k in range(int(lengths.max())):
        inside = lengths > k
        if inside.all():
            out += values[:, t_start - 1 + k]
        else:
            out[:, inside] += values[:, t_start[inside] - 1 + k]
    return out


def gamma_quantiles(shape, scale, probs=QUANTILES) -> np.ndarray:
    """Return qgamma(p, shape, scale) for each p (len(probs) × shape.shape); NaN stays NaN.

    The quantile is computed once per distinct shape (shapes are the prior plus whole
    case counts, so there are few) and scaled: qgamma(p, a, scale = b) = b · qgamma(p, a, 1).
    """
    shape = np.asarray(shape, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    probs = np.atleast_1d(np.asarray(probs, dtype=np.float64))
    out = np.empty((probs.size, *shape.shape))
    ok = np.isfinite(shape) & np.isfinite(scale)
    if not ok.any():
        out.fill(np.nan)
        return out
    every = bool(ok.all())
    # Unknown cells borrow a known shape; they are set to NaN below.
    a = shape if every else np.where(ok, shape, shape[ok][0])
    distinct, index = _distinct(a.reshape(-1))
    unit = gammaincinv(distinct[None, :], probs[:, None])
    for i in range(probs.size):
        row = out[i]
        np.take(unit[i], index, out=row.reshape(-1))
        np.multiply(row, scale, out=row)
        if not every:
            row[~ok] = np.nan
    return out


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (distinct values, index of each value among them)."""
    low = values.min()
    offsets = values - low
    span = offsets.max()
    # Prior shape plus whole counts: a lookup table is linear time; else sort.
    if span <= 4 * values.size + 1_000_000 and np.all(offsets == np.floor(offsets)):
        steps = offsets.astype(np.int64)
        present = np.zeros(int(span) + 1, dtype=bool)
        present[steps] = True
        where = np.flatnonzero(present)
        rank = np.cumsum(present) - 1
        # low + step, not distinct values re-derived by subtraction: exact for counts.
        return low + where.astype(np.float64), rank[steps]
    distinct, index = np.unique(values, return_inverse=True)
    return distinct, index.reshape(-1)


def estimate_r(
    local,
    imported=None,
    si=None,
    t_start=None,
    t_end=None,
    prior_mean: float = DEFAULT_PRIOR_MEAN,
    prior_sd: float = DEFAULT_PRIOR_SD,
    *,
    si_must_sum_to_one: bool = True,
    cv_posterior: float = DEFAULT_CV_POSTERIOR,
) -> RtEstimate:
    """Return the posterior of R for every area and window, as EpiEstim's ``estimate_R``.

    ``local`` and ``imported`` are ``areas × days`` counts (a single series may be given
    as a vector); ``imported = None`` means no imported case except day 1's, as when
    EpiEstim is handed a plain vector. ``si`` is the discrete serial interval from day 0
    (``non_parametric_si``); use ``estimate_r_parametric`` for ``parametric_si``.
    ``t_start``/``t_end`` are 1-based days; by default EpiEstim's weekly sliding windows.
    ``si_must_sum_to_one = False`` turns EpiEstim's error on a serial interval that does
    not sum to 1 into its warning (as for a parametric serial interval).
    """
    if si is None:
        raise ValueError("a serial interval is required")
    local = _incidence(local, "local")
    n_areas, n_days = local.shape
    given_imported = imported is not None
    imported = np.zeros_like(local) if imported is None else _incidence(imported, "imported")
    if imported.shape != local.shape:
        raise ValueError("local and imported incidence must have the same shape")
    if not (prior_mean > 0 and prior_sd > 0):
        raise ValueError("the prior mean and sd must be > 0")
    if not cv_posterior > 0:
        raise ValueError("cv_posterior must be > 0")
    si = check_si(si, must_sum_to_one=si_must_sum_to_one)
    if t_start is None or t_end is None:
        t_start, t_end = sliding_windows(n_days)
    else:
        t_start, t_end = check_windows(t_start, t_end, n_days)

    warnings: list[RtWarning] = []
    first_local = np.flatnonzero(local[:, 0] > 0)
    if given_imported and first_local.size:
        warnings.append(RtWarning(LOCAL_FIRST_DAY, WARNING_TEXTS[LOCAL_FIRST_DAY], first_local))
    # Day 1 is all imported: its local cases move over (they never enter a window).
    total = local + imported
    local = local.copy()
    local[:, 0] = 0.0

    a_prior = (prior_mean / prior_sd) ** 2
    b_prior = prior_sd**2 / prior_mean
    cases_in_window = window_sums(total, t_start, t_end)
    min_cases = math.ceil(1.0 / cv_posterior**2 - a_prior)
    low_count = cases_in_window < min_cases
    early = np.flatnonzero(low_count[:, 0])
    if early.size:
        warnings.append(RtWarning(TOO_EARLY, WARNING_TEXTS[TOO_EARLY], early))
    if abs(math.fsum(si) - 1.0) > SI_SUM_TOLERANCE:
        warnings.append(RtWarning(SI_SUM, WARNING_TEXTS[SI_SUM]))

    positions = np.arange(si.size, dtype=np.float64)
    si_mean = math.fsum(si * positions)
    si_std = math.sqrt(math.fsum(si * positions**2) - si_mean**2)
    estimable = t_end > si_mean

    lam_in_window = window_sums(_convolve_si(total, si), t_start, t_end)
    local_in_window = window_sums(local, t_start, t_end)
    shape = np.where(estimable, a_prior + local_in_window, np.nan)
    scale = np.where(estimable, 1.0 / (1.0 / b_prior + lam_in_window), np.nan)
    q = gamma_quantiles(shape, scale)
    return RtEstimate(
        t_start=t_start,
        t_end=t_end,
        mean=shape * scale,
        std=np.sqrt(shape) * scale,
        quantiles={p: q[i] for i, p in enumerate(QUANTILES)},
        shape=shape,
        scale=scale,
        estimable=estimable,
        low_count=low_count,
        si_mean=si_mean,
        si_std=si_std,
        warnings=tuple(warnings),
    )


def estimate_r_parametric(
    local,
    imported=None,
    si_mean: float = 0.0,
    si_sd: float = 0.0,
    t_start=None,
    t_end=None,
    prior_mean: float = DEFAULT_PRIOR_MEAN,
    prior_sd: float = DEFAULT_PRIOR_SD,
    *,
    cv_posterior: float = DEFAULT_CV_POSTERIOR,
) -> RtEstimate:
    """Return ``estimate_r`` with EpiEstim's ``parametric_si`` serial interval.

    Raises ValueError unless ``si_mean > 1`` and ``si_sd > 0`` (EpiEstim's checks).
    """
    if not si_mean > 1:
        raise ValueError("the serial interval's mean must be > 1")
    if not si_sd > 0:
        raise ValueError("the serial interval's sd must be > 0")
    n_days = np.array(local, ndmin=2).shape[-1]
    return estimate_r(
        local,
        imported,
        parametric_si(n_days, si_mean, si_sd),
        t_start,
        t_end,
        prior_mean,
        prior_sd,
        si_must_sum_to_one=False,
        cv_posterior=cv_posterior,
    )


def current_posterior(estimate: RtEstimate) -> tuple[np.ndarray, np.ndarray]:
    """Return the (shape, scale) of each area's last window: R now. NaN if not estimable."""
    return estimate.shape[:, -1].copy(), estimate.scale[:, -1].copy()
