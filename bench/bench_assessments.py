"""Benchmark: assess every area, one day (target ≤ 1 s) and the whole year (target ≤ 30 s).

Scenario: bench_indicators.py's national synthetic counts (the 2021 units, 10,603
communes × 365 days, seeded), indicators recomputed, rule sets synced. Timed on SQLite and
PostgreSQL, under vn-4800-2021 and vn-green-zone-14d:

- ``levels_for_day``: one day for every commune, district, province and the nation, read
  from the stored indicators (best of 3);
- ``compute_levels`` over every province: every day of every area, stored (one run);
- a NAIVE baseline in the same run: per commune and day one ORM query for its indicators
  and one ``assess`` call on one-element arrays; run on up to 200 communes (within a time
  budget) and extrapolated linearly to every area (× 365 days for the year).

Run from the repository root: ``.venv/bin/python bench/bench_assessments.py`` (``--append``
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

from bench.bench_indicators import DAYS, FIRST_DAY, make_facts
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

RULESETS = ("vn-4800-2021", "vn-green-zone-14d")
DAY = FIRST_DAY + dt.timedelta(days=120)  # 29/10/2021: the waves are up, 4800 in force
NAIVE_COMMUNES = 200
NAIVE_BUDGET_S = 30.0  # per rule set and leg (at least 5 communes)
DAY_TARGET_S = 1.0
YEAR_TARGET_S = 30.0


def naive(record, series, communes) -> tuple[int, int, dict[int, int]]:
    """Per commune and day: an ORM query, one-element arrays, ``assess``.

    Returns (area-days, queries, level index on DAY per commune).
    """
    import numpy as np

    from vungxanh.domain.classify import assess
    from vungxanh.risk import inputs as input_map
    from vungxanh.risk import services
    from vungxanh.surveillance.models import IndicatorSeries

    ruleset = services.ruleset_of(record)
    mapping = input_map.mapping_for(ruleset, services.parents())
    area_days = queries = 0
    on_day = {}
    began = time.perf_counter()
    for area in communes:
        if len(on_day) >= 5 and time.perf_counter() - began > NAIVE_BUDGET_S:
            break
        for offset in range(DAYS):
            day = FIRST_DAY + dt.timedelta(days=offset)
            found = IndicatorSeries.objects.get(area=area, series=series).on(day)
            queries += 1
            values = {}
            for name, indicator in mapping.items():
                if indicator == input_map.PREVIOUS_LEVEL:
                    value = None
                else:  # a switch (the elderly criterion) reads the indicator of the day
                    value = found[input_map.indicator_on(indicator, day)]
                values[name] = np.array([np.nan if value is None else value], dtype=np.float64)
            level = int(assess(ruleset, values, scale=str(area.kind)).level_index[0])
            area_days += 1
            if day == DAY:
                on_day[area.pk] = level
    return area_days, queries, on_day


def leg(name: str) -> None:
    with Timer() as t_setup:
        setup_django()

    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.risk import services
    from vungxanh.risk.daily import levels_for_day
    from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
    from vungxanh.surveillance.indicators import recompute
    from vungxanh.surveillance.models import Series

    series = Series.objects.create(code="bench", name="Benchmark", simulated=True)
    with Timer() as t_facts:
        facts = make_facts(series)
    with Timer() as t_indicators:
        indicator_rows = recompute(series)
    services.sync_rulesets()
    areas = Area.objects.count()
    say(
        f"{areas} areas, {facts:,} daily-count rows, {indicator_rows} indicator rows "
        f"({t_setup.seconds:.1f} s schema + units, {t_facts.seconds:.1f} s facts, "
        f"{t_indicators.seconds:.1f} s indicators)"
    )
    communes = list(
        Area.objects.filter(kind=AreaKind.COMMUNE).order_by("id")[: NAIVE_COMMUNES * 50 : 50]
    )
    results = {}
    for code in RULESETS:
        record = RuleSetRecord.objects.get(code=code, current=True)
        day_runs, day_cpus = [], []
        for _ in range(3):
            with Timer() as t_day:
                day_levels = levels_for_day(record, series, DAY)
            day_runs.append(t_day.seconds)
            day_cpus.append(t_day.cpu)
        best = day_runs.index(min(day_runs))
        say(
            f"{code}: levels_for_day({DAY:%d/%m/%Y}) {len(day_levels)} areas in "
            f"{day_runs[best]:.2f} s (runs: {', '.join(f'{s:.2f}' for s in day_runs)}; "
            f"cpu {day_cpus[best]:.2f} s)"
        )
        with Timer() as t_year:
            stored_rows = services.compute_levels(record, series)
        say(
            f"{code}: compute_levels, every province: {stored_rows} rows in "
            f"{t_year.seconds:.1f} s (cpu {t_year.cpu:.1f} s)"
        )
        # The day read alone against what compute_levels stored for that day.
        stored = {}
        for area_id, start, raw in AssessmentSeries.objects.filter(
            ruleset=record, series=series
        ).values_list("area_id", "start", "computed"):
            offset, raw = (DAY - start).days, bytes(raw)
            if 0 <= offset < len(raw) // 2:
                stored[area_id] = int.from_bytes(
                    raw[2 * offset : 2 * offset + 2], "little", signed=True
                )
        differ = sum(1 for pk, level in stored.items() if day_levels.get(pk) != level)
        say(f"{code}: one day vs stored year: {differ} of {len(stored)} areas differ")

        with Timer() as t_naive:
            area_days, queries, on_day = naive(record, series, communes)
        per_area_day = t_naive.seconds / area_days
        naive_differ = sum(1 for pk, level in on_day.items() if day_levels[pk] != level)
        say(
            f"{code}: naive: {len(on_day)} communes × {DAYS} days, {queries:,} queries in "
            f"{t_naive.seconds:.1f} s → one day {per_area_day * areas:,.0f} s, the year "
            f"{per_area_day * areas * DAYS:,.0f} s for {areas} areas (linear); "
            f"{naive_differ} of {len(on_day)} levels differ from levels_for_day"
        )
        results[code] = {
            "day_s": day_runs[best],
            "day_runs": day_runs,
            "day_cpu": day_cpus[best],
            "day_areas": len(day_levels),
            "year_s": t_year.seconds,
            "year_cpu": t_year.cpu,
            "year_rows": stored_rows,
            "differ": differ,
            "naive_areas": len(on_day),
            "naive_queries": queries,
            "naive_sample_s": t_naive.seconds,
            "naive_day_s": per_area_day * areas,
            "naive_year_s": per_area_day * areas * DAYS,
            "naive_differ": naive_differ,
        }
    report(
        {
            "database": database_version(),
            "areas": areas,
            "facts": facts,
            "indicators_s": t_indicators.seconds,
            "rulesets": results,
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
    began = time.perf_counter()
    results = run_legs(__file__, [args.only] if args.only else None)
    print(f"  (whole run {time.perf_counter() - began:.0f} s)")
    print("\nMachine:")
    print_machine({leg: r["database"] for leg, r in results.items()})
    table = [
        "| database | rule set | one day, every area (cpu) | naive one day (extrapolated) "
        "| target ≤ 1 s | whole year, stored (cpu) | naive year (extrapolated) "
        "| target ≤ 30 s | day vs stored |",
        "|---|---|---:|---:|---|---:|---:|---|---|",
    ]
    for r in results.values():
        for code, f in r["rulesets"].items():
            table.append(
                f"| {r['database']} | {code} | {f['day_s']:.2f} s ({f['day_cpu']:.2f} s; "
                f"{f['day_areas']:,} areas) | {f['naive_day_s']:,.0f} s "
                f"({f['naive_day_s'] / f['day_s']:,.0f}×) "
                f"| {'met' if f['day_s'] <= DAY_TARGET_S else 'MISSED'} "
                f"| {f['year_s']:.1f} s ({f['year_cpu']:.1f} s; {f['year_rows']:,} rows) "
                f"| {f['naive_year_s']:,.0f} s ({f['naive_year_s'] / f['year_s']:,.0f}×; "
                f"{f['naive_queries']:,} queries for {f['naive_areas']} communes in "
                f"{f['naive_sample_s']:.1f} s) "
                f"| {'met' if f['year_s'] <= YEAR_TARGET_S else 'MISSED'} "
                f"| {f['differ']} differ |"
            )
    print("\n" + "\n".join(table))
    if args.append:
        append_results(
            [
                f"## Assessments: one day and the whole year ({dt.date.today().isoformat()})",
                "",
                "`.venv/bin/python bench/bench_assessments.py --append` — bench_indicators.py's "
                f"national scenario (the 2021 units × {DAYS} days, seeded), indicators "
                f"recomputed, rule sets synced. One day ({DAY:%d/%m/%Y}): "
                "`vungxanh.risk.daily.levels_for_day` for every commune, district, province "
                "and the nation, best of 3 (wall, and CPU of the Python process in brackets). "
                "Whole year: `compute_levels` over every province, including the writes, one "
                "run. Naive: per commune and day one ORM query (`IndicatorSeries.on`) and one "
                f"`assess` on one-element arrays, on up to {NAIVE_COMMUNES} communes within "
                f"{NAIVE_BUDGET_S:.0f} s, extrapolated linearly to every area (× {DAYS} days "
                "for the year). “day vs stored”: areas whose one-day level differs from the "
                "computed level `compute_levels` stored for that day.",
                "",
                *machine_table({leg: r["database"] for leg, r in results.items()}),
                "",
                *table,
            ]
        )


if __name__ == "__main__":
    main()
