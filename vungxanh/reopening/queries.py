"""Reading statuses: the change list of a day, the status of an establishment on a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from vungxanh.areas.models import Area


def change_list(periods, area: Area, day: dt.date):
    """The periods of ``periods`` (a scoped queryset) under ``area`` that start on ``day``
    with another status than the day before, by ward, sector and name."""
    return (
        periods.filter(ward__path__startswith=area.path, start=day)
        .exclude(previous_status="")
        .exclude(previous_status=F("status"))
        .select_related("establishment", "ward")
        .order_by("ward__name", "section", "status", "establishment__name", "establishment_id")
    )


def province_of(area: Area) -> Area | None:
    """The province holding ``area`` (itself if it is one); None for the nation."""
    parts = [p for p in area.path.split("/") if p]
    if len(parts) < 2:
        return None
    return Area.objects.filter(path=f"{parts[0]}/{parts[1]}/").first()


def status_on(periods, day: dt.date):
    """Periods in force on ``day``."""
    return periods.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
