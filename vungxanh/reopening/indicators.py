"""Recovery indicators of an area over a span of days (issue 12, item 8).

Per day: how many establishments are allowed, limited, suspended or of unknown status; the
registered workers of the establishments allowed or limited ("workers back at work": the
register's figure, not a head count of who came); the public-investment works allowed or
limited ("running"). Over the span: the permit applications by state, and how long the
departments took from submission to decision.

Set-based: the status periods overlapping the span are summed in the database by
(group, status, start, end), and the days are filled from those sums with NumPy difference
arrays (+n on a period's first day, −n after its last). One query per breakdown, whatever
the number of establishments or days. The tables by ward and by sector are of the last
day; ``breakdown`` gives every day per ward or per sector on request (the API's ``by``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, DateField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.domain import vsic
from vungxanh.permits import config as permits_config
from vungxanh.permits.models import PermitApplication, State
from vungxanh.reopening.models import Status, StatusPeriod

# The longest span asked at once: a year (a leap year's 366 days).
MAX_SPAN_DAYS = 366
STATUSES = (Status.ALLOWED, Status.LIMITED, Status.SUSPENDED, Status.UNKNOWN)
# Operating: the statuses whose workers count as back at work and whose works as running.
OPERATING = (Status.ALLOWED, Status.LIMITED)
SECONDS_PER_DAY = 86_400
# A breakdown over time answers at most this many (group, day) cells: a year of every ward
# of a district, not of every ward of the country.
MAX_GROUP_DAYS = 60_000
BREAKDOWNS = {"ward": "ward_id", "section": "section"}


class SpanError(ValueError):
    """A request the indicators refuse; ``field`` names the input at fault ("from", "by")."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def check_span(first_day: dt.date, last_day: dt.date) -> None:
    if first_day > last_day:
        raise SpanError("from", _("From: the first day is after the last day."))
    if (last_day - first_day).days + 1 > MAX_SPAN_DAYS:
        raise SpanError(
            "from",
            _("From: at most %(days)s days from the first day to the last.")
            % {"days": MAX_SPAN_DAYS},
        )


@dataclass
class Counts:
    """One group's figures, one value per day of the span."""

    by_status: dict[str, np.ndarray]
    workers_back: np.ndarray
    works_running: np.ndarray
    # Establishments allowed or limited whose register gives no number of workers.
    workers_missing: np.ndarray

    def on(self, i: int) -> dict:
        return {
            **{s: int(self.by_status[s][i]) for s in self.by_status},
            "workers_back": int(self.workers_back[i]),
            "works_running": int(self.works_running[i]),
            "workers_missing": int(self.workers_missing[i]),
        }


@dataclass
class Processing:
    department: str
    label: str
    decided: int
    median_days: float | None
    p90_days: float | None


@dataclass
class Indicators:
    area: Area
    days: list[dt.date]
    total: Counts
    by_ward: list[tuple[Area, dict]]  # on the last day
    by_section: list[tuple[str, str, dict]]  # code, name, figures on the last day
    permits_by_state: list[tuple[str, str, int]]  # state, label, applications
    processing: list[Processing] = field(default_factory=list)
    simulated: bool = False

    @property
    def has_statuses(self) -> bool:
        return any(int(a.sum()) for a in self.total.by_status.values())


def _empty(n: int) -> Counts:
    zero = np.zeros(n, dtype=np.int64)
    return Counts({s.value: zero.copy() for s in STATUSES}, zero.copy(), zero.copy(), zero.copy())


def overlapping(periods, area: Area, first_day: dt.date, last_day: dt.date):
    """The periods of ``periods`` (scoped) under ``area`` in force on some day of the span."""
    return (
        periods.filter(ward__path__startswith=area.path, start__lte=last_day)
        .filter(Q(end__isnull=True) | Q(end__gte=first_day))
        .order_by()  # the model's ordering would split the groups
    )


def daily_counts(periods, first_day: dt.date, last_day: dt.date, key: str | None = None):
    """{group: Counts} for ``periods`` (already limited to the area and span), grouped by
    ``key`` ("ward_id", "section" or None for one group, keyed None)."""
    n = (last_day - first_day).days + 1
    group = [key] if key else []
    rows = list(
        periods.annotate(until_day=Coalesce("end", Value(last_day), output_field=DateField()))
        .values(*group, "status", "start", "until_day")
        .annotate(
            n=Count("pk"),
            workers=Coalesce(Sum("establishment__workers"), 0),
            missing=Count("pk", filter=Q(establishment__workers__isnull=True)),
            works=Count("pk", filter=Q(establishment__public_investment=True)),
        )
        .values_list(*group, "status", "start", "until_day", "n", "workers", "missing", "works")
    )
    if not rows:
        return {}
    columns = list(zip(*rows, strict=True))
    if key:
        groups, which = np.unique(np.array(columns[0], dtype=object), return_inverse=True)
    else:
        groups, which = np.array([None], dtype=object), np.zeros(len(rows), dtype=np.intp)
    offset = len(group)
    status = np.array(columns[offset], dtype=object)
    origin = np.datetime64(first_day, "D")
    # Day indexes of each sum's first day and of the day after its last, clipped to the span.
    begin = np.clip(
        (np.array(columns[offset + 1], dtype="datetime64[D]") - origin).astype(int), 0, n
    )
    stop = np.clip(
        (np.array(columns[offset + 2], dtype="datetime64[D]") - origin).astype(int) + 1, 0, n
    )
    n_, workers, missing, works = (np.array(c, dtype=np.int64) for c in columns[offset + 3 :])
    operating = np.isin(status, [s.value for s in OPERATING])

    def fill(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Per group and day, the sum of ``values`` of the rows ``where`` in force: +value on
        a row's first day, −value the day after its last, then a running sum."""
        diff = np.zeros((len(groups), n + 1), dtype=np.int64)
        np.add.at(diff, (which[where], begin[where]), values[where])
        np.add.at(diff, (which[where], stop[where]), -values[where])
        return np.cumsum(diff[:, :n], axis=1)

    by_status = {s.value: fill(n_, status == s.value) for s in STATUSES}
    workers_back = fill(workers, operating)
    workers_missing = fill(missing, operating)
    works_running = fill(works, operating)
    return {
        g: Counts(
            {s: a[i] for s, a in by_status.items()},
            workers_back[i],
            works_running[i],
            workers_missing[i],
        )
        for i, g in enumerate(groups.tolist())
    }


def on_day(periods, area: Area, day: dt.date, key: str) -> dict:
    """{group: figures} of the establishments under ``area`` on ``day``, by ``key``: the
    span of one day, so a table of every ward of a province holds one value per ward."""
    groups = daily_counts(overlapping(periods, area, day, day), day, day, key)
    return {k: c.on(0) for k, c in groups.items()}


def _by_ward(periods, area: Area, day: dt.date) -> list[tuple[Area, dict]]:
    latest = on_day(periods, area, day, "ward_id")
    wards = Area.objects.filter(pk__in=latest).order_by("name", "code")
    return [(w, latest[w.pk]) for w in wards]


def _by_section(periods, area: Area, day: dt.date) -> list[tuple[str, str, dict]]:
    latest = on_day(periods, area, day, "section")
    names = {e.code: e.name_vi for e in vsic.load_vsic() if e.level == vsic.SECTION_LEVEL}
    return [(code, names.get(code, code), latest[code]) for code in sorted(latest)]


def _day_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants the span's days begin and end (local time), for timestamp fields."""
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    return start, end


def permits_by_state(applications, first_day, last_day) -> list[tuple[str, str, int]]:
    """Applications submitted (last submitted, for a resubmission) in the span, by state."""
    start, end = _day_bounds(first_day, last_day)
    found = dict(
        applications.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return [(s.value, s.label, found.get(s.value, 0)) for s in State]


def processing_times(applications, first_day, last_day) -> list[Processing]:
    """Per department, days from submission to decision of the applications decided in the
    span: the median and the 90th percentile (linear interpolation, as NumPy's default).
    A resubmitted application counts from its last submission (the clock starts again)."""
    start, end = _day_bounds(first_day, last_day)
    rows = list(
        applications.filter(decided_at__gte=start, decided_at__lt=end)
        .order_by("department")
        .values_list("department", "submitted_at", "decided_at")
    )
    if not rows:
        return []
    departments, submitted, decided = zip(*rows, strict=True)
    departments = np.array(departments, dtype=object)
    # Aware datetimes to UTC seconds: NumPy keeps no time zone.
    seconds = np.array([d.timestamp() for d in decided]) - np.array(
        [s.timestamp() for s in submitted]
    )
    days = seconds / SECONDS_PER_DAY
    labels = _department_names()
    result = []
    for department in dict.fromkeys(departments.tolist()):
        mine = days[departments == department]
        result.append(
            Processing(
                department,
                labels.get(department, department),
                int(mine.size),
                round(float(np.median(mine)), 1),
                round(float(np.percentile(mine, 90)), 1),
            )
        )
    return result


def _department_names() -> dict[str, str]:
    """Each reviewing department's name as the permit pages give it (permits.toml), else
    the reviewing role's label."""
    names = {role: str(label) for role, label in Role.choices}
    names |= {role: d.title_vi for role, d in permits_config.load().departments.items()}
    return names


def recovery_indicators(user, area: Area, first_day: dt.date, last_day: dt.date) -> Indicators:
    """The recovery indicators of ``area`` from ``first_day`` to ``last_day`` (inclusive),
    as ``user`` may read them (statuses and applications through their scoped querysets)."""
    check_span(first_day, last_day)
    n = (last_day - first_day).days + 1
    scoped = StatusPeriod.objects.for_user(user, "view")
    periods = overlapping(scoped, area, first_day, last_day)
    total = daily_counts(periods, first_day, last_day).get(None) or _empty(n)
    applications = PermitApplication.objects.for_user(user, "view").filter(
        establishment__ward__path__startswith=area.path
    )
    return Indicators(
        area=area,
        days=[first_day + dt.timedelta(days=i) for i in range(n)],
        total=total,
        by_ward=_by_ward(scoped, area, last_day),
        by_section=_by_section(scoped, area, last_day),
        permits_by_state=permits_by_state(applications, first_day, last_day),
        processing=processing_times(applications, first_day, last_day),
        simulated=periods.filter(establishment__simulated=True).exists(),
    )


def breakdown(user, area: Area, first_day: dt.date, last_day: dt.date, by: str) -> list[dict]:
    """Per ward or per VSIC section ("ward", "section") of ``area``, the figures of every day
    of the span. Refused (field "by") beyond ``MAX_GROUP_DAYS`` cells."""
    check_span(first_day, last_day)
    key = BREAKDOWNS[by]
    n = (last_day - first_day).days + 1
    periods = overlapping(StatusPeriod.objects.for_user(user, "view"), area, first_day, last_day)
    groups = periods.values(key).distinct().count()
    if groups * n > MAX_GROUP_DAYS:
        raise SpanError(
            "by",
            _("By: %(groups)s groups over %(days)s days is too many figures at once; "
              "choose a smaller area or a shorter span.") % {"groups": groups, "days": n},
        )  # fmt: skip
    found = daily_counts(periods, first_day, last_day, key)
    if by == "ward":
        wards = list(Area.objects.filter(pk__in=found).values_list("pk", "code", "name"))
        names = {pk: code for pk, code, _name in wards}
        labels = {pk: name for pk, _code, name in wards}
    else:
        names = {code: code for code in found}
        labels = {e.code: e.name_vi for e in vsic.load_vsic() if e.level == vsic.SECTION_LEVEL}
    rows = [
        {
            "code": names[k],
            "name": labels.get(k, names[k]),
            "statuses": {s: a.tolist() for s, a in c.by_status.items()},
            "workers_back": c.workers_back.tolist(),
            "works_running": c.works_running.tolist(),
        }
        for k, c in found.items()
    ]
    return sorted(rows, key=lambda row: (row["name"], row["code"]))


def as_dict(found: Indicators) -> dict:
    """The figures as plain data (the API's answer and the chart's)."""
    last = len(found.days) - 1
    return {
        "area": found.area.code,
        "area_name": found.area.name,
        "from": found.days[0],
        "to": found.days[-1],
        "simulated": found.simulated,
        "dates": found.days,
        "statuses": {s: a.tolist() for s, a in found.total.by_status.items()},
        "workers_back": found.total.workers_back.tolist(),
        "works_running": found.total.works_running.tolist(),
        "latest": found.total.on(last),
        "by_ward": [{"code": w.code, "name": w.name, **f} for w, f in found.by_ward],
        "by_section": [{"code": c, "name": name, **f} for c, name, f in found.by_section],
        "permits_by_state": [
            {"state": s, "label": str(lab), "n": k} for s, lab, k in found.permits_by_state
        ],
        "processing": [p.__dict__ for p in found.processing],
    }
