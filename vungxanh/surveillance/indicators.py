"""Store the indicators of every area of a series, recomputed set-based from its facts.

One query per fact kind reads the current versions (or the versions known at a moment) of
a series, summed per area and day where a day has several rows (cases, test groups);
NumPy places them in ``areas × days`` matrices; the domain kernel
(``vungxanh.domain.indicators.compute``) does the rest. The work is partitioned by
province, so memory stays that of the largest province; the nation's row is computed from
day totals (flows) and every area's stocks, so it never needs the national matrices.

A row covers its province's facts: ``start`` is the first fact date in the province and
``days`` runs to 30 days after its last, whether the province was recomputed alone or with
the whole country. Only areas whose subtree has a fact get a row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from vungxanh.areas.models import Area
from vungxanh.domain.indicators import (
    CAPACITY_FIELDS,
    DETECTIONS,
    INDICATORS,
    VACCINATION_FIELDS,
    IndicatorInputs,
    compute,
    roll_up,
)
from vungxanh.lib.bulk import insert_rows
from vungxanh.surveillance.models import (
    CareCapacity,
    CaseRecord,
    DailyCount,
    ImportBatch,
    IndicatorSeries,
    Series,
    TestCount,
    VaccinationCoverage,
)

# A series is shown this many days past its last fact: the 7- and 14-day windows run out
# and the stocks hold, then the page says "no data" rather than extrapolating further.
TAIL_DAYS = 30
NAMES_JSON = json.dumps(list(INDICATORS))

# Daily flows: kind -> column -> (IndicatorInputs attribute, key in it or None).
FLOWS: dict[str, dict[str, tuple[str, str | None]]] = {
    "daily": {**{d: ("cases", d) for d in DETECTIONS}, "deaths": ("deaths", None)},
    "cases": {d: ("cases", d) for d in DETECTIONS},
    "tests": {"performed": ("tests_performed", None), "positive": ("tests_positive", None)},
}
# Stocks, reported now and then: kind -> (IndicatorInputs attribute, columns).
STOCKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "vaccination": ("vaccination", VACCINATION_FIELDS),
    "capacity": ("capacity", CAPACITY_FIELDS),
}
DAILY_COLUMNS = (*DETECTIONS, "deaths")


@dataclass
class Facts:
    """Aggregated facts of one kind: parallel arrays, one entry per (area, day[, group])."""

    area: np.ndarray  # area ids as read; positions in a Tree (or rows) once placed
    day: np.ndarray  # datetime64[D]
    values: dict[str, np.ndarray]  # column -> float64 (NaN where a stock was not given)

    def __len__(self) -> int:
        return len(self.day)

    def take(self, index) -> Facts:
        return Facts(
            self.area[index], self.day[index], {k: v[index] for k, v in self.values.items()}
        )


@dataclass
class Tree:
    """Areas in path order: every subtree is one contiguous slice."""

    ids: np.ndarray
    paths: list[str]
    parent: np.ndarray  # position of the parent, -1 for a root of the loaded set
    depth: np.ndarray  # absolute depth (0 = nation)
    population: np.ndarray  # NaN where unknown

    def positions(self, area_ids: np.ndarray) -> np.ndarray:
        """Return each id's position, -1 for ids outside the tree."""
        if not len(self.ids):
            return np.full(len(area_ids), -1, dtype=np.int64)
        order = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[order]
        found = np.searchsorted(sorted_ids, area_ids).clip(0, len(order) - 1)
        return np.where(sorted_ids[found] == area_ids, order[found], -1)

    def subtree(self, position: int) -> slice:
        path = self.paths[position]
        # Every path below "VN/92/" sorts before "VN/920": the slice ends there.
        return slice(position, bisect.bisect_left(self.paths, path[:-1] + "0"))


# --- reading -------------------------------------------------------------------------


def _versions(model: type[models.Model], series: Series, paths, moment):
    rows = model.objects.as_known_at(moment) if moment is not None else model.objects.current()
    rows = rows.filter(series=series)
    if paths is not None:
        rows = rows.filter(Q(*[Q(area__path__startswith=p) for p in paths], _connector=Q.OR))
    return rows.order_by()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic collector while a million result tuples are built.

    Each collection walks every live tuple, so with it on, fetching and transposing a
    national result takes several times longer; none of these objects is cyclic.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _columns(queryset) -> list[tuple]:
    """Run a values_list query on the raw cursor (no per-row ORM work); return its columns."""
    sql, params = queryset.query.sql_with_params()
    with _gc_paused(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not rows:
            return [()] * len(cursor.description)
        return list(zip(*rows, strict=True))


def _days(values: tuple) -> np.ndarray:
    """Return dates as datetime64[D], converting each distinct date once (there are few)."""
    distinct = list(set(values))
    index = {d: i for i, d in enumerate(distinct)}
    positions = np.fromiter(map(index.__getitem__, values), np.int64, len(values))
    return np.array(distinct, dtype="datetime64[D]")[positions]


def _to_facts(columns: list[tuple], by_area: bool, names: tuple[str, ...]) -> Facts:
    """Turn (area?, date, *values) columns into Facts."""
    n_rows = len(columns[0])
    area = np.array(columns[0], dtype=np.int64) if by_area else np.zeros(n_rows, np.int64)
    rest = columns[1:] if by_area else columns
    values = {n: np.array(v, dtype=np.float64) for n, v in zip(names, rest[1:], strict=True)}
    return Facts(area, _days(rest[0]), values)


def _case_facts(columns: list[tuple], by_area: bool) -> Facts:
    """Pivot (area?, date, detection, count) columns into one value column per detection."""
    facts = _to_facts([*columns[:-2], columns[-1]], by_area, ("count",))
    detection = np.array(columns[-2], dtype=object)
    count = facts.values.pop("count")
    facts.values = {d: np.where(detection == d, count, 0.0) for d in DETECTIONS}
    return facts


def load_facts(
    series: Series,
    paths: list[str] | None = None,
    as_known_at: dt.datetime | None = None,
    *,
    by_area: bool = True,
) -> dict[str, Facts]:
    """Read every fact kind of ``series`` under ``paths`` (all if None), one query each.

    With ``by_area=False`` the flows are summed per day only (what the nation needs);
    stocks are always per area, since they must be carried forward area by area.
    """
    keys = ["area_id"] if by_area else []

    def rows(model, date_field="date"):
        # On SQLite the day as text: Django's converter would parse every row's date in
        # Python (a second per million rows); _days parses each distinct day once.
        # PostgreSQL's driver reads dates in C (and its text form depends on DateStyle).
        sqlite = connection.vendor == "sqlite"
        day = Cast(date_field, models.CharField()) if sqlite else F(date_field)
        return _versions(model, series, paths, as_known_at).annotate(day=day)

    if by_area:
        # One current row per area and day (a unique constraint; likewise at any moment):
        # grouping would only sort a million rows. Repeats would still add up (bincount).
        daily = rows(DailyCount).values_list("area_id", "day", *DAILY_COLUMNS)
    else:
        daily = rows(DailyCount).values_list("day").annotate(*map(Sum, DAILY_COLUMNS))
    tests = rows(TestCount).values_list(*keys, "day").annotate(Sum("performed"), Sum("positive"))
    cases = (
        rows(CaseRecord, "confirmed_date")
        .values_list(*keys, "day", "detection")
        .annotate(Count("id"))
    )
    facts = {
        "daily": _to_facts(_columns(daily), by_area, DAILY_COLUMNS),
        "tests": _to_facts(_columns(tests), by_area, ("performed", "positive")),
        "cases": _case_facts(_columns(cases), by_area),
    }
    for kind, model in (("vaccination", VaccinationCoverage), ("capacity", CareCapacity)):
        names = STOCKS[kind][1]
        stocks = rows(model).values_list("area_id", "day", *names)
        facts[kind] = _to_facts(_columns(stocks), True, names)
    return facts


def load_tree(paths: list[str] | None = None) -> Tree:
    """Return the areas under ``paths`` (every area if None), current and closed."""
    rows = Area.objects.order_by()
    if paths is not None:
        rows = rows.filter(Q(*[Q(path__startswith=p) for p in paths], _connector=Q.OR))
    found = sorted(rows.values_list("path", "id", "parent_id", "population"))
    paths_sorted = [r[0] for r in found]
    ids = np.array([r[1] for r in found], dtype=np.int64)
    tree = Tree(
        ids=ids,
        paths=paths_sorted,
        parent=np.full(len(ids), -1, dtype=np.int64),
        depth=np.array([p.count("/") - 1 for p in paths_sorted], dtype=np.int64),
        population=np.array([r[3] for r in found], dtype=np.float64),
    )
    parent_ids = np.array([-1 if r[2] is None else r[2] for r in found], dtype=np.int64)
    tree.parent = tree.positions(parent_ids)
    return tree


# --- computing -------------------------------------------------------------------------


def _date_range(facts: dict[str, Facts]) -> tuple[np.datetime64, int] | None:
    """Return the first fact date and the number of days to the last one plus the tail."""
    days = [f.day for f in facts.values() if len(f)]
    if not days:
        return None
    first = min(d.min() for d in days)
    last = max(d.max() for d in days)
    return first, int((last - first).astype(np.int64)) + 1 + TAIL_DAYS


def _fill(inputs: IndicatorInputs, facts: dict[str, Facts], start: np.datetime64) -> None:
    """Place the facts (areas already as positions in ``inputs``) into the input matrices."""
    n_areas, n_days = len(inputs.population), inputs.n_days
    for kind, f in facts.items():
        if not len(f):
            continue
        day = (f.day - start).astype(np.int64)
        if kind in FLOWS:
            cell = f.area * n_days + day
            for column, (attribute, key) in FLOWS[kind].items():
                target = getattr(inputs, attribute)
                target = target[key] if key else target
                # bincount sums repeated cells (several detections or sample groups a day).
                target += np.bincount(cell, f.values[column], n_areas * n_days).reshape(
                    n_areas, n_days
                )
        else:
            attribute, columns = STOCKS[kind]
            for column in columns:
                getattr(inputs, attribute)[column][f.area, day] = f.values[column]


def _province_rows(
    tree: Tree, root: int, facts: dict[str, Facts]
) -> Iterator[tuple[int, dt.date, np.ndarray]]:
    """Yield (area id, start, float32 matrix) of every area under ``root`` with a fact.

    ``facts`` hold only this subtree's rows, with areas as positions in ``tree``.
    """
    date_range = _date_range(facts)
    if date_range is None:
        return
    start, n_days = date_range
    span = tree.subtree(root)
    parent = tree.parent[span]
    parent = np.where((parent >= span.start) & (parent < span.stop), parent - span.start, -1)
    depth = tree.depth[span] - tree.depth[root]
    has_fact = np.zeros((span.stop - span.start, 1))
    for f in facts.values():
        has_fact[f.area - span.start] = 1.0
    # An area with no fact below it adds nothing to its ancestors (zero flows, unknown
    # stocks): leave it out. A province reporting only its own totals is one row, not 200.
    keep = np.flatnonzero(roll_up(has_fact, parent, depth)[:, 0])
    index = np.full(len(parent), -1)
    index[keep] = np.arange(len(keep))
    kept_parent = np.where(parent[keep] >= 0, index[parent[keep]], -1)
    inputs = IndicatorInputs.empty(tree.population[span][keep], kept_parent, depth[keep], n_days)
    _fill(
        inputs,
        {k: Facts(index[f.area - span.start], f.day, f.values) for k, f in facts.items()},
        start,
    )
    # One contiguous (indicators × days) block per area, in the layout IndicatorSeries reads.
    per_area = np.ascontiguousarray(compute(inputs).astype(np.float32).transpose(1, 0, 2))
    first = start.item()
    for i, position in enumerate(keep):
        yield int(tree.ids[span.start + position]), first, per_area[i]


def nation_matrix(
    population: int | None, facts: dict[str, Facts]
) -> tuple[dt.date, np.ndarray] | None:
    """Return (start, float32 matrix) of the whole country, or None without facts.

    Flows are summed per day into one national row; every area with a stock becomes a
    child of that row, so stocks are carried forward area by area and then added up,
    exactly as through the full tree.
    """
    date_range = _date_range(facts)
    if date_range is None:
        return None
    start, n_days = date_range
    stock_ids = np.unique(np.concatenate([facts[k].area for k in STOCKS]))
    n_rows = 1 + len(stock_ids)
    parent = np.zeros(n_rows, dtype=np.int64)
    parent[0] = -1
    depth = np.ones(n_rows, dtype=np.int64)
    depth[0] = 0
    people = np.full(n_rows, np.nan)
    people[0] = np.nan if population is None else population
    inputs = IndicatorInputs.empty(people, parent, depth, n_days)
    placed = {}
    for kind, f in facts.items():
        row = 1 + np.searchsorted(stock_ids, f.area) if kind in STOCKS else np.zeros_like(f.area)
        placed[kind] = Facts(row, f.day, f.values)
    _fill(inputs, placed, start)
    return start.item(), compute(inputs)[:, 0, :].astype(np.float32)


def _by_root(tree: Tree, roots: list[int], facts: dict[str, Facts]) -> Iterator[tuple]:
    """Split the facts (area ids) by subtree and yield each subtree's rows."""
    placed = {}
    for kind, f in facts.items():
        position = tree.positions(f.area)
        order = np.argsort(position, kind="stable")
        placed[kind] = (position[order], f.take(order))
    for root in roots:
        span = tree.subtree(root)
        mine = {}
        for kind, (position, f) in placed.items():
            lo, hi = np.searchsorted(position, [span.start, span.stop])
            part = f.take(slice(lo, hi))
            mine[kind] = Facts(position[lo:hi], part.day, part.values)
        yield from _province_rows(tree, root, mine)


# --- storing ---------------------------------------------------------------------------


def _nation() -> Area | None:
    return Area.objects.filter(parent__isnull=True).order_by("id").first()


@transaction.atomic
def recompute(
    series: Series,
    *,
    provinces: list[Area] | None = None,
    as_known_at: dt.datetime | None = None,
) -> int:
    """Recompute and store the indicators of ``series`` in ``provinces`` (all if None).

    The nation's row is refreshed too: from the same facts when everything is recomputed,
    otherwise from one national query of day totals (flows) and stocks. With
    ``as_known_at`` the facts are the versions known then (a replay): the stored rows
    then show that moment until the next recompute. Returns the number of rows written.
    """
    # One recompute of a series at a time: two imports in different provinces both
    # rewrite the nation's row, and the second must read the first one's facts.
    # (A row lock on PostgreSQL; SQLite already runs one writing transaction at a time.)
    Series.objects.select_for_update().get(pk=series.pk)
    paths = None if provinces is None else sorted({p.path for p in provinces})
    tree = load_tree(paths)
    facts = load_facts(series, paths, as_known_at)
    if paths is None:
        roots = [int(i) for i in np.flatnonzero(tree.depth == 1)]
        national = facts
    else:
        roots = [tree.paths.index(p) for p in paths]
        national = load_facts(series, None, as_known_at, by_area=False)
    nation = _nation()

    def rows():
        if nation is not None:
            found = nation_matrix(nation.population, national)
            if found is not None:
                yield nation.pk, *found
        yield from _by_root(tree, roots, facts)

    stored = IndicatorSeries.objects.filter(series=series)
    if paths is not None:
        scope = Q(*[Q(area__path__startswith=p) for p in paths], _connector=Q.OR)
        stored = stored.filter(scope | Q(area=nation))
    stored.delete()
    return _store(series, rows())


STORED_FIELDS = ("area", "series", "start", "days", "names", "data", "computed_at")


def _store(series: Series, rows: Iterator[tuple[int, dt.date, np.ndarray]]) -> int:
    """Insert one IndicatorSeries row per (area id, start, matrix); return how many."""
    now = models.DateTimeField().get_db_prep_value(timezone.now(), connection)
    if connection.vendor == "postgresql":
        return _copy_binary(
            (area, series.pk, start, m.shape[1], list(INDICATORS), m.tobytes(), now)
            for area, start, m in rows
        )
    return insert_rows(
        IndicatorSeries,
        [f"{f}_id" if f in ("area", "series") else f for f in STORED_FIELDS],
        (
            (area, series.pk, start, m.shape[1], NAMES_JSON, m.tobytes(), now)
            for area, start, m in rows
        ),
    )


def _copy_binary(rows: Iterator[tuple]) -> int:
    """COPY the rows in binary, with lz4 TOAST compression where the server has it.

    A national recompute writes about 400 MB of matrices: text COPY (hex) and the default
    pglz compression took 8 s of it, binary and lz4 1 s (bench/RESULTS.md).
    """
    fields = [IndicatorSeries._meta.get_field(f) for f in STORED_FIELDS]
    table = connection.ops.quote_name(IndicatorSeries._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if (cursor.fetchone() or (False,))[0]:
            cursor.execute("SET LOCAL default_toast_compression = lz4")
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([f.db_type(connection) for f in fields])
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _province_path(path: str) -> str:
    """Return the path of the province holding ``path`` ("VN/92/916/" -> "VN/92/")."""
    return "/".join(path.split("/")[:2]) + "/"


def recompute_after(batch: ImportBatch) -> int:
    """Recompute the batch's series in the province(s) it touched (all under the nation)."""
    paths = {batch.area.path}
    if batch.kind == "cases":
        # A correction may move a case to another province: that one changed too.
        moved = CaseRecord.objects.filter(superseded_by=batch).values_list("area__path", flat=True)
        paths |= set(moved.distinct())
    from vungxanh.surveillance.rt import recompute_rt  # rt imports this module

    if any(p.count("/") < 2 for p in paths):
        written = recompute(batch.series)
        recompute_rt(batch.series)
        return written
    provinces = list(Area.objects.filter(path__in={_province_path(p) for p in paths}))
    written = recompute(batch.series, provinces=provinces)
    recompute_rt(batch.series, provinces=provinces)
    return written
