"""Reading permits: deadline flags, and the approved permits the status stage applies.

``approved_overrides`` is the hook of ``vungxanh/reopening`` (the establishments' status
on each day): which approved permits lift a suspension or a limit, when, and on what terms.
Read only; set-based (one query for any number of establishments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from vungxanh.domain.activities import ALLOWED, LIMITED
from vungxanh.permits import config
from vungxanh.permits.models import OPEN_STATES, PermitApplication, State

OVERDUE, DUE_SOON = "overdue", "due_soon"


@dataclass(frozen=True)
class Override:
    """One approved permit of an establishment, as the status stage needs it.

    ``status`` is what the permit allows over its period: ``allowed`` (the activities
    matrix's word), or ``limited`` when it caps the people at work (``max_people``) —
    whatever the level's matrix says, and unless a lockdown zone suspends the place.
    """

    establishment_id: int
    permit_id: int
    kind: str  # reopen, construction_site, beyond_default
    first_day: dt.date
    last_day: dt.date | None  # None: until further notice
    status: str  # "allowed" or "limited"
    max_people: int | None
    conditions: str  # the department's conditions, as written on approval (Vietnamese)
    number: str  # "05/TB-SCT", as printed


def permit_number(application: PermitApplication) -> str:
    """Return "NN/TB-ABBR" (Nghị định 30/2020: numbers below 10 with a leading 0)."""
    department = config.load().departments[application.department]
    return f"{application.number:02d}/TB-{department.abbreviation}"


def approved_overrides(
    establishment_ids: Iterable[int], first_day: dt.date, last_day: dt.date
) -> dict[int, list[Override]]:
    """Return, per establishment, its approved permits whose period meets [first_day, last_day].

    Establishments without one are absent. Each list is ordered by first day. Decisions
    are taken as they stand now (a permit approved today counts for the days it covers).
    """
    ids = list(establishment_ids)
    if not ids:
        return {}
    rows = (
        PermitApplication.objects.filter(
            establishment_id__in=ids, state=State.APPROVED, first_day__lte=last_day
        )
        .filter(Q(last_day__isnull=True) | Q(last_day__gte=first_day))
        .order_by("establishment_id", "first_day", "pk")
    )
    found: dict[int, list[Override]] = {}
    for row in rows:
        found.setdefault(row.establishment_id, []).append(
            Override(
                establishment_id=row.establishment_id,
                permit_id=row.pk,
                kind=row.kind,
                first_day=row.first_day,
                last_day=row.last_day,
                status=LIMITED if row.max_people else ALLOWED,
                max_people=row.max_people,
                conditions=row.reason,
                number=permit_number(row) if row.number else "",
            )
        )
    return found


def deadline_flag(application: PermitApplication, today: dt.date) -> str:
    """``overdue`` past the due day, ``due_soon`` within the kind's warning days, else ""."""
    if application.state not in OPEN_STATES:
        return ""
    soon = config.load().kinds[application.kind].due_soon_days
    if today > application.due_on:
        return OVERDUE
    if (application.due_on - today).days <= soon:
        return DUE_SOON
    return ""


def flagged(rows, flag: str, today: dt.date):
    """Narrow a queryset of applications to the overdue or the due-soon ones."""
    open_rows = rows.filter(state__in=OPEN_STATES)
    if flag == OVERDUE:
        return open_rows.filter(due_on__lt=today)
    if flag == DUE_SOON:
        by_kind = Q(pk__in=[])
        for kind, rule in config.load().kinds.items():
            last = today + dt.timedelta(days=rule.due_soon_days)
            by_kind |= Q(kind=kind, due_on__gte=today, due_on__lte=last)
        return open_rows.filter(by_kind)
    return rows
