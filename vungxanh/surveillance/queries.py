"""Reads behind the epidemic pages, the case list, the API and the exports.

Every read starts from ``Model.objects.for_user(user, "view")``. The heavy reads are
set-based: one GROUP BY for the daily split of cases by place of detection, one query for
a district's children's indicator series, and keyset pagination for the case list so that
any page costs what the first one costs, at a million rows as at a thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.domain.indicators import DETECTIONS
from vungxanh.surveillance.indicators import TAIL_DAYS
from vungxanh.surveillance.models import (
    RT_ROWS,
    CasePerson,
    CaseRecord,
    DailyCount,
    ImportBatch,
    IndicatorSeries,
    OfficialSeries,
    Reported,
    RtSeries,
    Series,
)

# The date field that orders and filters each kind of fact.
DATE_FIELD = {
    "cases": "confirmed_date",
    "daily": "date",
    "tests": "date",
    "vaccination": "date",
    "capacity": "date",
}
DEFAULT_TABLE_DAYS = 28
SPARKLINE_DAYS = 28
# Counting stops here; a larger total is shown as "more than" (the first page stays fast).
COUNT_CAP = 100_000
PERSON_MODEL = "surveillance.caseperson"


# -- areas ---------------------------------------------------------------------------------
def visible_areas(user):
    return Area.objects.for_user(user, "view").current()


def subtree_ids(area: Area):
    """Every unit under ``area`` (itself included, old units too), as a subquery of ids.

    Old (merged) units keep their path under the same parent, so figures reported under
    them still count for the territory.
    """
    return Area.objects.filter(path__startswith=area.path).values("id")


def may_see_people(user, area: Area | None) -> bool:
    """Whether the personal columns (name, phone, ID, address) may be shown for ``area``."""
    return can(user, PERSON_MODEL, "view", area)


# -- series --------------------------------------------------------------------------------
def series_for_area(user, area: Area) -> list[Series]:
    """Return the series with data in ``area`` or under it, first by ``Series.priority``.

    An indicator series stored for the area settles it. Facts not folded into indicators
    yet are found through their import batches: a batch whose area lies in the subtree
    has rows there; a batch of an ancestor (a city-wide file) is checked for rows in the
    subtree. Batches are read only to learn which series exist; the rows are scoped.
    """
    from vungxanh.surveillance.services import MODELS

    found = set(
        IndicatorSeries.objects.for_user(user, "view")
        .filter(area=area)
        .values_list("series_id", flat=True)
    )
    committed = ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED)
    found |= set(
        committed.filter(area__path__startswith=area.path)
        .order_by()
        .values_list("series_id", flat=True)
        .distinct()
    )
    above = (
        committed.filter(area__path__in=area.ancestor_paths())
        .exclude(series_id__in=found)
        .order_by()
        .values_list("series_id", "kind", "id")
    )
    candidates: dict[tuple[int, str], list[int]] = {}
    for series_id, kind, batch_id in above:
        candidates.setdefault((series_id, kind), []).append(batch_id)
    # A series whose indicators were computed would have a row here if it had data.
    computed = {
        series_id
        for series_id in {sid for sid, _kind in candidates}
        if IndicatorSeries.objects.filter(series_id=series_id).exists()
    }
    for (series_id, kind), batch_ids in candidates.items():
        if series_id in found or series_id in computed:
            continue
        model = MODELS.get(kind, DailyCount)
        rows = model.objects.for_user(user, "view").filter(
            batch_id__in=batch_ids, area_id__in=subtree_ids(area)
        )
        if rows.exists():
            found.add(series_id)
    return list(Series.objects.filter(pk__in=found))


def official_series(area: Area) -> OfficialSeries | None:
    """Return the designation in force for ``area``: its own, else its nearest ancestor's.

    Read without scoping: a ward shows the series its city designated even to a user who
    may not open the city's designation page.
    """
    paths = [area.path, *area.ancestor_paths()]
    rows = OfficialSeries.objects.filter(area__path__in=paths).select_related("series", "area")
    return max(rows, key=lambda row: len(row.area.path), default=None)


def _most_cases(area: Area, options: list[Series]) -> Series:
    """The series counting the most cases in ``area`` (then by priority): no designation.

    A handful of test cases imported into another series does not outweigh the series
    the area's figures have been read from.
    """
    totals: dict[int, float] = {}
    for ind in IndicatorSeries.objects.filter(area=area, series__in=options):
        if ind.days and "cumulative_cases" in ind.names:
            column = ind.values("cumulative_cases")
            known = column[~np.isnan(column)]
            totals[ind.series_id] = float(known[-1]) if len(known) else 0.0
    return min(options, key=lambda s: (-totals.get(s.pk, 0.0), s.priority, s.code))


def pick_series(
    options: list[Series], code: str | None, *, area: Area | None = None
) -> Series | None:
    """Return the series named by ``code`` among ``options``, else the default one.

    With ``area``, the default is the area's official series (``official_series``) when
    it has one, else the one counting the most cases there; without, the first option.
    A designated series without data here is still the default (its page says so).
    """
    for series in options:
        if series.code == code:
            return series
    if area is not None:
        official = official_series(area)
        if official is not None:
            if official.series not in options:
                options.insert(0, official.series)
            return official.series
        if options:
            return _most_cases(area, options)
    return options[0] if options else None


# -- which series may draw an area's curve --------------------------------------------------
# The curve of an area adds up the rows of its subtree. That is the area's curve only when
# the series reports the whole area: rows at the area itself (a figure for the area as a
# whole: the Ministry's national series, a city bulletin), rows in every unit directly under
# it, or an area above it reported as a whole (a city-wide series reports each of its wards
# it has rows for, even a commune without a case). A series with rows in some units only (a
# province's simulation under the country) would draw a part as the whole, so it draws no
# curve there. A designation (``official_series``) does not change this: it says which
# series to read, not that a series counts units it never reported.
CURVE_MODELS = (CaseRecord, DailyCount)


def _has_flows(series: Series, **where) -> bool:
    """Whether ``series`` has current case rows or daily counts matching ``where``."""
    return any(m.objects.current().filter(series=series, **where).exists() for m in CURVE_MODELS)


def units_with_figures(series: Series, area: Area) -> list[Area]:
    """The current units directly under ``area`` with figures of ``series`` in their subtree.

    Once the series' indicators are computed here, a unit has figures exactly when it has
    indicators (they are stored for every area whose subtree has a fact): one query. Before,
    the facts of each unit are asked.
    """
    children = list(Area.objects.current().filter(parent=area).order_by("code"))
    stored = IndicatorSeries.objects.filter(series=series, area__in=[area, *children])
    indexed = set(stored.values_list("area_id", flat=True))
    if area.pk in indexed:
        return [c for c in children if c.pk in indexed]
    return [c for c in children if _has_flows(series, **_subtree_filter(c))]


def _reports_whole(series: Series, area: Area) -> bool:
    """Whether ``series`` reports ``area`` itself, or every unit directly under it."""
    if _has_flows(series, area=area):
        return True
    children = Area.objects.current().filter(parent=area).count()
    return children > 0 and len(units_with_figures(series, area)) == children


def covers(series: Series, area: Area) -> bool:
    """Whether ``series`` reports the whole of ``area`` or of an area above it.

    The caller knows the series has rows in ``area``'s subtree (``series_for_area``).
    """
    above = Area.objects.filter(path__in=area.ancestor_paths()).order_by("-path")
    return any(_reports_whole(series, a) for a in [area, *above])


def curve_series(user, area: Area) -> tuple[list[Series], list[Series]]:
    """The series with rows under ``area``: those that may draw its curve, and the others."""
    options = series_for_area(user, area)
    covering = [s for s in options if covers(s, area)]
    return covering, [s for s in options if s not in covering]


def pick_curve_series(
    covering: list[Series], partial: list[Series], code: str | None, area: Area
) -> Series | None:
    """``pick_series`` among the covering series; a partial one is never the default.

    A designated series that covers only part of the area leaves the choice to the data
    (the covering series counting the most cases).
    """
    official = official_series(area)
    if official is not None and official.series in partial:
        chosen = next((s for s in covering if s.code == code), None)
        return chosen or (_most_cases(area, covering) if covering else None)
    return pick_series(covering, code, area=area)


# -- dates ---------------------------------------------------------------------------------
def today() -> dt.date:
    return timezone.localdate()


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _nan_to_none(value: float) -> float | int | None:
    """NaN (undefined) becomes None; a whole number becomes an int (so 12 shows as 12)."""
    if value is None or np.isnan(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def tidy(values: dict[str, float | None]) -> dict[str, float | int | None]:
    return {name: _nan_to_none(v) for name, v in values.items()}


# -- one area's epidemic -------------------------------------------------------------------
# The stored indicators that hold the daily cases of each place of detection. When a
# series' stored rows name them all, the curve is read from there (O(days), no query of
# the facts); otherwise the facts are grouped (``detection_split``).
SPLIT_INDICATORS = {
    "community": "new_community",
    "quarantine": "new_quarantine",
    "home_isolation": "new_home_isolation",
    "lockdown": "new_lockdown",
    "imported": "new_imported",
    "unknown": "new_unknown",
}
SPLIT_CACHE_SECONDS = 3600


def _counts(per_day: dict[dt.date, dict[str, int]], start: dt.date, days: int):
    counts = {d: np.zeros(days, dtype=np.int64) for d in DETECTIONS}
    for day, values in per_day.items():
        for d in DETECTIONS:
            counts[d][(day - start).days] = values[d]
    return counts


@dataclass
class DailySplit:
    """New cases per day by place of detection, line-list and daily-count rows together.

    ``line_list`` holds the part counted from case rows alone (None when the split was
    read from stored indicators, which do not tell the two apart).
    """

    start: dt.date | None
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    line_list: dict[str, np.ndarray] | None = None

    @property
    def days(self) -> int:
        return len(next(iter(self.counts.values()))) if self.counts else 0

    @property
    def end(self) -> dt.date | None:
        return self.start + dt.timedelta(days=self.days - 1) if self.start else None

    def on(self, day: dt.date) -> dict[str, int]:
        offset = (day - self.start).days if self.start else -1
        if not 0 <= offset < self.days:
            return dict.fromkeys(DETECTIONS, 0)
        return {d: int(self.counts[d][offset]) for d in DETECTIONS}

    def case_rows(
        self, first: dt.date | None, last: dt.date | None, detection: str = ""
    ) -> int | None:
        """Return how many case rows lie between ``first`` and ``last`` (None: unknown)."""
        if self.line_list is None:
            return None
        if self.start is None:
            return 0
        lo = max((first - self.start).days, 0) if first else 0
        hi = min((last - self.start).days + 1, self.days) if last else self.days
        wanted = [detection] if detection else DETECTIONS
        return int(sum(self.line_list[d][lo:hi].sum() for d in wanted)) if hi > lo else 0

    def as_plain(self) -> dict:
        plain = lambda c: {d: v.tolist() for d, v in c.items()}  # noqa: E731
        return {
            "start": self.start,
            "counts": plain(self.counts),
            "line_list": None if self.line_list is None else plain(self.line_list),
        }

    @classmethod
    def from_plain(cls, value: dict) -> DailySplit:
        arrays = lambda c: {d: np.array(v, dtype=np.int64) for d, v in c.items()}  # noqa: E731
        line_list = value["line_list"]
        return cls(value["start"], arrays(value["counts"]), line_list and arrays(line_list))

    @classmethod
    def from_indicators(cls, ind: IndicatorSeries, last: dt.date) -> DailySplit | None:
        """Read the split from stored indicators, if they hold it (see SPLIT_INDICATORS)."""
        if not ind.days or not all(n in ind.names for n in SPLIT_INDICATORS.values()):
            return None
        matrix = ind.matrix()
        days = min((last - ind.start).days + 1, ind.days)
        counts = {
            d: np.nan_to_num(matrix[ind.names.index(n), :days]).astype(np.int64)
            for d, n in SPLIT_INDICATORS.items()
        }
        return cls(ind.start, counts)


def _subtree_filter(area: Area) -> dict:
    """Return the ``area_id`` filter of ``area``'s subtree, in the form the planner likes.

    The ids themselves when they are few (SQLite then walks the (area, date) index of
    each instead of scanning by date); a subquery for a large subtree.
    """
    cached = getattr(area, "_vx_subtree_filter", None)
    if cached is None:
        ids = list(subtree_ids(area).values_list("id", flat=True)[: SUBTREE_LITERAL_MAX + 1])
        many = len(ids) > SUBTREE_LITERAL_MAX
        cached = {"area_id__in": subtree_ids(area) if many else ids}
        area._vx_subtree_filter = cached
    return cached


SUBTREE_LITERAL_MAX = 2000


def _split_cache_key(user, area: Area, series: Series, first, last) -> str | None:
    """Return a cache key for the split, or None when it may not be shared.

    Shared only when the user may read the whole subtree (then the figures do not depend
    on who asks); the key carries the series' last import and undo, so any change to the
    facts of the series makes a new key.
    """
    if not (
        can(user, "surveillance.caserecord", "view", area)
        and can(user, "surveillance.dailycount", "view", area)
    ):
        return None
    version = ImportBatch.objects.filter(series=series).aggregate(
        last=models.Max("id"),
        n=Count("id"),
        created=models.Max("created_at"),
        undone=models.Max("undone_at"),
    )
    stamp = lambda moment: moment.timestamp() if moment else 0  # noqa: E731
    return (
        f"vx:split:{area.pk}:{series.pk}:{first}:{last}:{version['last']}:{version['n']}:"
        f"{stamp(version['created'])}:{stamp(version['undone'])}"
    )


def detection_split(
    user,
    area: Area,
    series: Series,
    first: dt.date | None = None,
    last: dt.date | None = None,
    *,
    cached_only: bool = False,
) -> DailySplit | None:
    """Sum the cases of ``area``'s subtree per day and place of detection.

    Two set-based queries: the current line-list rows grouped by confirmed date and
    detection (served by the (area, confirmed_date) index), and the current daily counts
    summed per date. The result is kept in the cache until the series changes. With
    ``cached_only``, return None instead of querying.
    """
    key = _split_cache_key(user, area, series, first, last)
    found = cache.get(key) if key else None
    if found is not None:
        return DailySplit.from_plain(found)
    if cached_only:
        return None
    where = {"series": series, **_subtree_filter(area)}
    cases = CaseRecord.objects.for_user(user, "view").current().filter(**where)
    daily = DailyCount.objects.for_user(user, "view").current().filter(**where)
    if first:
        cases = cases.filter(confirmed_date__gte=first)
        daily = daily.filter(date__gte=first)
    if last:
        cases = cases.filter(confirmed_date__lte=last)
        daily = daily.filter(date__lte=last)
    per_day: dict[dt.date, dict[str, int]] = {}
    listed: dict[dt.date, dict[str, int]] = {}
    for day, detection, n in (
        cases.order_by().values_list("confirmed_date", "detection").annotate(n=Count("id"))
    ):
        per_day.setdefault(day, dict.fromkeys(DETECTIONS, 0))[detection] += n
        listed.setdefault(day, dict.fromkeys(DETECTIONS, 0))[detection] += n
    sums = daily.order_by().values("date").annotate(**{f"n_{d}": Sum(d) for d in DETECTIONS})
    for row in sums:
        counts = per_day.setdefault(row["date"], dict.fromkeys(DETECTIONS, 0))
        for d in DETECTIONS:
            counts[d] += row[f"n_{d}"] or 0
    if per_day:
        start = min(per_day)
        days = (max(per_day) - start).days + 1
        split = DailySplit(start, _counts(per_day, start, days), _counts(listed, start, days))
    else:
        split = DailySplit(None, line_list={d: np.zeros(0, dtype=np.int64) for d in DETECTIONS})
    if key:
        cache.set(key, split.as_plain(), SPLIT_CACHE_SECONDS)
    return split


class AreaEpidemic:
    """What the epidemic page of one area shows, read once per request."""

    def __init__(self, user, area: Area, series: Series | None, *, until: dt.date | None = None):
        self.user = user
        self.area = area
        self.series = series
        # The "as of" day: nothing after it is shown (default: today).
        self.until = until

    @cached_property
    def indicators(self) -> IndicatorSeries | None:
        if self.series is None:
            return None
        return (
            IndicatorSeries.objects.for_user(self.user, "view")
            .filter(area=self.area, series=self.series)
            .first()
        )

    @cached_property
    def matrix(self) -> np.ndarray | None:
        return self.indicators.matrix() if self.indicators else None

    @cached_property
    def split(self) -> DailySplit:
        if self.series is None:
            return DailySplit(None)
        if self.indicators is not None and self._facts_end is not None:
            stored = DailySplit.from_indicators(self.indicators, self._facts_end)
            if stored is not None:
                return stored
        return detection_split(self.user, self.area, self.series)

    @property
    def first_day(self) -> dt.date | None:
        days = [d for d in (self.split.start, self._ind_start) if d]
        return min(days) if days else None

    @property
    def last_day(self) -> dt.date | None:
        """The last day with a reported fact (not the indicators' run-out days after it).

        Read from the stored indicators when there are some (no query of the facts).
        """
        if self.indicators is not None:
            return self._facts_end
        return self.split.end

    @property
    def _ind_start(self) -> dt.date | None:
        return self.indicators.start if self.indicators else None

    @property
    def _facts_end(self) -> dt.date | None:
        # Stored indicators run TAIL_DAYS past the province's last fact, so the 7- and
        # 14-day windows can run out; the figures themselves end before that.
        ind = self.indicators
        if ind is None or not ind.days:
            return None
        return ind.start + dt.timedelta(days=max(ind.days - 1 - TAIL_DAYS, 0))

    def default_end(self) -> dt.date | None:
        """The last day with figures, or the "as of" day (today) if they run on past it."""
        last = self.last_day
        return min(last, self.until or today()) if last else None

    def value(self, name: str, day: dt.date) -> float | None:
        ind = self.indicators
        if ind is None or name not in ind.names:
            return None
        offset = (day - ind.start).days
        if not 0 <= offset < ind.days:
            return None
        return _nan_to_none(self.matrix[ind.names.index(name), offset])

    def on(self, day: dt.date) -> dict[str, float | int | None]:
        """Every indicator on ``day`` ({} if the series has no indicators here)."""
        return tidy(self.indicators.on(day)) if self.indicators else {}

    def values(self, name: str, days: list[dt.date]) -> list[float | None]:
        return [self.value(name, d) for d in days]

    def chart(self, first: dt.date | None = None, last: dt.date | None = None) -> dict:
        """Return the data of the epidemic curve: daily bars by detection, incidence line."""
        first = first or self.first_day
        last = last or self.default_end()
        if first is None or last is None or last < first:
            return {"dates": [], "detections": {}, "incidence": []}
        days = date_range(first, last)
        split = self.split
        return {
            "dates": [d.strftime("%d/%m/%Y") for d in days],
            "detections": {d: [split.on(day)[d] for day in days] for d in DETECTIONS},
            "incidence": [
                None if v is None else round(v, 2)
                for v in self.values("community_incidence_7d", days)
            ],
        }

    @cached_property
    def rt(self) -> RtSeries | None:
        if self.series is None:
            return None
        return (
            RtSeries.objects.for_user(self.user, "view")
            .filter(area=self.area, series=self.series)
            .first()
        )

    def rt_chart(self, first: dt.date | None, last: dt.date | None) -> dict:
        """Return the Rt mean and its 95% interval on each day from ``first`` to ``last``."""
        if self.rt is None or first is None or last is None or last < first:
            return {"dates": [], "mean": [], "low": [], "high": []}
        days = date_range(first, last)
        matrix = self.rt.matrix()

        def values(row: str) -> list[float | None]:
            out = []
            for day in days:
                j = (day - self.rt.start).days
                v = matrix[RT_ROWS.index(row), j] if 0 <= j < self.rt.days else np.nan
                out.append(None if np.isnan(v) else round(float(v), 3))
            return out

        return {
            "dates": [d.strftime("%d/%m/%Y") for d in days],
            "mean": values("mean"),
            "low": values("q025"),
            "high": values("q975"),
        }

    def table(self, first: dt.date, last: dt.date) -> list[dict]:
        """Return one row per day, newest first, with the page's indicator columns."""
        rows = []
        for day in reversed(date_range(first, last)):
            split = self.split.on(day)
            ind = self.on(day)
            rows.append({"date": day, "split": split, "cases": sum(split.values()), "ind": ind})
        return rows


# -- a district's units --------------------------------------------------------------------
@dataclass
class UnitRow:
    area: Area
    sparkline: list[int]
    new_cases_28d: int | None
    cumulative_cases: float | None
    community_incidence_7d: float | None
    community_incidence_14d: float | None
    days_since_community_case: float | None
    rt: dict | None = None  # RtSeries.latest(): Rt with its 95% interval and trend

    @property
    def has_data(self) -> bool:
        return self.cumulative_cases is not None

    def points(self, width: int = 112, height: int = 24) -> str:
        return sparkline_points(self.sparkline, width, height)


def _unit_row(area: Area, ind: IndicatorSeries | None, on: dt.date) -> UnitRow:
    if ind is None:
        return UnitRow(area, [], None, None, None, None, None)
    matrix = ind.matrix()

    def at(name: str, day: dt.date) -> float | None:
        offset = (day - ind.start).days
        if name not in ind.names or not 0 <= offset < ind.days:
            return None
        return _nan_to_none(matrix[ind.names.index(name), offset])

    days = date_range(on - dt.timedelta(days=SPARKLINE_DAYS - 1), on)
    daily = [int(at("new_cases", d) or 0) for d in days]
    cumulative = at("cumulative_cases", on)
    if cumulative is None and on > ind.start:
        cumulative = at("cumulative_cases", ind.start + dt.timedelta(days=ind.days - 1))
    return UnitRow(
        area,
        daily,
        sum(daily),
        cumulative,
        at("community_incidence_7d", on),
        at("community_incidence_14d", on),
        at("days_since_community_case", on),
    )


def overview_day(user, area: Area, series: Series, until: dt.date | None = None) -> dt.date | None:
    """The last day of the area's figures (or of its units'), not after ``until`` (today)."""
    epidemic = AreaEpidemic(user, area, series, until=until)
    if epidemic.indicators is not None:
        return epidemic.default_end()
    ends = [
        s.start + dt.timedelta(days=max(s.days - 1 - TAIL_DAYS, 0))
        for s in IndicatorSeries.objects.for_user(user, "view")
        .filter(series=series, area__parent=area)
        .only("start", "days")
        if s.days
    ]
    return min(max(ends), until or today()) if ends else None


SORT_KEYS = {
    "name": lambda r: r.area.folded_name or r.area.name,
    "cases28": lambda r: r.new_cases_28d,
    "incidence7": lambda r: r.community_incidence_7d,
    "incidence14": lambda r: r.community_incidence_14d,
    "days_since": lambda r: r.days_since_community_case,
    "cumulative": lambda r: r.cumulative_cases,
}


def unit_rows(
    user, area: Area, series: Series, on: dt.date, sort: str = "name"
) -> tuple[list[UnitRow], UnitRow]:
    """Return a row per child unit of ``area`` (sorted) and the row of ``area`` itself."""
    children = list(visible_areas(user).filter(parent=area).order_by("code"))
    stored = {
        s.area_id: s
        for s in IndicatorSeries.objects.for_user(user, "view").filter(
            series=series, area_id__in=[a.pk for a in children] + [area.pk]
        )
    }
    rt = {
        r.area_id: r.latest(on)
        for r in RtSeries.objects.for_user(user, "view").filter(
            series=series, area_id__in=[a.pk for a in children] + [area.pk]
        )
    }
    rows = [_unit_row(child, stored.get(child.pk), on) for child in children]
    for row in rows:
        row.rt = rt.get(row.area.pk)
    descending = sort.startswith("-")
    key = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS["name"])
    # Units without figures go last whichever way the column is sorted.
    known = sorted((r for r in rows if key(r) is not None), key=key, reverse=descending)
    total = _unit_row(area, stored.get(area.pk), on)
    total.rt = rt.get(area.pk)
    return known + [r for r in rows if key(r) is None], total


def sparkline_points(values: list[int], width: int, height: int) -> str:
    """Return SVG polyline points drawing ``values`` in a width × height box (1 px margin)."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = (width - 2) / max(len(values) - 1, 1)
    return " ".join(
        f"{1 + i * step:.1f},{height - 1 - v / top * (height - 2):.1f}"
        for i, v in enumerate(values)
    )


# -- the case list -------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilters:
    area: Area | None = None
    series: Series | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    detection: str = ""
    q: str = ""
    # The end of the "as of" day: each case as it was known then (None: as known now).
    known_at: dt.datetime | None = None


def as_known_at(rows, moment: dt.datetime):
    """The version of each fact that was current at ``moment``.

    A fact first recorded after ``moment`` (a history loaded later, as in the demo) is
    shown in its current version: only where versions existed at ``moment`` does an
    earlier one stand in for a later correction.
    """
    model = rows.model
    then = Q(recorded_at__lte=moment) & (
        Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment)
    )
    key = {f: models.OuterRef(f) for f in model.NATURAL_KEY}
    known_then = model.objects.filter(then, **key)
    later = Q(superseded_at__isnull=True, recorded_at__gt=moment) & ~models.Exists(known_then)
    return rows.filter(then | later)


def filtered_cases(user, filters: CaseFilters):
    """Return the case rows ``user`` may read that match ``filters`` (unordered)."""
    rows = CaseRecord.objects.for_user(user, "view")
    rows = rows.current() if filters.known_at is None else as_known_at(rows, filters.known_at)
    if filters.area is not None:
        rows = rows.filter(**_subtree_filter(filters.area))
    if filters.series is not None:
        rows = rows.filter(series=filters.series)
    if filters.first:
        rows = rows.filter(confirmed_date__gte=filters.first)
    if filters.last:
        rows = rows.filter(confirmed_date__lte=filters.last)
    if filters.detection:
        rows = rows.filter(detection=filters.detection)
    if filters.q:
        match = Q(case_code__istartswith=filters.q)
        if may_see_people(user, filters.area):
            identities = CasePerson.objects.for_user(user, "view").current()
            people = identities.filter(
                Q(full_name__icontains=filters.q)
                | Q(phone__contains=filters.q)
                | Q(id_number=filters.q)
            )
            match |= Q(case_code__in=people.values("case_code"))
        rows = rows.filter(match)
    return rows


@dataclass(frozen=True)
class Key:
    """A position in a list ordered by (date desc, id desc)."""

    day: dt.date
    pk: int

    def __str__(self) -> str:
        return f"{self.day.isoformat()}.{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> Key | None:
        if not text:
            return None
        day, _sep, pk = text.partition(".")
        try:
            return cls(dt.date.fromisoformat(day), int(pk))
        except ValueError:
            return None


def _row_compare(model: type[models.Model], date_field: str, op: str, key: Key):
    """``(date, id) <op> (key)`` as one SQL row-value comparison.

    Written as a row value (PostgreSQL and SQLite both support it) so that the database
    walks the (date, id) index from the key instead of filtering from the top.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field(date_field).column)
    sql = f"({table}.{column}, {table}.{quote('id')}) {op} (%s, %s)"
    return RawSQL(sql, (key.day, key.pk), output_field=models.BooleanField())


@dataclass
class KeysetPage:
    rows: list
    next_key: Key | None
    previous_key: Key | None
    is_first: bool


def keyset_page(
    rows,
    size: int,
    *,
    date_field: str,
    after: Key | None = None,
    before: Key | None = None,
) -> KeysetPage:
    """Return ``size`` rows ordered by (date desc, id desc) after or before a key.

    ``after`` gives the next page, ``before`` the previous one; neither, the first. Each
    page is one indexed range read, whatever its position in the list.
    """
    model = rows.model
    if before is not None:
        chunk = list(
            rows.filter(_row_compare(model, date_field, ">", before)).order_by(date_field, "id")[
                : size + 1
            ]
        )
        more_before = len(chunk) > size
        chunk = list(reversed(chunk[:size]))
        is_first = not more_before
        has_next = True
    else:
        if after is not None:
            rows = rows.filter(_row_compare(model, date_field, "<", after))
        chunk = list(rows.order_by(f"-{date_field}", "-id")[: size + 1])
        has_next = len(chunk) > size
        chunk = chunk[:size]
        is_first = after is None
    key = lambda r: Key(getattr(r, date_field), r.pk)  # noqa: E731
    return KeysetPage(
        rows=chunk,
        next_key=key(chunk[-1]) if chunk and has_next else None,
        previous_key=key(chunk[0]) if chunk and not is_first else None,
        is_first=is_first,
    )


@dataclass(frozen=True)
class Total:
    value: int
    exact: bool


def case_total(user, filters: CaseFilters, rows) -> Total:
    """Return the number of cases matching ``filters``: exact and cheap if it can be.

    The daily split of the area (kept in the cache by the area page) counts every case
    row by day and detection, so without a text search the total is read from it;
    otherwise the rows are counted up to ``COUNT_CAP``.
    """
    if (
        not filters.q
        and filters.known_at is None
        and filters.area is not None
        and filters.series is not None
    ):
        split = detection_split(user, filters.area, filters.series, cached_only=True)
        if split is not None:
            n = split.case_rows(filters.first, filters.last, filters.detection)
            if n is not None:
                return Total(n, True)
    return capped_count(rows)


def capped_count(rows, cap: int | None = None) -> Total:
    """Count up to ``cap`` rows; beyond it, say "more than ``cap``" instead of counting."""
    cap = COUNT_CAP if cap is None else cap
    n = rows.order_by().values("id")[: cap + 1].count()
    return Total(min(n, cap), n <= cap)


def people_for(user, codes: list[str]) -> dict[str, CasePerson]:
    """Return the personal records of ``codes`` that ``user`` may read (may be none)."""
    if not codes:
        return {}
    rows = CasePerson.objects.for_user(user, "view").current().filter(case_code__in=codes)
    return {p.case_code: p for p in rows}


def facts(
    user,
    model: type[Reported],
    area: Area | None,
    series: Series | None,
    *,
    history: bool = False,
):
    """Return the rows of ``model`` in ``area``'s subtree that ``user`` may read.

    Only the current versions, unless ``history``: then the replaced ones too.
    """
    rows = model.objects.for_user(user, "view")
    if not history:
        rows = rows.current()
    if area is not None:
        rows = rows.filter(**_subtree_filter(area))
    if series is not None:
        rows = rows.filter(series=series)
    return rows
