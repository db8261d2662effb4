"""Services that set which series an area shows by default (its official series).

The steering committee of an area (or an administrator) designates one series; the areas
under it inherit it unless they have their own. The change is audited, and an outbox row
written in the same transaction has the loop recompute the levels under the area.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.jobs.services import record_change
from vungxanh.surveillance.models import OfficialSeries, Series

MODEL = "surveillance.officialseries"


def designate_series(area: Area, series: Series, *, actor, reason: str = "") -> OfficialSeries:
    """Make ``series`` the official series of ``area`` (and of the areas under it)."""
    if not can(actor, MODEL, "change", area):
        raise PermissionDenied
    with transaction.atomic():
        current = OfficialSeries.objects.select_for_update().filter(area=area).first()
        before = None
        if current is not None:
            before = {"series": current.series.code, "reason": current.reason}
            if current.series_id == series.pk and current.reason == reason.strip():
                return current
            current.series, current.reason, current.set_by = series, reason.strip(), actor
            current.save()
        else:
            current = OfficialSeries.objects.create(
                area=area, series=series, reason=reason.strip(), set_by=actor
            )
        audit.record(
            actor,
            "designate_series",
            current,
            area=area,
            before=before,
            after={"series": series.code, "reason": current.reason},
            reason=current.reason,
        )
        record_change("official_series", area_path=area.path, series_code=series.code)
    return current
