"""Benchmark: recompute the indicators of the whole country (target ≤ 10 s).

Scenario: the 2021 units (63 provinces, 705 districts, 10,603 communes, from
``load_units``) × 365 days of daily counts, seeded: each commune reports on about a third
of the days, with Poisson counts by place of detection. Timed on SQLite and PostgreSQL:

- ``recompute(series)`` of the whole nation (read, compute, write every area's row);
- one province alone (what an import triggers), which also refreshes the nation's row;
- a NAIVE baseline in the same run: per area and day one ORM aggregate query over the
  area's subtree, the indicators in Python, one ``update_or_create`` per area; run on 50
  communes and extrapolated linearly to every area the fast path wrote.

Run from the repository root: ``.venv/bin/python bench/bench_indicators.py`` (``--append``
adds the figures to bench/RESULTS.md, ``--only sqlite|postgresql`` runs one database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    Timer,
    append_results,
    database_version,
    machine_table,
    print_machine,
    report,
    run_legs,
    say,
    setup_django,
)

SEED = 20211001
FIRST_DAY = dt.date(2021, 7, 1)
DAYS = 365
REPORTING_SHARE = 0.33  # share of commune-days with a row
NAIVE_COMMUNES = 50
NAIVE_BUDGET_S = 150.0  # stop the naive run early on a slow disk (at least 10 communes)
TARGET_SECONDS = 10.0


def make_facts(series) -> int:
    """Write the seeded daily counts of every commune (bulk, like an import)."""
    import numpy as np
    from django.db import connection, models, transaction
    from django.utils import timezone

    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.lib.bulk import insert_rows
    from vungxanh.surveillance.models import DailyCount

    rng = np.random.default_rng(SEED)
    communes = np.array(
        Area.objects.filter(kind=AreaKind.COMMUNE).order_by("id").values_list("id", flat=True)
    )
    # Each commune has its own wave: a peak day and a height, so the curves differ.
    peak = rng.integers(60, 300, len(communes))
    height = rng.gamma(1.2, 2.0, len(communes))
    day = np.arange(DAYS)
    rate = height[:, None] * np.exp(-(((day[None, :] - peak[:, None]) / 40.0) ** 2)) + 0.05
    reported = rng.random((len(communes), DAYS)) < REPORTING_SHARE
    area_index, day_index = np.nonzero(reported)
    lam = rate[area_index, day_index]
    counts = {
        "community": rng.poisson(lam * 0.4),
        "quarantine": rng.poisson(lam * 0.3),
        "home_isolation": rng.poisson(lam * 0.1),
        "lockdown": rng.poisson(lam * 0.2),
        "imported": np.zeros(len(lam), dtype=np.int64),
        "unknown": rng.poisson(lam * 0.02),
        "deaths": rng.poisson(lam * 0.01),
    }
    dates = [FIRST_DAY + dt.timedelta(days=int(d)) for d in range(DAYS)]
    stamp = models.DateTimeField().get_db_prep_value(timezone.now(), connection)
    columns = ["area_id", "series_id", "date", "recorded_at", "source", *counts]
    rows = zip(
        communes[area_index].tolist(),
        [series.pk] * len(area_index),
        [dates[d] for d in day_index.tolist()],
        [stamp] * len(area_index),
        [""] * len(area_index),
        *(c.tolist() for c in counts.values()),
        strict=True,
    )
    with transaction.atomic():
        written = insert_rows(DailyCount, columns, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


def naive(series, communes) -> tuple[int, dict[int, list[float]]]:
    """The per-area, per-day ORM way; returns (queries, community incidence per area)."""
    from django.db.models import Sum
    from django.utils import timezone

    from vungxanh.surveillance.models import DailyCount, IndicatorSeries

    fields = ("community", "quarantine", "home_isolation", "lockdown", "imported", "unknown")
    n_days = DAYS + 30
    queries, incidence = 0, {}
    began = time.perf_counter()
    for area in communes:
        if len(incidence) >= 10 and time.perf_counter() - began > NAIVE_BUDGET_S:
            break
        community, total = [], []
        for offset in range(n_days):
            found = (
                DailyCount.objects.current()
                .filter(series=series, area__path__startswith=area.path)
                .filter(date=FIRST_DAY + dt.timedelta(days=offset))
                .aggregate(**{f"n_{f}": Sum(f) for f in fields})
            )
            queries += 1
            community.append(found["n_community"] or 0)
            total.append(sum(v or 0 for v in found.values()))
        weekly = [sum(community[max(0, i - 6) : i + 1]) for i in range(n_days)]
        cases_7d = [sum(total[max(0, i - 6) : i + 1]) for i in range(n_days)]
        rates = [w / area.population * 100_000 for w in weekly]
        incidence[area.pk] = rates
        IndicatorSeries.objects.update_or_create(
            area=area,
            series=series,
            defaults={
                "start": FIRST_DAY,
                "days": n_days,
                "names": ["community_incidence_7d", "cases_7d"],
                "data": bytes(repr((rates, cases_7d)), "ascii"),
                "computed_at": timezone.now(),
            },
        )
    return queries, incidence


def leg(name: str) -> None:
    with Timer() as t_setup:
        setup_django()
    import numpy as np

    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.surveillance.indicators import load_facts, recompute
    from vungxanh.surveillance.models import DailyCount, IndicatorSeries, Series

    series = Series.objects.create(code="bench", name="Benchmark", simulated=True)
    with Timer() as t_facts:
        facts = make_facts(series)
    areas = Area.objects.count()
    say(
        f"{areas} areas, {facts:,} daily-count rows ({t_setup.seconds:.1f} s schema + units, "
        f"{t_facts.seconds:.1f} s facts)"
    )

    with Timer() as t_read:
        load_facts(series)
    runs, cpus = [], []
    for _ in range(2):
        with Timer() as t_full:
            written = recompute(series)
        runs.append(t_full.seconds)
        cpus.append(t_full.cpu)
    say(
        f"national recompute: {written} rows in {min(runs):.2f} s (runs: "
        + ", ".join(f"{s:.2f}" for s in runs)
        + f"; cpu of this process {cpus[runs.index(min(runs))]:.2f} s; "
        f"reading alone {t_read.seconds:.2f} s)"
    )
    cantho = Area.objects.get(code="92", kind=AreaKind.PROVINCE)
    with Timer() as t_one:
        one = recompute(series, provinces=[cantho])
    say(f"one province (Cần Thơ) + the nation's row: {one} rows in {t_one.seconds:.2f} s")

    stored = {
        s.area_id: s.values("community_incidence_7d")
        for s in IndicatorSeries.objects.filter(series=series, area__kind=AreaKind.COMMUNE)[
            :NAIVE_COMMUNES
        ]
    }
    communes = list(Area.objects.filter(pk__in=stored).order_by("id"))
    with Timer() as t_naive:
        queries, incidence = naive(series, communes)
    per_area = t_naive.seconds / len(incidence)
    naive_total = per_area * written
    worst = max(
        float(np.nanmax(np.abs(np.array(incidence[pk], dtype=np.float32) - stored[pk])))
        for pk in incidence
    )
    say(
        f"naive: {len(incidence)} communes, {queries:,} queries in {t_naive.seconds:.1f} s "
        f"→ {naive_total:,.0f} s for {written} areas (linear); same figures: max diff {worst:.2g}"
    )
    assert worst < 1e-3, "the naive and vectorised incidences differ"
    assert DailyCount.objects.count() == facts
    report(
        {
            "database": database_version(),
            "areas": areas,
            "facts": facts,
            "rows": written,
            "read_s": t_read.seconds,
            "full_s": min(runs),
            "runs": runs,
            "full_cpu": cpus[runs.index(min(runs))],
            "province_s": t_one.seconds,
            "province_rows": one,
            "naive_areas": len(incidence),
            "naive_queries": queries,
            "naive_sample_s": t_naive.seconds,
            "naive_total_s": naive_total,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=["sqlite", "postgresql"], help="(internal) run one leg")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--append", action="store_true", help="add the figures to RESULTS.md")
    args = parser.parse_args()
    if args.leg:
        leg(args.leg)
        return
    print(__doc__.splitlines()[0])
    print(f"  (before: load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    results = run_legs(__file__, [args.only] if args.only else None)
    print("\nMachine:")
    print_machine({leg: r["database"] for leg, r in results.items()})
    table = [
        "| database | areas | daily-count rows | national recompute (cpu) | reading alone "
        "| one province + nation | naive (extrapolated) | speed-up | target ≤ 10 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results.values():
        table.append(
            f"| {r['database']} | {r['areas']:,} | {r['facts']:,} | {r['full_s']:.2f} s "
            f"({r['full_cpu']:.2f} s) | {r['read_s']:.2f} s | {r['province_s']:.2f} s "
            f"| {r['naive_total_s']:,.0f} s ({r['naive_queries']:,} queries for "
            f"{r['naive_areas']} communes in {r['naive_sample_s']:.1f} s) "
            f"| {r['naive_total_s'] / r['full_s']:,.0f}× "
            f"| {'met' if r['full_s'] <= TARGET_SECONDS else 'MISSED'} |"
        )
    print("\n" + "\n".join(table))
    if args.append:
        append_results(
            [
                f"## Indicators: national recompute ({dt.date.today().isoformat()})",
                "",
                "`.venv/bin/python bench/bench_indicators.py --append` — the 2021 units × "
                f"{DAYS} days of seeded daily counts (a row on {REPORTING_SHARE:.0%} of "
                "commune-days); `recompute(series)` of the whole nation, best of 2 (wall, "
                "and CPU of the Python process in brackets); the naive per-area, per-day ORM "
                f"way on {NAIVE_COMMUNES} communes, extrapolated linearly to every area written.",
                "",
                *machine_table({leg: r["database"] for leg, r in results.items()}),
                "",
                *table,
            ]
        )


if __name__ == "__main__":
    main()
