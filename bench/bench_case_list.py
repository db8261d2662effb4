"""Benchmark: the case list and the epidemic curve at 1,000,000 case rows.

One million current case rows (seeded) in Cần Thơ's 83 communes over 123 days, with Ninh
Kiều's 11 wards holding 40 % of them, are written with ``vungxanh.lib.bulk.insert_rows``.
Then, through the real pages (Django test client, signed in, every middleware on):

- the case list, page 1 and page 1,000 (keyset: ``after=`` the last key of page 999),
  for a ward, the district and the whole city, with its capped total;
- the epidemic curve query (``queries.detection_split``: one GROUP BY over the subtree)
  and the whole area page around it.

Each figure is the median of 5 runs after one warm-up. Run from the repository root:
``.venv/bin/python bench/bench_case_list.py`` (``--rows N``, ``--legs sqlite``,
``--append`` to add the section to bench/RESULTS.md). The PostgreSQL leg uses the scratch
database ``vx_bench_cases``, created and dropped here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from bench.common import Timer, database_version, machine, report, run_legs, say, setup_django

common.PG_NAME = "vx_bench_cases"
SEED = 20210923
ROWS = 1_000_000
FIRST_DAY = dt.date(2021, 7, 1)
DAYS = 123  # 01/07 – 31/10/2021
NINH_KIEU = "916"
CAN_THO = "92"
DISTRICT_SHARE = 0.4
RUNS = 5
PAGE = 1_000
DETECTIONS = ["community", "quarantine", "home_isolation", "lockdown", "imported", "unknown"]
DETECTION_SHARE = [0.2, 0.25, 0.1, 0.35, 0.02, 0.08]


def median_ms(run, runs: int = RUNS, *, cold: bool = False) -> float:
    """Median milliseconds of ``run`` after a warm-up; ``cold`` empties Django's cache first."""
    from django.core.cache import cache

    run()  # warm-up: query plans, the database's own caches
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def insert_cases(rows: int) -> float:
    """Write ``rows`` current cases; return the seconds."""
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from vungxanh.areas.models import Area, AreaKind
    from vungxanh.lib.bulk import insert_rows
    from vungxanh.surveillance.models import CaseRecord, ImportBatch, Series

    rng = np.random.default_rng(SEED)
    communes = Area.objects.current().filter(kind=AreaKind.COMMUNE)
    city = list(communes.filter(path__startswith=f"VN/{CAN_THO}/").values_list("id", "path"))
    district = [pk for pk, path in city if path.startswith(f"VN/{CAN_THO}/{NINH_KIEU}/")]
    others = [pk for pk, path in city if not path.startswith(f"VN/{CAN_THO}/{NINH_KIEU}/")]
    in_district = rng.random(rows) < DISTRICT_SHARE
    area = np.where(
        in_district,
        np.array(district)[rng.integers(0, len(district), rows)],
        np.array(others)[rng.integers(0, len(others), rows)],
    )
    # A wave: most cases in August and September, as in Cần Thơ in 2021.
    day = np.clip(rng.normal(DAYS * 0.55, DAYS * 0.18, rows).astype(int), 0, DAYS - 1)
    dates = np.array([FIRST_DAY + dt.timedelta(days=int(d)) for d in range(DAYS)], dtype=object)
    detection = np.array(DETECTIONS)[rng.choice(len(DETECTIONS), rows, p=DETECTION_SHARE)]
    series = Series.objects.get(code="reported")
    # One import batch for the rows, as a real import would leave (series lookup uses it).
    batch = ImportBatch.objects.create(
        kind="cases",
        file_name="bench.csv",
        file_sha256="0" * 64,
        area=Area.objects.get(code=CAN_THO, valid_to__isnull=True),
        series=series,
        actor_name="bench",
        source="bench",
        rows_total=rows,
        rows_created=rows,
    )
    now = timezone.now()
    stamp = now if connection.vendor == "postgresql" else now.isoformat(sep=" ")
    fields = ["case_code", "area_id", "series_id", "batch_id", "confirmed_date", "detection"]
    fields += ["age_band", "sex", "vaccination", "outcome", "zone_ref", "source", "recorded_at"]
    columns = zip(area.tolist(), day.tolist(), detection.tolist(), strict=True)
    values = (
        (f"BN{i + 1}", int(a), series.pk, batch.pk, dates[d], det, "unknown", "U", "unknown")
        + ("unknown", "", "bench", stamp)
        for i, (a, d, det) in enumerate(columns)
    )
    with Timer() as timer, transaction.atomic():
        insert_rows(CaseRecord, fields, values)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return timer.seconds


def explain(queryset) -> None:
    """Print the database's plan of ``queryset`` (``--explain``)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        for row in cursor.fetchall():
            say("    " + " | ".join(str(v) for v in row))


def leg(rows: int, show_plans: bool = False) -> None:
    setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from vungxanh.accounts.models import Membership, User
    from vungxanh.accounts.roles import Role
    from vungxanh.areas.models import Area
    from vungxanh.surveillance.models import CaseRecord, Series
    from vungxanh.surveillance.queries import (
        CaseFilters,
        capped_count,
        detection_split,
        filtered_cases,
    )

    setup_test_environment()
    say(f"writing {rows:,} cases")
    insert_seconds = insert_cases(rows)
    say(f"written in {insert_seconds:.1f} s")
    city = Area.objects.get(code=CAN_THO, valid_to__isnull=True)
    district = Area.objects.get(code=NINH_KIEU, valid_to__isnull=True)
    ward = Area.objects.filter(parent=district).order_by("code").first()
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, area=city, role=Role.STEERING)
    client = Client()
    client.force_login(user)
    series = Series.objects.get(code="reported")
    url = reverse("surveillance:cases")
    size = settings.VX_PAGE_SIZE
    figures: dict[str, dict] = {}
    for name, area in (("ward", ward), ("district", district), ("city", city)):
        rows_in_area = CaseRecord.objects.filter(area__path__startswith=area.path).count()
        scope = filtered_cases(user, CaseFilters(area=area, series=series))
        # Page 1,000, or the last page of a smaller area: reached by the key before it.
        deep_page = min(PAGE, max(1, -(-rows_in_area // size)))
        ordered = scope.order_by("-confirmed_date", "-id").values_list("confirmed_date", "id")
        offset = (deep_page - 1) * size
        last = ordered[offset - 1 : offset].first() if deep_page > 1 else None

        def get(code=area.code, **params):
            response = client.get(url, {"area": code, **params})
            assert response.status_code == 200, response.status_code
            assert 0 < len(response.context["cases"]) <= size, len(response.context["cases"])
            return response

        if show_plans:
            from django.db.models import Count

            from vungxanh.surveillance.queries import Key, _row_compare, subtree_ids

            say(f"plans for {name}: page, deep page, count, curve")
            explain(scope.order_by("-confirmed_date", "-id")[:51])
            if last:
                key = Key(last[0], last[1])
                compare = _row_compare(CaseRecord, "confirmed_date", "<", key)
                explain(scope.filter(compare).order_by("-confirmed_date", "-id")[:51])
            explain(scope.order_by().values("id")[:100_001])
            curve = (
                CaseRecord.objects.for_user(user, "view")
                .current()
                .filter(series=series, area_id__in=subtree_ids(area))
                .order_by()
                .values_list("confirmed_date", "detection")
                .annotate(n=Count("id"))
            )
            explain(curve)
        # Cold: nothing cached, the total is counted. Warm: the area page has kept the
        # daily split, from which the list reads its total.
        first_cold = median_ms(lambda: get(), cold=True)
        cache.clear()
        total_cold = get().context["total"]
        client.get(reverse("surveillance:area", args=[area.code]))
        first_warm = median_ms(lambda: get())
        total_warm = get().context["total"]
        after = f"{last[0].isoformat()}.{last[1]}" if last else None
        deep_ms = median_ms(lambda: get(after=after)) if after else None  # noqa: B023
        count_ms = median_ms(lambda: capped_count(scope))  # noqa: B023
        curve_cold = median_ms(lambda: detection_split(user, area, series), cold=True)  # noqa: B023
        curve_warm = median_ms(lambda: detection_split(user, area, series))  # noqa: B023
        page_url = reverse("surveillance:area", args=[area.code])
        area_cold = median_ms(lambda: client.get(page_url), cold=True)  # noqa: B023
        area_warm = median_ms(lambda: client.get(page_url))  # noqa: B023
        figures[name] = {
            "area": f"{area.name} ({area.code})",
            "rows": rows_in_area,
            "total_cold": f"{total_cold.value:,}{'' if total_cold.exact else '+'}",
            "total_warm": f"{total_warm.value:,}{'' if total_warm.exact else '+'}",
            "page_1_cold_ms": round(first_cold, 1),
            "page_1_ms": round(first_warm, 1),
            "deep_page": deep_page,
            "deep_page_ms": None if deep_ms is None else round(deep_ms, 1),
            "count_ms": round(count_ms, 1),
            "curve_cold_ms": round(curve_cold, 1),
            "curve_warm_ms": round(curve_warm, 2),
            "area_page_cold_ms": round(area_cold, 1),
            "area_page_ms": round(area_warm, 1),
        }
        say(f"{name}: {figures[name]}")
    report({"db": database_version(), "insert_s": round(insert_seconds, 1), "areas": figures})


def markdown(rows: int, results: dict) -> str:
    today = dt.date.today().isoformat()
    lines = [
        "",
        f"## Case list and epidemic curve at {rows:,} cases ({today})",
        "",
        "`.venv/bin/python bench/bench_case_list.py --append` — cases in Cần Thơ's 83 "
        "communes over 123 days, 40 % of them in Ninh Kiều's 11 wards, one series; the real "
        "pages through the Django test client, signed in as the city's steering committee "
        "(every middleware). Median of 5 runs after a warm-up. *Cold*: Django's cache "
        "emptied before each run, so the curve groups the facts and the list counts its "
        "rows (counting stops at 100,000: “100,000+”). *Warm*: the area page has kept the "
        "daily split, from which the list reads its exact total. Page 1,000 is reached by "
        "its key (`after=`), as the “next” link carries it. No indicators were stored in "
        "this run, so the area page groups the facts itself.",
        "",
        "| machine | |",
        "|---|---|",
    ]
    info = machine()
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    for leg_name, result in results.items():
        lines += [f"| {leg_name} | {result['db']} |"]
    lines += [
        "",
        "| database | area | case rows | total shown cold / warm | list p. 1 cold | list p. 1 | "
        "list p. 1,000 | capped count | curve cold | curve cached | area page cold | "
        "area page |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for leg_name, result in results.items():
        for f in result["areas"].values():
            deep = f["deep_page_ms"]
            which = "" if f["deep_page"] == PAGE else f" (p. {f['deep_page']}, last)"
            lines.append(
                f"| {leg_name} | {f['area']} | {f['rows']:,} | "
                f"{f['total_cold']} / {f['total_warm']} | "
                f"{f['page_1_cold_ms']} ms | {f['page_1_ms']} ms | "
                f"{'—' if deep is None else f'{deep} ms{which}'} | {f['count_ms']} ms | "
                f"{f['curve_cold_ms']} ms | {f['curve_warm_ms']} ms | "
                f"{f['area_page_cold_ms']} ms | {f['area_page_ms']} ms |"
            )
    lines += [""]
    for leg_name, result in results.items():
        lines.append(f"Writing the {rows:,} rows on {leg_name}: {result['insert_s']} s.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--leg", help=argparse.SUPPRESS)
    parser.add_argument("--legs", default="sqlite,postgresql")
    parser.add_argument("--append", action="store_true", help="add the figures to RESULTS.md")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    if args.leg:
        leg(args.rows, args.explain)
        return
    extra = ["--rows", str(args.rows), *(["--explain"] if args.explain else [])]
    results = run_legs(__file__, args.legs.split(","), extra)
    text = markdown(args.rows, results)
    print(text)
    if args.append:
        with open(Path(__file__).with_name("RESULTS.md"), "a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
