"""Benchmark: every establishment's status after a national level update (≤ 10 s), one
province's change list (≤ 1 s).

Scenario: the 2021 units shipped with the project (10,603 communes), rule sets synced.
**Simulated data** (seeded): establishments spread over every commune (1,000,000 by
default), real VSIC 2018 sub-class codes (``vungxanh/economy/data/vsic_2018/``, weighted
by section: trade, food service and manufacturing first), written set-based
(``lib.bulk.insert_rows``); 14 days of community cases for every commune (11–24/10/2021,
the first days of NQ 128 and its activity matrix ``vn-nq128-activities``) imported as
one national file, the loop run (indicators → Rt → levels → establishments). Then the
**national level update**: the next day's file (25/10/2021: a surge in half of the
provinces, Cần Thơ among them, none elsewhere) imported and the loop run again, as the
user's ``vungxanh import --wait`` does. Timed on SQLite and PostgreSQL:

- *establishments stage* of that loop run, for every province: reading the
  establishments, the levels in force, lockdowns and permits, computing every status
  period as arrays, deleting and rewriting the periods, bringing the notices up to date —
  end to end, database included (each stage of the drain timed by wrapping it);
- *per-establishment baseline*, same run: a straightforward Python loop over a random
  sample of establishments — per establishment and day the level in force of its ward
  (``risk.applies.level_in_force``, the page's function), the matrix
  (``reopening.matrices.choose``) and the cell (``domain.activities.lookup``), then its
  periods written with ``StatusPeriod.objects.create`` (rolled back) — as many as fit in
  ``--baseline-seconds``, extrapolated linearly to every establishment; its statuses are
  compared with the stage's, day by day;
- *change list* of Cần Thơ (92) for 25/10/2021: ``reopening.queries.change_list`` read
  whole, and the page (``reopening:changes``) through the Django test client, signed in
  as the city's steering committee; median of 5 after a warm-up.

Run from the repository root: ``.venv/bin/python bench/bench_establishments.py``
(``--only sqlite|postgresql``, ``--establishments N``, ``--sqlite-establishments N``,
``--pg-name NAME``, ``--tmp DIR``, ``--append`` adds the figures to bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench.common as common
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

SEED = 20211011
FIRST_DAY = dt.date(2021, 10, 11)
DAYS = 14
UPDATE_DAY = FIRST_DAY + dt.timedelta(days=DAYS)
CAN_THO = "92"
HEADER = "Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"
STAGE_TARGET_S = 10.0
CHANGE_LIST_TARGET_S = 1.0
# Share of establishments by VSIC section (simulated; trade, food and manufacturing lead).
SECTION_WEIGHTS = {
    "G": 0.36, "I": 0.14, "C": 0.12, "S": 0.07, "F": 0.05, "H": 0.05, "A": 0.03, "M": 0.03,
    "N": 0.03, "L": 0.02, "P": 0.02, "Q": 0.02, "R": 0.02, "J": 0.02, "K": 0.01,
}  # fmt: skip
ESTABLISHMENT_FIELDS = (
    "name", "tax_code", "kind", "vsic_code", "section", "address", "ward_id", "workers",
    "essential_goods", "goods", "public_investment", "investor", "phone", "email",
    "simulated", "created_at", "updated_at",
)  # fmt: skip


# --- simulated data -----------------------------------------------------------------------


def commune_rates(codes: list[str]):
    """Each commune's daily community cases (log-uniform: most communes quiet)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    return np.exp(rng.uniform(np.log(0.02), np.log(4.0), len(codes)))


def counts_file(codes: list[str], days: list[dt.date], rates) -> bytes:
    """Seeded daily community and lockdown counts of every commune on ``days``."""
    import numpy as np

    rng = np.random.default_rng(SEED + days[0].toordinal())
    lines = [HEADER]
    for day in days:
        community = rng.poisson(rates).tolist()
        lockdown = rng.poisson(rates / 2).tolist()
        text = f"{day:%d/%m/%Y}"
        lines += [f"{c},{text},{n},{k}" for c, n, k in zip(codes, community, lockdown, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def coverage_files(codes: list[str], populations: list[int]) -> list[tuple[str, bytes]]:
    """Seeded vaccination coverage and health-station oxygen of every commune, dated the
    first day (stocks: carried forward), the other inputs of vn-4800-2021."""
    import numpy as np

    rng = np.random.default_rng(SEED + 1)
    adults = (np.array(populations) * 0.7).astype(int) + 1
    one_dose = (adults * rng.uniform(0.4, 0.98, len(codes))).astype(int)
    full = (one_dose * rng.uniform(0.3, 0.9, len(codes))).astype(int)
    elderly = (adults * 0.3).astype(int)
    elderly_full = (elderly * rng.uniform(0.7, 0.99, len(codes))).astype(int)
    oxygen = rng.random(len(codes)) < 0.9
    day = f"{FIRST_DAY:%d/%m/%Y}"
    vaccination = ["area,date,adults,adults_one_dose,adults_full,aged_50_plus,aged_50_plus_full"]
    vaccination += [
        f"{c},{day},{a},{o},{f},{e},{ef}"
        for c, a, o, f, e, ef in zip(
            codes, adults.tolist(), one_dose.tolist(), full.tolist(), elderly.tolist(),
            elderly_full.tolist(), strict=True,
        )
    ]  # fmt: skip
    capacity = ["area,date,station_oxygen"]
    capacity += [f"{c},{day},{'Có' if o else 'Không'}" for c, o in zip(codes, oxygen, strict=True)]
    return [
        ("vaccination", ("\n".join(vaccination) + "\n").encode()),
        ("capacity", ("\n".join(capacity) + "\n").encode()),
    ]


def update_rates(codes: list[str], provinces: list[str], rates):
    """The update day: a 25-fold surge in half of the provinces (Cần Thơ among them),
    no case elsewhere — so levels move up in some communes and down in others."""
    import numpy as np

    rng = random.Random(SEED)
    surging = set(rng.sample(sorted(set(provinces)), len(set(provinces)) // 2)) | {CAN_THO}
    factor = np.array([25.0 if p in surging else 0.0 for p in provinces])
    return rates * factor


def vsic_codes() -> tuple[list[str], list[str], list[float]]:
    """Sub-class (level 5) codes with their section and sampling weight."""
    from vungxanh.domain import vsic

    path = Path(vsic.DATA_FILE)
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == str(vsic.SUBCLASS_LEVEL)]
    codes = [r["code"] for r in rows]
    sections = [vsic.section_of(c) for c in codes]
    per_section = {s: sections.count(s) for s in set(sections)}
    rest = 1.0 - sum(SECTION_WEIGHTS.values())
    others = [s for s in per_section if s not in SECTION_WEIGHTS]
    weights = [
        (SECTION_WEIGHTS[s] if s in SECTION_WEIGHTS else rest / len(others)) / per_section[s]
        for s in sections
    ]
    return codes, sections, weights


def tax_codes(count: int) -> list[str]:
    """``count`` distinct ten-digit tax codes with a valid check digit (Hồ Chí Minh City's
    block 03, a sequence from 1000000)."""
    import numpy as np

    from vungxanh.domain.taxcode import WEIGHTS

    bases = np.arange(1_000_000, 1_000_000 + count * 2, dtype=np.int64) + 30_000_000
    digits = np.stack([(bases // 10 ** (8 - i)) % 10 for i in range(9)], axis=1)
    check = 10 - (digits @ np.array(WEIGHTS)) % 11
    ok = check < 10
    numbers = bases[ok][:count] * 10 + check[ok][:count]
    assert len(numbers) == count
    return [f"{n:010d}" for n in numbers.tolist()]


def write_establishments(count: int, wards: list[int]) -> float:
    """Insert ``count`` establishments in one transaction; return the seconds."""
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from vungxanh.economy.models import Establishment, Kind
    from vungxanh.lib.bulk import insert_rows

    rng = np.random.default_rng(SEED)
    codes, sections, weights = vsic_codes()
    p = np.array(weights) / sum(weights)
    pick = rng.choice(len(codes), count, p=p).tolist()
    # Communes differ in size: lognormal weights spread establishments unevenly.
    ward_weights = rng.lognormal(0, 1, len(wards))
    ward_of = rng.choice(len(wards), count, p=ward_weights / ward_weights.sum()).tolist()
    workers = rng.integers(1, 200, count).tolist()
    taxes = tax_codes(count)
    now = timezone.now()
    rows = (
        (
            f"Cơ sở mô phỏng {i + 1}", taxes[i],
            Kind.HOUSEHOLD if workers[i] < 10 else Kind.ENTERPRISE,
            codes[pick[i]], sections[pick[i]], "", wards[ward_of[i]], workers[i],
            False, "", False, "", "", "", True, now, now,
        )
        for i in range(count)
    )  # fmt: skip
    with Timer() as t, transaction.atomic():
        insert_rows(Establishment, ESTABLISHMENT_FIELDS, rows)
    return t.seconds


# --- timing the loop's stages -------------------------------------------------------------


def timed_stages(times: dict[str, list[float]]):
    """The loop's stages, each wrapped to add its wall and CPU seconds to ``times``."""
    from vungxanh.loop import stages

    def wrap(stage):
        def run(series, provinces):
            with Timer() as t:
                written = stage.run(series, provinces)
            times[stage.name] = [t.seconds, t.cpu, written]
            return written

        return replace(stage, run=run)

    return tuple(wrap(s) for s in stages.STAGES)


def import_and_drain(files: list[tuple[str, bytes]]) -> dict:
    """Import files (kind, content) and run the queued loop here; return the timings."""
    from vungxanh.jobs import inline
    from vungxanh.jobs.models import Job
    from vungxanh.loop import drain
    from vungxanh.surveillance import services

    times: dict[str, list[float]] = {}
    original = drain.STAGES
    drain.STAGES = timed_stages(times)
    try:
        with Timer() as imported:
            for kind, data in files:
                result = services.import_file(kind, data, f"{kind}.csv", actor=None)
                assert result.written, result.check.errors[:3]
        with Timer() as loop:
            ended = inline.run_queued_here()
    finally:
        drain.STAGES = original
    assert [j.status for j in ended] == [Job.Status.DONE], [(j.status, j.error) for j in ended]
    return {"import": imported.seconds, "loop": loop.seconds, "stages": times}


@contextmanager
def stage_parts(spent: dict[str, float]):
    """Time the parts of the establishments stage while it runs (wall seconds, summed over
    the provinces) by wrapping the functions ``recompute_province`` calls; what is left
    (reading the establishments and the days, deleting the old periods, committing) is
    the stage's time minus their sum."""
    from vungxanh.reopening import compute, services

    parts = [
        (services, "levels_in_force", "levels in force"),
        (services, "locked_grid", "lockdowns"),
        (services, "permit_overrides", "permits"),
        (compute, "compute", "compute"),
        (services, "insert_rows", "write periods"),
        (services, "_changes", "changes"),
        (services, "_sync_notices", "notices"),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _label in parts]

    def timed(label, function):
        def run(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - began

        return run

    for (module, name, original), (_m, _n, label) in zip(originals, parts, strict=True):
        setattr(module, name, timed(label, original))
    try:
        yield spent
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


# --- the baseline -------------------------------------------------------------------------


def baseline(series, seconds: float, count: int) -> dict:
    """Per establishment, per day: level in force, matrix, cell; periods written one by one.

    Runs on a random sample until ``seconds`` have passed, inside a transaction rolled
    back at the end (the stage's rows stay). Returns the per-establishment time and the
    days whose status differs from the stage's.
    """
    from django.db import transaction
    from django.utils import timezone

    from vungxanh.domain import activities
    from vungxanh.economy.models import Establishment
    from vungxanh.reopening import matrices
    from vungxanh.reopening.models import Reason, Status, StatusPeriod
    from vungxanh.risk.applies import level_in_force
    from vungxanh.risk.models import Assessment, AssessmentSeries, OfficialDecision

    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS + 1)]
    ids = list(Establishment.objects.values_list("pk", flat=True))
    sample = random.Random(SEED).sample(ids, min(len(ids), 5000))
    shipped = matrices.shipped()
    done = 0
    statuses: dict[int, list[str]] = {}
    began = time.perf_counter()
    with transaction.atomic():
        for pk in sample:
            if time.perf_counter() - began > seconds:
                break
            e = Establishment.objects.select_related("ward").get(pk=pk)
            province = "".join(e.ward.path.split("/")[1:2])
            runs: list[list] = []  # [key, first day, last day, status, cell]
            for day in days:
                applied = level_in_force(
                    e.ward, day, series, AssessmentSeries.objects,
                    OfficialDecision.objects, Assessment.objects,
                )  # fmt: skip
                cell = None
                if applied is not None and applied.key and applied.record is not None:
                    matrix = matrices.choose(shipped, applied.record.code, day, province)
                    if matrix is not None and applied.key in matrix.levels:
                        try:
                            cell = activities.lookup(matrix, e.vsic_code, applied.key)
                        except activities.ActivityLookupError:
                            cell = None
                status = cell.status if cell else Status.UNKNOWN
                key = (status, cell.group.key, cell.level) if cell else (status,)
                if runs and runs[-1][0] == key:
                    runs[-1][2] = day
                else:
                    runs.append([key, day, day, status, cell])
            statuses[pk] = [r[3] for r in runs for _ in range((r[2] - r[1]).days + 1)]
            StatusPeriod.objects.filter(establishment=e).delete()
            previous = ""
            for n, (_key, start, end, status, cell) in enumerate(runs):
                StatusPeriod.objects.create(
                    establishment=e, ward=e.ward, section=e.section, start=start,
                    end=None if n == len(runs) - 1 else end, since=start, status=status,
                    previous_status=previous,
                    reason=Reason.LEVEL if cell else Reason.NO_LEVEL,
                    group=cell.group.key if cell else "", level_key=cell.level if cell else "",
                    verified=cell.verified if cell else False, computed_at=timezone.now(),
                )  # fmt: skip
                previous = status
            done += 1
        spent = time.perf_counter() - began
        transaction.set_rollback(True)
    differ = 0
    for pk, wanted in statuses.items():
        stored = stage_statuses(pk, days)
        differ += sum(a != b for a, b in zip(wanted, stored, strict=True))
    per = spent / max(done, 1)
    return {
        "sample": done,
        "seconds": spent,
        "extrapolated": per * count,
        "days_compared": done * len(days),
        "differ": differ,
    }


def stage_statuses(pk: int, days: list[dt.date]) -> list[str]:
    from vungxanh.reopening.models import StatusPeriod

    periods = list(StatusPeriod.objects.filter(establishment_id=pk).order_by("start"))
    found = []
    for day in days:
        hit = [p.status for p in periods if p.start <= day and (p.end is None or p.end >= day)]
        found.append(hit[0] if hit else "")
    return found


# --- the change list ----------------------------------------------------------------------


def median_ms(run, repeat: int = 5) -> float:
    run()  # warm-up
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def change_list_figures(day: dt.date) -> dict:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from vungxanh.accounts.models import Membership, User
    from vungxanh.accounts.roles import Role
    from vungxanh.areas.models import Area
    from vungxanh.economy.models import Establishment
    from vungxanh.reopening import queries
    from vungxanh.reopening.models import StatusPeriod

    setup_test_environment()
    city = Area.objects.get(code=CAN_THO, valid_to__isnull=True)
    user = User.objects.create_user("bench-establishments")
    Membership.objects.create(user=user, area=city, role=Role.STEERING)
    client = Client()
    client.force_login(user)

    def query():
        scoped = StatusPeriod.objects.for_user(user, "view")
        return list(queries.change_list(scoped, city, day))

    rows = query()
    url = reverse("reopening:changes")

    def page():
        response = client.get(url, {"area": CAN_THO, "date": f"{day:%d/%m/%Y}"})
        assert response.status_code == 200, response.status_code
        return response

    totals = dict((s.value, n) for s, n in page().context["totals"])
    return {
        "establishments": Establishment.objects.filter(ward__path__startswith=city.path).count(),
        "rows": len(rows),
        "totals": totals,
        "query_ms": median_ms(query),
        "page_ms": median_ms(page),
    }


# --- one database -------------------------------------------------------------------------


def leg(count: int, baseline_seconds: float) -> None:
    setup_django()
    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.jobs import inline
    from vungxanh.reopening.models import Notice, StatusPeriod
    from vungxanh.risk import services as risk
    from vungxanh.surveillance.models import Series

    risk.sync_rulesets()
    inline.run_queued_here()  # the rule sets' own change: nothing to compute yet
    communes = list(
        Area.objects.current()
        .filter(kind=AreaKind.COMMUNE)
        .order_by("code")
        .values_list("pk", "code", "path", "population")
    )
    codes = [c[1] for c in communes]
    provinces = [c[2].split("/")[1] for c in communes]
    say(f"{len(codes):,} communes; writing {count:,} establishments")
    written_s = write_establishments(count, [c[0] for c in communes])
    say(f"establishments written in {written_s:.1f} s")

    rates = commune_rates(codes)
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS)]
    first = import_and_drain(
        [
            ("daily", counts_file(codes, days, rates)),
            *coverage_files(codes, [c[3] or 1000 for c in communes]),
        ]
    )
    say(
        f"14 days imported {first['import']:.1f} s, loop {first['loop']:.1f} s: "
        + ", ".join(f"{k} {v[0]:.1f} s" for k, v in first["stages"].items())
    )
    periods_before = StatusPeriod.objects.count()

    update = update_rates(codes, provinces, rates)
    parts: dict[str, float] = {}
    with stage_parts(parts):
        second = import_and_drain([("daily", counts_file(codes, [UPDATE_DAY], update))])
    stage = second["stages"]["establishments"]
    parts["rest (read, delete, commit)"] = stage[0] - sum(parts.values())
    say("stage parts: " + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()))
    say(
        f"update imported {second['import']:.1f} s, loop {second['loop']:.1f} s: "
        + ", ".join(f"{k} {v[0]:.1f} s" for k, v in second["stages"].items())
    )
    series = Series.objects.get(code="reported")
    changed_today = (
        StatusPeriod.objects.filter(start=UPDATE_DAY).exclude(previous_status="").count()
    )
    moved = StatusPeriod.objects.filter(start=UPDATE_DAY).exclude(previous_status="")
    from django.db.models import F

    moved = moved.exclude(previous_status=F("status")).count()
    periods_after = StatusPeriod.objects.count()
    notices = Notice.objects.filter(effective_on=UPDATE_DAY).count()
    say(
        f"periods {periods_before:,} → {periods_after:,}; periods starting "
        f"{UPDATE_DAY:%d/%m}: {changed_today:,} ({moved:,} with a new status); notices {notices:,}"
    )

    figures = change_list_figures(UPDATE_DAY)
    say(f"change list of Cần Thơ: {figures}")
    base = baseline(series, baseline_seconds, count)
    say(f"baseline: {base}")
    report(
        {
            "database": database_version(),
            "establishments": count,
            "written": written_s,
            "first": first,
            "update": second,
            "stage": stage,
            "periods": [periods_before, periods_after],
            "moved": moved,
            "notices": notices,
            "parts": parts,
            "change_list": figures,
            "baseline": base,
        }
    )


# --- the parent ---------------------------------------------------------------------------


def table_of(results: dict) -> list[str]:
    lines = [
        "| database | establishments (write) | establishments stage after the update (cpu) "
        "| target ≤ 10 s | first compute, 14 days | whole loop run of the update "
        "(import + loop) | periods stored | new status on the day / notices "
        "| per-establishment baseline (extrapolated) | speed-up | baseline vs stage "
        "| Cần Thơ change list: rows / query / page | target ≤ 1 s |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in results.values():
        wall, cpu, _written = r["stage"]
        base = r["baseline"]
        cl = r["change_list"]
        slowest = max(cl["query_ms"], cl["page_ms"]) / 1000
        lines.append(
            f"| {r['database']} | {r['establishments']:,} ({r['written']:.1f} s) "
            f"| {wall:.1f} s ({cpu:.1f} s) | {'met' if wall <= STAGE_TARGET_S else 'MISSED'} "
            f"| {r['first']['stages']['establishments'][0]:.1f} s "
            f"| {r['update']['import'] + r['update']['loop']:.1f} s "
            f"({r['update']['import']:.1f} + {r['update']['loop']:.1f}) "
            f"| {r['periods'][1]:,} | {r['moved']:,} / {r['notices']:,} "
            f"| {base['extrapolated']:,.0f} s ({base['sample']} establishments in "
            f"{base['seconds']:.1f} s) | {base['extrapolated'] / wall:,.0f}× "
            f"| {base['differ']} of {base['days_compared']:,} days differ "
            f"| {cl['rows']:,} / {cl['query_ms']:.0f} ms / {cl['page_ms']:.0f} ms "
            f"| {'met' if slowest <= CHANGE_LIST_TARGET_S else 'MISSED'} |"
        )
    names = list(next(iter(results.values()))["parts"])
    lines += [
        "",
        "Where the establishments stage of the update spends its time (wall seconds, summed "
        "over the 63 provinces):",
        "",
        "| database | stage | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for r in results.values():
        lines.append(
            f"| {r['database']} | {r['stage'][0]:.1f} | "
            + " | ".join(f"{r['parts'].get(n, 0):.1f}" for n in names)
            + " |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=["sqlite", "postgresql"], help="(internal) run one leg")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--establishments", type=int, default=1_000_000)
    parser.add_argument(
        "--sqlite-establishments", type=int, help="a smaller count for the SQLite leg"
    )
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument(
        "--pg-name", default=common.PG_NAME, help="scratch PostgreSQL database (dropped after)"
    )
    parser.add_argument("--tmp", help="directory for the legs' data directories")
    parser.add_argument("--append", action="store_true", help="add the figures to RESULTS.md")
    args = parser.parse_args()
    if args.leg:
        leg(args.establishments, args.baseline_seconds)
        return
    common.PG_NAME = args.pg_name
    if args.tmp:  # the legs' data directories (SQLite file, uploads) go under it
        os.makedirs(args.tmp, exist_ok=True)
        tempfile.tempdir = args.tmp
    print(__doc__.splitlines()[0])
    print(f"  (before: load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    began = time.perf_counter()
    results = {}
    for name in [args.only] if args.only else ["sqlite", "postgresql"]:
        count = args.establishments
        if name == "sqlite" and args.sqlite_establishments:
            count = args.sqlite_establishments
        extra = [f"--establishments={count}", f"--baseline-seconds={args.baseline_seconds}"]
        results.update(run_legs(__file__, [name], extra))
    print(f"  (whole run {time.perf_counter() - began:.0f} s)")
    print("\nMachine:")
    databases = {name: r["database"] for name, r in results.items()}
    print_machine(databases)
    table = table_of(results)
    print("\n" + "\n".join(table))
    if args.append:
        append_results(
            [
                f"## Establishments: statuses after a national level update ({dt.date.today()})",
                "",
                "`.venv/bin/python bench/bench_establishments.py --append` — "
                + " ".join(__doc__.split("\n\n")[1].split()),
                "",
                *machine_table(databases),
                "",
                *table,
            ]
        )


if __name__ == "__main__":
    main()
