"""Filtering of the audit trail, shared by the page, the CSV export and the API."""

from __future__ import annotations

import datetime as dt

from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry


def filtered_entries(
    user,
    *,
    actor=None,
    action=None,
    object_type=None,
    area=None,
    source=None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    rows = AuditEntry.objects.for_user(user, "view").select_related("area")
    if actor:
        rows = rows.filter(actor_name=actor)
    if action:
        rows = rows.filter(action=action)
    if object_type:
        rows = rows.filter(object_type=object_type)
    if source:
        rows = rows.filter(source__startswith=source)
    if area:
        scope = Area.objects.for_user(user, "view").current().filter(code=area).first()
        rows = rows.filter(area__path__startswith=scope.path) if scope else rows.none()
    if since:
        rows = rows.filter(time__date__gte=since)
    if until:
        rows = rows.filter(time__date__lte=until)
    return rows
