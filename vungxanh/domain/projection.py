"""Short-term projection of daily cases per area from the renewal equation (no Django).

Each sample draws one R per area from its current posterior (gamma, from ``domain.rt``)
and holds it over the horizon; each future day's cases are Poisson with mean R · Λ_t, where
Λ_t = Σ_{s ≥ 1} si[s] · I_{t−s} counts the observed history (local and imported cases:
both infect) and the days already simulated. No imported case is assumed in the future.
Everything is vectorised over samples and areas (areas in chunks to bound memory), and
seeded: the same inputs and seed give the same projection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .indicators import PER

DEFAULT_HORIZON = 14
DEFAULT_SAMPLES = 1000
DEFAULT_INTERVAL = (0.05, 0.95)
DEFAULT_CHUNK = 1024
WEEK = 7


@dataclass(frozen=True)
class Projection:
    """Projected daily cases, ``areas × horizon`` (column 0 is the day after the history).

    NaN for an area without a posterior (R not estimable). ``exceed_probability`` is the
    share of samples in which the 7-day case count reaches ``weekly_threshold`` on one of
    the first ``within`` projected days (None when no threshold was given).
    """

    mean: np.ndarray
    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    interval: tuple[float, float]
    n_samples: int
    seed: int
    exceed_probability: np.ndarray | None = None
    weekly_threshold: np.ndarray | None = None
    within: int = WEEK

    @property
    def horizon(self) -> int:
        return self.mean.shape[1]


def weekly_threshold(per_100k, population) -> np.ndarray:
    """Return the weekly case count that a rate per 100,000 people per week means per area."""
    return np.asarray(per_100k, dtype=np.float64) * np.asarray(population, dtype=np.float64) / PER


def history_kernel(si: np.ndarray, n_days: int, horizon: int) -> np.ndarray:
    """Return P (days × horizon): (history @ P)[:, h] is what the history adds to Λ of day T+h.

    P[u, h] = si[T + h − u] (0-based days u < T), 0 beyond the serial interval.
    """
    lag = n_days + np.arange(horizon)[None, :] - np.arange(n_days)[:, None]
    padded = np.concatenate([si, [0.0]])
    return padded[np.minimum(lag, si.size)]


def simulate(
    history: np.ndarray,
    si: np.ndarray,
    shape: np.ndarray,
    scale: np.ndarray,
    horizon: int,
    n_samples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return sampled daily cases, ``horizon × n_samples × areas`` (float).

    Areas whose ``shape`` or ``scale`` is not finite get NaN.
    """
    n_areas, n_days = history.shape
    known = np.isfinite(shape) & np.isfinite(scale) & (shape > 0) & (scale > 0)
    base = (history @ history_kernel(si, n_days, horizon)).T  # horizon × areas
    r = rng.gamma(np.where(known, shape, 1.0), np.where(known, scale, 1.0), (n_samples, n_areas))
    cases = np.zeros((horizon, n_samples, n_areas))
    weights = np.zeros(horizon)
    used = min(horizon, si.size)
    weights[:used] = si[:used]
    for h in range(horizon):
        # Λ of day T+h: the history's part plus si[h − j] · cases of projected day j < h.
        lam = base[h][None, :] + np.tensordot(weights[h:0:-1], cases[:h], axes=1)
        cases[h] = rng.poisson(r * lam)
    cases[:, :, ~known] = np.nan
    return cases


def project_cases(
    history,
    si,
    shape,
    scale,
    *,
    horizon: int = DEFAULT_HORIZON,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    interval: tuple[float, float] = DEFAULT_INTERVAL,
    weekly_threshold=None,
    recent=None,
    within: int = WEEK,
    inclusive: bool = True,
    chunk: int = DEFAULT_CHUNK,
) -> Projection:
    """Return the projection of daily cases of every area over ``horizon`` days.

    ``history`` is every area's daily cases, local plus imported (areas × days, the last
    column the last observed day); ``si`` the discrete serial interval from day 0;
    ``shape``/``scale`` the gamma posterior of R now (``rt.current_posterior``).
    With ``weekly_threshold`` (cases per 7 days, a number or one per area), also the
    probability that the 7-day count reaches it (``>=``; ``>`` if not ``inclusive``) on
    one of the first ``within`` days; the 7 days are the projected days plus the last
    observed days of ``recent`` (default ``history``: pass, e.g., community cases when
    the threshold counts only those).
    """
    history = np.array(history, dtype=np.float64, ndmin=2)
    if history.ndim != 2 or history.shape[1] == 0:
        raise ValueError("history must be an areas × days matrix")
    if np.any(~np.isfinite(history)) or np.any(history < 0):
        raise ValueError("history must hold non-negative finite counts")
    si = np.asarray(si, dtype=np.float64)
    if si.ndim != 1 or si.size == 0 or si[0] != 0 or np.any(si < 0):
        raise ValueError("si must be a distribution from day 0 with si[0] = 0")
    n_areas = history.shape[0]
    shape = np.broadcast_to(np.asarray(shape, dtype=np.float64), (n_areas,))
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (n_areas,))
    if horizon < 1 or n_samples < 1:
        raise ValueError("horizon and n_samples must be at least 1")
    lower_level, upper_level = interval
    if not 0 <= lower_level < upper_level <= 1:
        raise ValueError("interval must be two probabilities, lower first")
    threshold = None
    if weekly_threshold is not None:
        if not 1 <= within <= horizon:
            raise ValueError("within must be between 1 and the horizon")
        threshold = np.broadcast_to(
            np.asarray(weekly_threshold, dtype=np.float64), (n_areas,)
        ).copy()
        recent = history if recent is None else np.array(recent, dtype=np.float64, ndmin=2)
        if recent.shape[0] != n_areas:
            raise ValueError("recent must have one row per area")
        observed = _last_days(recent)

    rng = np.random.default_rng(seed)
    stats = np.full((4, n_areas, horizon), np.nan)
    probability = np.full(n_areas, np.nan) if threshold is not None else None
    for begin in range(0, n_areas, chunk):
        rows = slice(begin, min(begin + chunk, n_areas))
        cases = simulate(history[rows], si, shape[rows], scale[rows], horizon, n_samples, rng)
        known = ~np.isnan(cases[0, 0, :])
        if not known.any():
            continue
        # samples × areas × days
        sample = np.ascontiguousarray(cases[:, :, known].transpose(1, 2, 0))
        where = np.flatnonzero(known) + begin
        stats[0, where] = sample.mean(axis=0)
        stats[1:, where] = np.quantile(sample, (0.5, lower_level, upper_level), axis=0)
        if probability is not None:
            weekly = _weekly_counts(observed[where], sample[:, :, :within])
            limit = threshold[where][None, :, None]
            hit = weekly >= limit if inclusive else weekly > limit
            probability[where] = hit.any(axis=2).mean(axis=0)
    return Projection(
        mean=stats[0],
        median=stats[1],
        lower=stats[2],
        upper=stats[3],
        interval=(lower_level, upper_level),
        n_samples=n_samples,
        seed=seed,
        exceed_probability=probability,
        weekly_threshold=threshold,
        within=within,
    )


def _last_days(recent: np.ndarray) -> np.ndarray:
    """Return the last 6 observed days of each area (zeros before the first day)."""
    n_areas, n_days = recent.shape
    out = np.zeros((n_areas, WEEK - 1))
    keep = min(WEEK - 1, n_days)
    out[:, WEEK - 1 - keep :] = recent[:, n_days - keep :]
    return out


def _weekly_counts(observed: np.ndarray, projected: np.ndarray) -> np.ndarray:
    """Return the 7-day counts ending on each projected day (samples × areas × days).

    ``observed`` holds the last 6 observed days (areas × 6), ``projected`` the sampled days.
    """
    n_samples = projected.shape[0]
    days = np.concatenate(
        [np.broadcast_to(observed, (n_samples, *observed.shape)), projected], axis=2
    )
    total = np.cumsum(days, axis=2)
    before = np.concatenate([np.zeros((*total.shape[:2], 1)), total[:, :, :-WEEK]], axis=2)
    return total[:, :, WEEK - 1 :] - before


def likely_to_exceed(projection: Projection, probability: float = 0.5) -> np.ndarray:
    """Return, per area, whether the threshold is reached with more than ``probability``.

    False where the probability is unknown (no posterior).
    """
    if projection.exceed_probability is None:
        raise ValueError("the projection was made without a weekly threshold")
    p = projection.exceed_probability
    return np.where(np.isnan(p), False, p > probability)


def expected_cases(history, si, r, horizon: int = DEFAULT_HORIZON) -> np.ndarray:
    """Return the renewal equation's expected daily cases with R held at ``r`` (no noise).

    E[I_t] = r · Λ_t, iterated over the horizon: ``areas × horizon``.
    """
    history = np.array(history, dtype=np.float64, ndmin=2)
    si = np.asarray(si, dtype=np.float64)
    n_areas, n_days = history.shape
    r = np.broadcast_to(np.asarray(r, dtype=np.float64), (n_areas,))
    base = history @ history_kernel(si, n_days, horizon)
    weights = np.zeros(horizon)
    used = min(horizon, si.size)
    weights[:used] = si[:used]
    out = np.zeros((n_areas, horizon))
    for h in range(horizon):
        out[:, h] = r * (base[:, h] + out[:, :h] @ weights[h:0:-1])
    return out
