"""The stored reproduction number of every area, recomputed with its indicators.

Rt is estimated from the stored daily counts (``IndicatorSeries``) by the Cori method
(``vungxanh.domain.rt``, equal to EpiEstim's ``estimate_R``): weekly sliding windows
(t_end = day 8 … the last reported day), one vectorised call per province.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import Q

from vungxanh.areas.models import Area
from vungxanh.domain.disease import load_disease
from vungxanh.domain.rt import DEFAULT_PRIOR_MEAN, DEFAULT_PRIOR_SD, estimate_r_parametric
from vungxanh.domain.rt import sliding_windows as rt_windows
from vungxanh.surveillance.indicators import TAIL_DAYS
from vungxanh.surveillance.models import RT_ROWS, IndicatorSeries, RtSeries, Series

# The serial interval is rule content (DESIGN §4): read from the disease's file
# (``diseases/covid-19.toml``: mean 4.7 days, sd 2.9, Nishiura et al. 2020), used as
# EpiEstim's parametric_si and stored on every row. Every series is of COVID-19.
DISEASES_DIR = Path(__file__).resolve().parent / "diseases"
DISEASE = load_disease(DISEASES_DIR / "covid-19.toml")
SI_MEAN = DISEASE.si_mean
SI_SD = DISEASE.si_sd
WINDOW = 7  # days: EpiEstim's default weekly windows


def _province_path(path: str) -> str:
    return "/".join(path.split("/")[:2]) + "/"


def rt_matrix(counts: np.ndarray, imported: np.ndarray | None = None) -> np.ndarray | None:
    """Return the ``areas × len(RT_ROWS) × days`` Rt of ``areas × days`` counts (float32).

    Column ``j`` is the window ending on day ``j`` (0-based); NaN where EpiEstim gives NA.
    ``counts`` are all cases; ``imported`` those imported (counted as infecting, not
    infected). None when there are too few days for one window.
    """
    n_areas, n_days = counts.shape
    if n_days < WINDOW + 1:
        return None
    imported = np.zeros_like(counts) if imported is None else imported
    t_start, t_end = rt_windows(n_days, WINDOW)
    estimate = estimate_r_parametric(
        counts - imported,
        imported,
        si_mean=SI_MEAN,
        si_sd=SI_SD,
        t_start=t_start,
        t_end=t_end,
        prior_mean=DEFAULT_PRIOR_MEAN,
        prior_sd=DEFAULT_PRIOR_SD,
    )
    values = {
        "mean": estimate.mean,
        "std": estimate.std,
        "q025": estimate.quantiles[0.025],
        "q25": estimate.quantiles[0.25],
        "q50": estimate.quantiles[0.5],
        "q75": estimate.quantiles[0.75],
        "q975": estimate.quantiles[0.975],
    }
    out = np.full((n_areas, len(RT_ROWS), n_days), np.nan, dtype=np.float32)
    for i, name in enumerate(RT_ROWS):
        out[:, i, t_end - 1] = values[name]
    return out


@transaction.atomic
def recompute_rt(series: Series, provinces: list[Area] | None = None) -> int:
    """Recompute and store the Rt of ``series`` in ``provinces`` (all if None) and the nation.

    Reads the stored indicators (recompute them first); the days after the last reported
    one (the indicators' tail) are left out, since no report is not zero cases.
    Returns the number of rows written.
    """
    stored = IndicatorSeries.objects.filter(series=series)
    if provinces is not None:
        scope = Q(*[Q(area__path__startswith=p.path) for p in provinces], _connector=Q.OR)
        stored = stored.filter(scope | Q(area__parent__isnull=True))
    # The matrices are read only for the provinces with enough days for one window.
    groups: dict[tuple, list] = defaultdict(list)
    for pk, path, start, days in stored.values_list("pk", "area__path", "start", "days"):
        groups[(_province_path(path), start, days)].append(pk)

    RtSeries.objects.filter(series=series, area_id__in=stored.values("area_id")).delete()
    created = []
    for (_province, start, days), pks in groups.items():
        n_days = days - TAIL_DAYS
        if n_days < WINDOW + 1:
            continue
        rows = list(IndicatorSeries.objects.filter(pk__in=pks).only("area_id", "names", "data"))
        matrices = [r.matrix() for r in rows]
        names = rows[0].names
        counts = np.stack([m[names.index("new_cases"), :n_days] for m in matrices])
        counts = counts.astype(np.float64)
        imported = None
        # Imported cases apart when an indicator counts them; otherwise every case is local.
        if "new_imported" in names:
            imported = np.stack([m[names.index("new_imported"), :n_days] for m in matrices])
            imported = imported.astype(np.float64)
        found = rt_matrix(np.nan_to_num(counts), imported)
        if found is None:
            continue
        created += [
            RtSeries(
                area_id=r.area_id,
                series=series,
                start=start,
                days=n_days,
                si_mean=SI_MEAN,
                si_sd=SI_SD,
                data=np.ascontiguousarray(found[i]).tobytes(),
            )
            for i, r in enumerate(rows)
        ]
    RtSeries.objects.bulk_create(created, batch_size=500)
    return len(created)
