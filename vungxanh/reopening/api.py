"""Reopening API: the recovery indicators of an area (issue 12, item 8).

GET /api/v1/reopening/indicators?area=&from=&to=

The figures of the page ``/reopening/indicators/``, limited to the caller's areas: another
area is a 404, a bad day or a span over a year a 422 naming the field.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from vungxanh.accounts.scoping import can, default_area
from vungxanh.areas.models import Area
from vungxanh.domain.tabular import parse_date
from vungxanh.lib import asof
from vungxanh.lib.apischema import Text, errors
from vungxanh.lib.refusal import require
from vungxanh.reopening.indicators import (
    MAX_SPAN_DAYS,
    SpanError,
    as_dict,
    breakdown,
    check_span,
    recovery_indicators,
)
from vungxanh.reopening.models import STATUS_PERIOD

router = Router(tags=["reopening"])
DATE_HELP = "dd/mm/yyyy or yyyy-mm-dd"
DEFAULT_SPAN_DAYS = 90


class RecoveryFilter(Schema):
    area: Text(20) | None = Field(None, description="Area code (default: the caller's highest)")
    from_: Text(20) | None = Field(None, alias="from", description=f"First day ({DATE_HELP})")
    to: Text(20) | None = Field(
        None, description=f"Last day ({DATE_HELP}); at most {MAX_SPAN_DAYS} days in all"
    )
    by: Literal["ward", "section"] | None = Field(
        None, description="Also every day's figures per ward or per VSIC section (``series_by``)"
    )


class RecoveryFigures(Schema):
    allowed: int
    limited: int
    suspended: int
    unknown: int
    workers_back: int
    works_running: int
    workers_missing: int


class RecoveryGroupFigures(RecoveryFigures):
    code: str
    name: str


class RecoveryPermitState(Schema):
    state: str
    label: str
    n: int


class RecoveryProcessingOut(Schema):
    department: str
    label: str
    decided: int
    median_days: float | None
    p90_days: float | None


class RecoverySeries(Schema):
    code: str
    name: str
    statuses: dict[str, list[int]]
    workers_back: list[int]
    works_running: list[int]


class RecoveryIndicatorsOut(Schema):
    area: str
    area_name: str
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    simulated: bool
    dates: list[dt.date]
    statuses: dict[str, list[int]] = Field(
        ..., description="Establishments per day by status: allowed, limited, suspended, unknown"
    )
    workers_back: list[int] = Field(
        ...,
        description="Per day, the registered workers of the establishments allowed or limited "
        "(the register's figure, not a head count)",
    )
    works_running: list[int] = Field(
        ..., description="Per day, the public-investment works allowed or limited"
    )
    latest: RecoveryFigures
    by_ward: list[RecoveryGroupFigures] = Field(..., description="On the last day, by ward")
    by_section: list[RecoveryGroupFigures] = Field(
        ..., description="On the last day, by VSIC section"
    )
    permits_by_state: list[RecoveryPermitState] = Field(
        ..., description="Applications submitted in the span, by their state now"
    )
    processing: list[RecoveryProcessingOut] = Field(
        ..., description="Days from submission to decision of those decided in the span"
    )
    series_by: list[RecoverySeries] | None = Field(
        None, description="With ``by``: per ward or VSIC section, the figures of every day"
    )


def _day(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise ValidationError({name: _("Not a date: write dd/mm/yyyy or yyyy-mm-dd.")})
    return day


def _area(request: HttpRequest, code: str | None) -> Area:
    if not code:
        area = default_area(request.user, STATUS_PERIOD)
    else:
        area = Area.objects.filter(code=code).first()
        if area is not None and not can(request.user, STATUS_PERIOD, "view", area):
            area = None
    if area is None:
        raise Http404
    return area


@router.get(
    "/indicators",
    response={200: RecoveryIndicatorsOut, **errors(401, 403, 404, 422)},
    url_name="reopening_indicators",
    by_alias=True,
)
def indicators(request: HttpRequest, filters: Query[RecoveryFilter]):
    """Establishments allowed / limited / suspended / unknown per day, workers back at work,
    public-investment works running, permit applications by state and decision times.

    Default span: the 90 days up to the "as of" day (``to``), or up to ``to``.
    """
    require(request.user, STATUS_PERIOD, "view")
    area = _area(request, filters.area)
    last = _day(filters.to, "to") or asof.default_day()
    first = _day(filters.from_, "from") or last - dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)
    try:
        check_span(first, last)
        series_by = breakdown(request.user, area, first, last, filters.by) if filters.by else None
    except SpanError as error:
        raise ValidationError({error.field: [error.message]}) from error
    return as_dict(recovery_indicators(request.user, area, first, last)) | {"series_by": series_by}
