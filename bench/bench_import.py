"""Benchmark: import a 1,000,000-row case list (target ≥ 100,000 validated rows/s).

A seeded, valid CSV as a district health centre would send it (Vietnamese headers and
words, dd/mm/yyyy dates, commune codes of the whole country) goes through
``services.check_import`` (read, validate, compare: timed alone) and then through
``services.import_file`` end to end (which checks again, writes the batch and recomputes
the indicators of the series); on SQLite and PostgreSQL. Beside it, in the same run, a
NAIVE baseline: ``CaseRecord.objects.create`` per row for 20,000 rows (already parsed, in
one transaction), extrapolated linearly to the million.

Run from the repository root: ``.venv/bin/python bench/bench_import.py``
(``--rows N`` for a smaller file, ``--profile`` to print check_import's hot spots,
``--append`` to add the figures to bench/RESULTS.md).
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

SEED = 20210923
ROWS = 1_000_000
NAIVE_ROWS = 20_000
FIRST_DAY = dt.date(2021, 7, 1)
DAYS = 365
TARGET_ROWS_PER_S = 100_000
HEADER = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Ngày khởi phát,Nơi phát hiện,Nhóm tuổi,Giới tính,"
    "Tiêm chủng,Tình trạng"
)
WORDS = {
    "detection": ["Cộng đồng", "Khu cách ly", "Khu phong tỏa", "Cách ly tại nhà", "Nhập cảnh"],
    "age": ["0-4", "5-11", "12-17", "18-49", "50-64", "65+"],
    "sex": ["Nam", "Nữ"],
    "vaccination": ["Chưa tiêm", "1 liều", "Đủ liều", "Không rõ"],
    "outcome": ["Đang điều trị", "Khỏi bệnh", "Tử vong"],
}


def make_csv(commune_codes: list[str], rows: int, seed: int = SEED) -> bytes:
    """Return a valid case list of ``rows`` rows (seeded); codes run BN1, BN2, …"""
    import numpy as np

    rng = np.random.default_rng(seed)
    dates = [FIRST_DAY + dt.timedelta(days=d) for d in range(DAYS)]
    as_text = np.array([d.strftime("%d/%m/%Y") for d in dates])
    confirmed = rng.integers(3, DAYS, rows)
    onset = confirmed - rng.integers(0, 4, rows)
    onset_text = np.where(rng.random(rows) < 0.6, as_text[onset], "")
    columns = [
        np.char.add("BN", np.arange(1, rows + 1).astype(str)),
        np.array(commune_codes)[rng.integers(0, len(commune_codes), rows)],
        as_text[confirmed],
        onset_text,
        *(np.array(w)[rng.integers(0, len(w), rows)] for w in WORDS.values()),
    ]
    lines = (",".join(cells) for cells in zip(*(c.tolist() for c in columns), strict=True))
    return (HEADER + "\n" + "\n".join(lines) + "\n").encode()


def naive(records: list[dict]) -> float:
    """Create each case with the ORM, one INSERT per row; return the seconds."""
    from django.db import transaction
    from django.utils import timezone

    from vungxanh.surveillance.models import CaseRecord, Series

    series = Series.objects.get(code="reported")
    fields = [f.name for f in CaseRecord._meta.concrete_fields] + ["area_id"]
    with Timer() as t, transaction.atomic():
        for record in records:
            values = {k: v for k, v in record.items() if k in fields}
            values["case_code"] = "NV" + values["case_code"]
            CaseRecord.objects.create(series=series, recorded_at=timezone.now(), **values)
    return t.seconds


class Phases:
    """A ``progress`` callback that notes when each phase of an import began."""

    def __init__(self):
        self.began = time.perf_counter()
        self.marks: dict[str, float] = {}

    def __call__(self, fraction: float, phase: str) -> None:
        self.marks.setdefault(phase, time.perf_counter())

    def between(self, first: str, then: str) -> float:
        return self.marks[then] - self.marks[first]


def leg(name: str, rows: int, profile: bool) -> None:
    setup_django()
    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.surveillance import indicators, services
    from vungxanh.surveillance.models import CaseRecord, IndicatorSeries, Series

    codes = list(Area.objects.filter(kind=AreaKind.COMMUNE).values_list("code", flat=True))
    with Timer() as t_make:
        data = make_csv(codes, rows)
    say(f"{rows:,} rows, {len(data) / 1e6:.0f} MB CSV made in {t_make.seconds:.1f} s")

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    check_phases = Phases()
    with Timer() as t_check:
        check = services.check_import("cases", data, "cases.csv", actor=None, progress=check_phases)
    if profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    assert check.ok and check.new == rows, check.errors[:5]
    sample = check.records[:NAIVE_ROWS]
    del check
    read_s = check_phases.between("read", "validate")
    validate_s = check_phases.between("validate", "compare")
    compare_s = check_phases.began + t_check.seconds - check_phases.marks["compare"]
    say(
        f"check_import: {t_check.seconds:.1f} s = {rows / t_check.seconds:,.0f} rows/s "
        f"(cpu {t_check.cpu:.1f} s = {rows / t_check.cpu:,.0f} rows per cpu-second) "
        f"(read {read_s:.1f} s, validate + records {validate_s:.1f} s, compare {compare_s:.1f} s)"
    )

    # Time the indicator hook inside import_file (it is looked up at call time).
    hook = indicators.recompute_after
    spent: list[float] = []

    def timed_hook(batch):
        with Timer() as t:
            written = hook(batch)
        spent.append(t.seconds)
        return written

    indicators.recompute_after = timed_hook
    phases = Phases()
    with Timer() as t_import:
        result = services.import_file("cases", data, "cases.csv", actor=None, progress=phases)
    indicators.recompute_after = hook
    assert result.written and CaseRecord.objects.count() == rows
    series = Series.objects.get(code="reported")
    indicator_rows = IndicatorSeries.objects.filter(series=series).count()
    recompute_s = spent[0]
    write_s = phases.between("write", "done") - recompute_s
    say(
        f"import_file end to end: {t_import.seconds:.1f} s = {rows / t_import.seconds:,.0f} "
        f"rows/s (check {phases.marks['write'] - phases.began:.1f} s, write "
        f"{write_s:.1f} s, indicator recompute {recompute_s:.1f} s for {indicator_rows} areas)"
    )
    # A correction file against the stored million: the codes BN1… again, other values.
    corrections = make_csv(codes, rows // 10, seed=SEED + 1)
    with Timer() as t_fix:
        fix = services.check_import("cases", corrections, "fix.csv", actor=None)
    assert fix.ok and fix.new + fix.corrected + fix.unchanged == rows // 10
    say(
        f"check_import of {rows // 10:,} corrections against {rows:,} stored: "
        f"{t_fix.seconds:.1f} s = {rows // 10 / t_fix.seconds:,.0f} rows/s"
    )
    del fix
    naive_s = naive(sample)
    naive_total = naive_s / len(sample) * rows
    say(
        f"naive: {len(sample):,} × CaseRecord.objects.create in {naive_s:.1f} s → "
        f"{naive_total:,.0f} s for {rows:,} rows (write only, linear)"
    )
    report(
        {
            "database": database_version(),
            "rows": rows,
            "mb": len(data) / 1e6,
            "read_s": read_s,
            "validate_s": validate_s,
            "compare_s": compare_s,
            "check_s": t_check.seconds,
            "check_cpu": t_check.cpu,
            "import_s": t_import.seconds,
            "write_s": write_s,
            "recompute_s": recompute_s,
            "fix_rows": rows // 10,
            "fix_s": t_fix.seconds,
            "indicator_rows": indicator_rows,
            "naive_rows": len(sample),
            "naive_sample_s": naive_s,
            "naive_total_s": naive_total,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=["sqlite", "postgresql"], help="(internal) one leg")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--profile", action="store_true", help="profile check_import")
    parser.add_argument("--append", action="store_true", help="add the figures to RESULTS.md")
    args = parser.parse_args()
    if args.leg:
        leg(args.leg, args.rows, args.profile)
        return
    print(__doc__.splitlines()[0])
    print(f"  (before: load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    extra = ["--rows", str(args.rows)] + (["--profile"] if args.profile else [])
    results = run_legs(__file__, [args.only] if args.only else None, extra)
    print("\nMachine:")
    print_machine({leg: r["database"] for leg, r in results.items()})
    table = [
        "| database | rows | check_import (read, validate + records, compare) "
        "| validated rows/s (per cpu-s) | import_file end to end | of which write "
        "| of which indicators | naive create() (extrapolated) | speed-up (write) "
        "| target ≥ 100,000 rows/s | check of a correction file, 1/10 the size, "
        "against the stored rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results.values():
        rate = r["rows"] / r["check_s"]
        table.append(
            f"| {r['database']} | {r['rows']:,} | {r['check_s']:.1f} s (read {r['read_s']:.1f}, "
            f"validate + records {r['validate_s']:.1f}, compare {r['compare_s']:.1f}) "
            f"| {rate:,.0f} ({r['rows'] / r['check_cpu']:,.0f}) | {r['import_s']:.1f} s "
            f"| {r['write_s']:.1f} s | {r['recompute_s']:.1f} s "
            f"| {r['naive_total_s']:,.0f} s ({r['naive_rows']:,} rows in "
            f"{r['naive_sample_s']:.1f} s) | {r['naive_total_s'] / r['write_s']:,.0f}× "
            f"| {'met' if rate >= TARGET_ROWS_PER_S else 'MISSED'} "
            f"| {r['fix_s']:.1f} s = {r['fix_rows'] / r['fix_s']:,.0f} rows/s |"
        )
    print("\n" + "\n".join(table))
    if args.append:
        append_results(
            [
                f"## Import: a {args.rows:,}-row case list ({dt.date.today().isoformat()})",
                "",
                "`.venv/bin/python bench/bench_import.py --append` — a seeded, valid CSV "
                f"({results[next(iter(results))]['mb']:.0f} MB, Vietnamese headers and words, "
                "communes of the whole country); `check_import` timed alone (wall; rows per "
                "CPU-second of the Python process in brackets), then `import_file` end to end "
                "(it checks again, writes, and recomputes the series' indicators); the naive "
                f"way is `CaseRecord.objects.create` per row on {NAIVE_ROWS:,} parsed rows, "
                "extrapolated linearly and compared with the write alone.",
                "",
                *machine_table({leg: r["database"] for leg, r in results.items()}),
                "",
                *table,
            ]
        )


if __name__ == "__main__":
    main()
