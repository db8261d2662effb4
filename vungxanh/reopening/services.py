"""The only code that writes status periods and notices.

``recompute`` is the loop's stage "establishments" (after levels): for each province it
reads the level in force of every ward over every day with levels (``risk.levels_in_force``),
the whole-ward lockdowns and the permits, computes every establishment's periods as arrays
(``reopening.compute``) and, inside one transaction, deletes and rewrites the province's
periods (set-based, ``lib.bulk``) and brings the notices up to date. Running it twice writes
the same rows: it is idempotent and safe after a crash. Derived data: the loop's job is the
audit entry, as for the levels.

``record_establishments_changed`` notes, in the caller's
transaction, when establishments are created, changed or imported: an outbox row for the
loop, which then runs this stage only (``loop.drain``: the kind is a status-only change).
``acknowledge_notice`` is the representative's acknowledgement, audited.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.services import record
from vungxanh.economy.models import Establishment
from vungxanh.jobs.services import record_change
from vungxanh.lib.bulk import insert_rows
from vungxanh.lockdowns.models import LockdownZone, Scope
from vungxanh.lockdowns.models import Status as ZoneStatus
from vungxanh.permits.models import PermitApplication, State
from vungxanh.permits.queries import approved_overrides
from vungxanh.reopening import compute as status_compute
from vungxanh.reopening import matrices
from vungxanh.reopening.compute import Entry, PermitOverride
from vungxanh.reopening.models import Notice, StatusPeriod
from vungxanh.risk.levels_in_force import levels_in_force
from vungxanh.risk.models import AssessmentSeries
from vungxanh.surveillance.models import OfficialSeries, Series
from vungxanh.surveillance.queries import official_series

# Outbox kinds that change statuses only (loop.drain runs only this stage for them).
ESTABLISHMENTS_CHANGED = "establishments"
LOCKDOWN_CHANGED = "lockdown"
REPORTED_SERIES = "reported"

PERIOD_FIELDS = (
    "establishment_id", "ward_id", "section", "start", "end", "since", "status", "previous_status",
    "reason", "level_rules", "level_key", "matrix", "group", "verified", "capacity_percent",
    "max_people", "closing_hour", "takeaway_only", "conditions_vi", "conditions_en",
    "computed_at",
)  # fmt: skip


def record_establishments_changed(*areas: Area) -> None:
    """Tell the loop that establishments under ``areas`` were created, changed or imported
    (an update that moves one passes its new and its old ward).

    Call inside the transaction that wrote them (economy.services), once per write. The
    row is the same as ``jobs.services.record_change("establishments", area_path=…)``,
    which a service may call instead to avoid importing this app.
    """
    for path in sorted({a.path for a in areas if a is not None}):
        record_change(ESTABLISHMENTS_CHANGED, area_path=path)


def record_lockdown_changed(area: Area, day: dt.date | None = None) -> None:
    """Tell the loop that a lockdown zone of ``area`` started, moved or was lifted.

    Call inside the transaction of the zone's change (lockdowns.services)."""
    record_change(LOCKDOWN_CHANGED, area_path=area.path, date_from=day)


def status_series(area: Area) -> Series | None:
    """The series whose levels set the statuses in ``area``: the series designated for it
    (its own designation, else its nearest ancestor's: a district's committee designates for
    its wards), else "reported" (the series imports go to by default)."""
    designated = official_series(area)
    if designated is not None:
        return designated.series
    return Series.objects.filter(code=REPORTED_SERIES).first()


def _series_of_wards(province: Area, wards: list[Area]) -> dict[int, int | None]:
    """Each ward's status series (pk), as ``status_series`` decides it, in two queries."""
    above = [province.path, *province.ancestor_paths()]
    designations = dict(
        OfficialSeries.objects.filter(
            Q(area__path__startswith=province.path) | Q(area__path__in=above)
        ).values_list("area__path", "series_id")
    )
    reported = Series.objects.filter(code=REPORTED_SERIES).values_list("pk", flat=True).first()
    # Nearest designation first: the longest designated path that is a prefix of the ward's.
    nearest_first = sorted(designations, key=len, reverse=True)
    return {
        ward.pk: next((designations[p] for p in nearest_first if ward.path.startswith(p)), reported)
        for ward in wards
    }


def permit_overrides(establishment_ids: list[int], first_day, last_day) -> list[PermitOverride]:
    """The permits that set an establishment's status on some of these days.

    The hook for the permit app (vungxanh/permits/): an approved permit to operate beyond the
    level's default lifts a suspension for its establishment and days. Empty until that app
    provides its approved permits (``permits.queries.approved_overrides``); the stage applies whatever this returns.
    """
    overrides = approved_overrides(establishment_ids, first_day, last_day)
    return [
        PermitOverride(
            item.establishment_id,
            max(item.first_day, first_day),
            item.last_day,
            Entry(
                status=item.status,
                reason="permit",
                max_people=item.max_people,
                conditions_vi=item.conditions,
            ),
        )
        for items in overrides.values()
        for item in items
    ]


def _wards_of(province: Area) -> list[Area]:
    return list(
        Area.objects.filter(path__startswith=province.path, kind=AreaKind.COMMUNE).order_by("path")
    )


def _days(wards: list[Area], series: Series) -> tuple[dt.date, dt.date] | None:
    """The days the levels of ``wards`` cover under ``series`` (None: no levels)."""
    rows = list(
        AssessmentSeries.objects.filter(area__in=wards, series=series).values_list("start", "days")
    )
    if not rows:
        return None
    first = min(start for start, _days in rows)
    last = max(start + dt.timedelta(days=days - 1) for start, days in rows if days)
    return first, last


def locked_grid(wards: list[Area], first_day: dt.date, last_day: dt.date) -> np.ndarray:
    """Ward × day: inside a whole-ward lockdown zone in force that day.

    In force as ``lockdowns.queries.in_force_on``: activated (not merely proposed), started,
    not lifted yet. Only whole-ward zones are applied: a zone of a smaller unit (a hẻm, a tổ
    dân phố, a building) would need the establishment's own smaller unit, which an
    establishment does not record (economy.Establishment has a ward and a free-text address).
    """
    days = (last_day - first_day).days + 1
    row_of = {w.pk: i for i, w in enumerate(wards)}
    locked = np.zeros((len(wards), days), dtype=bool)
    zones = (
        LockdownZone.objects.filter(area_id__in=list(row_of), scope_type=Scope.WHOLE_WARD)
        .exclude(status=ZoneStatus.PROPOSED)
        .filter(start_date__isnull=False, start_date__lte=last_day)
        .values_list("area_id", "start_date", "lifted_on")
    )
    for area_id, start, lifted in zones:
        lo = max((start - first_day).days, 0)
        hi = days if lifted is None else min((lifted - first_day).days, days)
        if hi > lo:
            locked[row_of[area_id], lo:hi] = True
    return locked


def recompute(series: Series, provinces: list[Area] | None) -> int:
    """The loop stage: rewrite the periods of every establishment of ``provinces`` (None:
    every province) whose ward's status series is ``series``; return the periods written."""
    if provinces is None:
        provinces = list(Area.objects.filter(kind=AreaKind.PROVINCE))
    written = 0
    for province in provinces:
        wards = _wards_of(province)
        chosen = _series_of_wards(province, wards)
        mine = [ward for ward in wards if chosen[ward.pk] == series.pk]
        if mine:
            written += recompute_province(province, series, mine)
    return written


def recompute_province(province: Area, series: Series, wards: list[Area] | None = None) -> int:
    """Delete and rewrite the status periods of ``province`` (or of its ``wards`` whose
    status series is ``series``), in one transaction."""
    if wards is None:
        wards = _wards_of(province)
    ward_row = {w.pk: i for i, w in enumerate(wards)}
    rows = list(
        Establishment.objects.filter(ward_id__in=list(ward_row))
        .order_by("pk")
        .values_list("pk", "ward_id", "vsic_code", "section")
    )
    span = _days(wards, series) if rows else None
    with transaction.atomic():
        # By the wards' ids, not their paths: no join, the (ward, start) index serves it.
        StatusPeriod.objects.filter(ward_id__in=list(ward_row)).delete()
        if span is None:
            _sync_notices(list(ward_row), set(), {})
            return 0
        first, last = span
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        grid = levels_in_force(wards, first, last, series)
        position = {pk: i for i, pk in enumerate(ids.tolist())}
        overrides = [
            (position[p.establishment_id], p)
            for p in permit_overrides(_permit_holders(list(ward_row)), first, last)
            if p.establishment_id in position
        ]
        periods = status_compute.compute(
            grid,
            matrices.shipped(),
            province.code,
            np.array([ward_row[r[1]] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=str),
            locked_grid(wards, first, last),
            overrides,
        )
        count = insert_rows(StatusPeriod, PERIOD_FIELDS, _period_rows(periods, rows, first))
        changes = _changes(periods, rows, first)
        _sync_notices(list(ward_row), set(changes), changes)
        return count


def _period_rows(periods, rows, first: dt.date):
    """Database rows of ``periods``, column by column.

    Each column is an object array indexed by the periods' arrays (a gather in C, not a
    Python statement per row): a national recompute serialises millions of rows. Each
    distinct date and the timestamp are adapted once, not once per row.
    """
    adapt_day = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    span = max(int(periods.start.max(initial=0)), int(periods.end.max(initial=0))) + 1
    # Index -1 (an open end, no period before) takes the last element: None, "".
    day_of = _objects([adapt_day(first + dt.timedelta(days=i)) for i in range(span)] + [None])
    statuses = _objects([e.status for e in periods.catalogue] + [""])
    establishment = periods.establishment
    per_establishment = [_objects([r[i] for r in rows])[establishment] for i in (0, 1, 3)]
    per_cell = [
        _objects([getattr(e, name) for e in periods.catalogue])[periods.cell]
        for name in PERIOD_FIELDS[PERIOD_FIELDS.index("reason") : -1]
    ]
    return zip(
        *per_establishment,
        day_of[periods.start],
        day_of[periods.end],
        day_of[periods.since()],
        statuses[periods.cell],
        statuses[periods.previous],
        *per_cell,
        itertools.repeat(now, len(periods)),
        strict=True,
    )


def _objects(values: list) -> np.ndarray:
    """A 1-D object array of ``values`` (kept as Python objects, whatever they are)."""
    found = np.empty(len(values), dtype=object)
    found[:] = values
    return found


def _changes(periods, rows, first: dt.date) -> dict[tuple, tuple]:
    """(establishment, day, from, to) -> (ward id, reason, terms) of each change of status."""
    statuses = np.array([e.status for e in periods.catalogue])
    has_previous = periods.previous >= 0
    prev = np.where(has_previous, periods.previous, 0)
    moved = has_previous & (statuses[prev] != statuses[periods.cell])
    terms: dict[int, str] = {}  # per catalogue entry: many establishments share a cell
    found = {}
    for est, start, cell, previous in zip(
        periods.establishment[moved].tolist(), periods.start[moved].tolist(),
        periods.cell[moved].tolist(), periods.previous[moved].tolist(), strict=True,
    ):  # fmt: skip
        entry = periods.catalogue[cell]
        key = (rows[est][0], first + dt.timedelta(days=start),
               periods.catalogue[previous].status, entry.status)  # fmt: skip
        if cell not in terms:
            terms[cell] = entry.terms_vi
        found[key] = (rows[est][1], entry.reason, terms[cell])
    return found


def _permit_holders(ward_ids: list[int]) -> list[int]:
    """The establishments of these wards holding an approved permit (a few): asked by ward,
    not with every establishment's id in the query (tens of thousands per province)."""
    return list(
        PermitApplication.objects.filter(establishment__ward_id__in=ward_ids, state=State.APPROVED)
        .values_list("establishment_id", flat=True)
        .distinct()
    )


def _sync_notices(ward_ids: list[int], wanted: set[tuple], details: dict[tuple, tuple]) -> None:
    """Create the notices of new changes; withdraw those of changes no longer found.

    The province's notices are found by its wards' ids (no join on the area paths)."""
    existing = {
        (n[1], n[2], n[3], n[4]): (n[0], n[5])
        for n in Notice.objects.filter(ward_id__in=ward_ids).values_list(
            "pk", "establishment_id", "effective_on", "from_status", "to_status", "withdrawn"
        )
    }
    gone = [pk for key, (pk, withdrawn) in existing.items() if key not in wanted and not withdrawn]
    back = [pk for key, (pk, withdrawn) in existing.items() if key in wanted and withdrawn]
    Notice.objects.filter(pk__in=gone).update(withdrawn=True)
    Notice.objects.filter(pk__in=back).update(withdrawn=False)
    new = [
        Notice(
            establishment_id=key[0],
            effective_on=key[1],
            from_status=key[2],
            to_status=key[3],
            ward_id=details[key][0],
            reason=details[key][1],
            conditions=details[key][2],
        )  # fmt: skip
        for key in wanted
        if key not in existing
    ]
    Notice.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)


def acknowledge_notice(actor, notice: Notice) -> Notice:
    """The establishment's representative has read ``notice`` (audited; once)."""
    if notice.establishment.representative_id != actor.pk:
        raise PermissionDenied
    if notice.acknowledged_at is not None:
        return notice
    with transaction.atomic():
        notice.acknowledged_at = timezone.now()
        notice.acknowledged_by = actor
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(
            actor, "acknowledge", notice, area=notice.ward,
            after={"acknowledged_at": notice.acknowledged_at.isoformat()},
        )  # fmt: skip
    return notice
