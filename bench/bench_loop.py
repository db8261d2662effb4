"""Benchmark: an import reaches every level through the loop (national ≤ 15 s, ward ≤ 2 s).

Scenario: the 2021 units shipped with the project (10,603 communes, 705 districts, 63
provinces), rule sets synced. **Simulated counts** (seeded): one day (20/09/2021) of
community and lockdown cases for every commune, one daily-count file of 10,603 rows as a
national office would send it. Timed on SQLite and PostgreSQL:

- *loop path* (series "reported"): ``surveillance.services.import_file`` writes the rows
  and the outbox row in one transaction; the queued ``loop.drain`` job then runs here
  (``jobs.inline.run_queued_here``, what ``vungxanh import --wait`` does when no worker
  runs): indicators → Rt → levels under every computable rule set, for every commune,
  district, province and the nation. End to end = import + loop.
- *old manual path*, same file, same run (series "cantho-doh", the loop switched off):
  the import, then ``vungxanh recompute_indicators`` and ``vungxanh compute_levels``.
- *one ward*: one row for Phường An Hòa (31120) the next day, imported, then the loop
  (its province recomputed) — the ward official's 11 pm import.

Run from the repository root: ``.venv/bin/python bench/bench_loop.py`` (``--only
sqlite|postgresql``, ``--profile`` prints the loop's hot spots, ``--append`` adds the
figures to bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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

SEED = 20210920
DAY = dt.date(2021, 9, 20)
WARD = "31120"
HEADER = "Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"
NATIONAL_TARGET_S = 15.0
WARD_TARGET_S = 2.0


def national_file(codes: list[str]) -> bytes:
    """One day of simulated counts for every commune (seeded; most communes small)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    community = rng.negative_binomial(1, 0.4, len(codes))
    lockdown = rng.negative_binomial(1, 0.6, len(codes))
    lines = [HEADER]
    lines += [
        f"{code},{DAY:%d/%m/%Y},{c},{k}"
        for code, c, k in zip(codes, community.tolist(), lockdown.tolist(), strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def levels_of(series_code: str) -> dict[str, int]:
    """Stored level rows of a series by kind of area (one rule set: the first computable)."""
    from django.db.models import Count

    from vungxanh.risk import services
    from vungxanh.risk.models import AssessmentSeries

    record = services.computable_rulesets()[0]
    rows = (
        AssessmentSeries.objects.filter(series__code=series_code, ruleset=record)
        .values("area__kind")
        .annotate(n=Count("pk"))
    )
    return {r["area__kind"]: r["n"] for r in rows}


def drain_here(profile: bool = False):
    """Run the queued jobs here (as ``import --wait`` without a worker); return them."""
    from vungxanh.jobs import inline

    if not profile:
        return inline.run_queued_here()
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    ended = profiler.runcall(inline.run_queued_here)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())
    return ended


def leg(name: str, profile: bool) -> None:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.jobs.models import Change, Job
    from vungxanh.risk import services as risk
    from vungxanh.surveillance import services

    risk.sync_rulesets()
    drain_here()  # the rule sets' own change: nothing to compute yet
    codes = list(
        Area.objects.current()
        .filter(kind=AreaKind.COMMUNE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    data = national_file(codes)
    rulesets = [r.code for r in risk.computable_rulesets()]
    say(f"{len(codes):,} communes, {len(data) / 1e6:.1f} MB file, rule sets {rulesets}")

    # The old manual path first (so the loop path is not the one that pays a cold start).
    settings.VX_LOOP_AUTOMATIC = False
    with Timer() as m_import:
        manual = services.import_file(
            "daily", data, "national.csv", actor=None, series_code="cantho-doh"
        )
    assert manual.written, manual.check.errors[:3]
    quiet = io.StringIO()
    with Timer() as m_indicators:
        call_command("recompute_indicators", series="cantho-doh", stdout=quiet)
    with Timer() as m_levels:
        call_command("compute_levels", series="cantho-doh", stdout=quiet)
    # Those changes were handled by hand: the loop must not redo them in the figures below.
    Change.objects.filter(processed_at__isnull=True).update(processed_at=dt.datetime.now(dt.UTC))
    settings.VX_LOOP_AUTOMATIC = True
    manual_s = m_import.seconds + m_indicators.seconds + m_levels.seconds
    say(
        f"manual: import {m_import.seconds:.2f} s + recompute_indicators "
        f"{m_indicators.seconds:.2f} s + compute_levels {m_levels.seconds:.2f} s = {manual_s:.2f} s"
    )

    with Timer() as l_import:
        result = services.import_file("daily", data, "national.csv", actor=None)
    assert result.written, result.check.errors[:3]
    with Timer() as l_loop:
        ended = drain_here(profile)
    assert [j.status for j in ended] == [Job.Status.DONE], [(j.status, j.error) for j in ended]
    loop_s = l_import.seconds + l_loop.seconds
    national_levels = levels_of("reported")
    say(
        f"loop: import {l_import.seconds:.2f} s + loop {l_loop.seconds:.2f} s "
        f"(cpu {l_loop.cpu:.2f} s) = {loop_s:.2f} s; level rows {national_levels}"
    )

    ward_file = f"{HEADER}\n{WARD},{DAY + dt.timedelta(days=1):%d/%m/%Y},12,3\n".encode()
    with Timer() as w_import:
        ward = services.import_file("daily", ward_file, "anhoa.csv", actor=None)
    assert ward.written, ward.check.errors
    with Timer() as w_loop:
        ended = drain_here(profile)
    assert [j.status for j in ended] == [Job.Status.DONE]
    ward_s = w_import.seconds + w_loop.seconds
    say(f"ward: import {w_import.seconds:.2f} s + loop {w_loop.seconds:.2f} s = {ward_s:.2f} s")
    report(
        {
            "database": database_version(),
            "communes": len(codes),
            "rulesets": rulesets,
            "manual": [m_import.seconds, m_indicators.seconds, m_levels.seconds],
            "loop": [l_import.seconds, l_loop.seconds, l_loop.cpu],
            "levels": national_levels,
            "ward": [w_import.seconds, w_loop.seconds],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=["sqlite", "postgresql"], help="(internal) run one leg")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--profile", action="store_true", help="profile the loop's runs")
    parser.add_argument("--append", action="store_true", help="add the figures to RESULTS.md")
    args = parser.parse_args()
    if args.leg:
        leg(args.leg, args.profile)
        return
    print(__doc__.splitlines()[0])
    print(f"  (before: load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    began = time.perf_counter()
    extra = ["--profile"] if args.profile else []
    results = run_legs(__file__, [args.only] if args.only else None, extra)
    print(f"  (whole run {time.perf_counter() - began:.0f} s)")
    print("\nMachine:")
    print_machine({name: r["database"] for name, r in results.items()})
    table = [
        "| database | national: import + loop (loop cpu) | target ≤ 15 s | old manual path "
        "(import + recompute_indicators + compute_levels) | level rows (communes / districts / "
        "provinces / nation) | one ward: import + loop | target ≤ 2 s |",
        "|---|---:|---|---:|---|---:|---|",
    ]
    for r in results.values():
        imp, loop, cpu = r["loop"]
        manual = r["manual"]
        levels = r["levels"]
        w_imp, w_loop = r["ward"]
        table.append(
            f"| {r['database']} | {imp + loop:.1f} s ({imp:.1f} + {loop:.1f}; {cpu:.1f}) "
            f"| {'met' if imp + loop <= NATIONAL_TARGET_S else 'MISSED'} "
            f"| {sum(manual):.1f} s ({' + '.join(f'{v:.1f}' for v in manual)}) "
            f"| {levels.get('commune', 0):,} / {levels.get('district', 0):,} / "
            f"{levels.get('province', 0):,} / {levels.get('nation', 0):,} "
            f"| {w_imp + w_loop:.2f} s ({w_imp:.2f} + {w_loop:.2f}) "
            f"| {'met' if w_imp + w_loop <= WARD_TARGET_S else 'MISSED'} |"
        )
    print("\n" + "\n".join(table))
    if args.append:
        append_results(
            [
                f"## The loop: a national day file and one ward's import ({dt.date.today()})",
                "",
                "`.venv/bin/python bench/bench_loop.py --append` — the 2021 units shipped "
                f"with the project; **simulated** counts (seed {SEED}) for every commune on "
                f"{DAY:%d/%m/%Y}, one daily-count file. National: `import_file` then the "
                "queued `loop.drain` job run in the process (indicators → Rt → levels under "
                f"every computable rule set: {', '.join(next(iter(results.values()))['rulesets'])}"
                "), beside the old manual path on the same file in the same run (another "
                "series, the loop off: the import, then `recompute_indicators` and "
                "`compute_levels`; run first). One ward: one row for Phường An Hòa the next "
                "day, import + loop (its province). Wall seconds; the loop's CPU in brackets.",
                "",
                *machine_table({name: r["database"] for name, r in results.items()}),
                "",
                *table,
            ]
        )


if __name__ == "__main__":
    main()
