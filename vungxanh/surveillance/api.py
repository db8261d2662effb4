"""Surveillance API: the facts of each kind, and the indicator series of an area.

For each kind (cases, daily, tests, vaccination, capacity):

GET  /api/v1/surveillance/{kind}/          list, newest first (area subtree, from, to,
                                           series; keyset pages: ``cursor`` = ``next``)
GET  /api/v1/surveillance/{kind}/{id}      one version
POST /api/v1/surveillance/{kind}/          create one fact (checked like an import row)
PUT  /api/v1/surveillance/{kind}/{id}      correct it: a new version, the old one kept

GET  /api/v1/surveillance/indicators/{code}?series=&from=&to=   dates and every indicator

Every answer is limited to the caller's areas; personal identifiers of cases only with
``include_personal=true`` and only for the roles that may read them.
"""

# No ``from __future__ import annotations`` here: the endpoints are made in a loop, and
# django-ninja must see their parameter types as objects, not as names to look up.
import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from vungxanh.domain.tabular import parse_date
from vungxanh.lib.apischema import Id, errors
from vungxanh.risk.freshness import freshness
from vungxanh.surveillance import services
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.queries import (
    DATE_FIELD,
    AreaEpidemic,
    Key,
    curve_series,
    date_range,
    facts,
    keyset_page,
    people_for,
    pick_curve_series,
    visible_areas,
)
from vungxanh.surveillance.schemas import (
    KIND_SCHEMAS,
    AreaCode,
    CaseFilter,
    EditIn,
    FactFilter,
    IndicatorFilter,
    IndicatorsOut,
)

router = Router(tags=["surveillance"])
NOT_VALUES = {"reason", "series"}
# The OpenAPI summaries (English, like the rest of the API document): kind -> (many, one).
NOUNS = {
    "cases": ("cases", "case"),
    "daily": ("daily counts", "daily count"),
    "tests": ("test counts", "test count"),
    "vaccination": ("vaccination coverage figures", "vaccination coverage figure"),
    "capacity": ("care capacity figures", "care capacity figure"),
}


def _day(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise ValidationError({field: _("Not a date: write dd/mm/yyyy or yyyy-mm-dd.")})
    return day


def _area(request: HttpRequest, code: str):
    return get_object_or_404(visible_areas(request.user), code=code)


def _attach_people(request: HttpRequest, rows: list, include: bool) -> list:
    """Give each case its personal record, if asked and the caller may read it."""
    if include:
        people = people_for(request.user, [row.case_code for row in rows])
        for row in rows:
            row.person = people.get(row.case_code)
    return rows


def _values(payload: EditIn) -> dict:
    """The fields the caller sent (an explicit null clears an optional field)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if k not in NOT_VALUES}


def _register(kind: str) -> None:
    name, out, page, create_in, correct_in = KIND_SCHEMAS[kind]
    model = services.MODELS[kind]
    date_field = DATE_FIELD[kind]
    filter_schema = CaseFilter if kind == "cases" else FactFilter
    plural, singular = NOUNS[kind]

    def listing(request: HttpRequest, filters: Query[filter_schema]):
        area = _area(request, filters.area) if filters.area else None
        series = services.get_series(filters.series) if filters.series else None
        rows = facts(request.user, model, area, series, history=filters.history)
        first, last = _day(filters.from_, "from"), _day(filters.to, "to")
        if first:
            rows = rows.filter(**{f"{date_field}__gte": first})
        if last:
            rows = rows.filter(**{f"{date_field}__lte": last})
        if kind == "cases" and filters.detection:
            rows = rows.filter(detection=filters.detection)
        result = keyset_page(
            rows.select_related("area", "series"),
            filters.limit,
            date_field=date_field,
            after=Key.parse(filters.cursor),
        )
        items = result.rows
        if kind == "cases":
            items = _attach_people(request, items, filters.include_personal)
        return {"items": items, "next": str(result.next_key) if result.next_key else None}

    def detail(request: HttpRequest, record_id: Path[Id], include_personal: bool = False):
        rows = model.objects.for_user(request.user, "view").select_related("area", "series")
        row = get_object_or_404(rows, pk=record_id)
        if kind == "cases":
            _attach_people(request, [row], include_personal)
        return row

    def create(request: HttpRequest, payload: create_in):
        row = edits.create_fact(
            kind, _values(payload), actor=request.user, series_code=payload.series
        )
        return Status(201, row)

    def correct(request: HttpRequest, record_id: Path[Id], payload: correct_in):
        rows = model.objects.for_user(request.user, "change").select_related("area", "series")
        row = get_object_or_404(rows, pk=record_id)
        return edits.correct_fact(row, _values(payload), actor=request.user, reason=payload.reason)

    router.get(
        f"/{kind}/",
        response={200: page, **errors(401, 404, 422)},
        url_name=f"{name}_list",
        operation_id=f"surveillance_{name}_list",
        summary=f"List {plural}",
    )(listing)
    router.get(
        f"/{kind}/{{record_id}}",
        response={200: out, **errors(401, 404, 422)},
        url_name=f"{name}_detail",
        operation_id=f"surveillance_{name}_detail",
        summary=f"One version of a {singular}",
    )(detail)
    router.post(
        f"/{kind}/",
        response={201: out, **errors(400, 401, 403, 404, 422)},
        url_name=f"{name}_create",
        operation_id=f"surveillance_{name}_create",
        summary=f"Create a {singular}",
    )(create)
    router.put(
        f"/{kind}/{{record_id}}",
        response={200: out, **errors(400, 401, 403, 404, 422)},
        url_name=f"{name}_correct",
        operation_id=f"surveillance_{name}_correct",
        summary=f"Correct a {singular} (a new version)",
    )(correct)


for _kind in KIND_SCHEMAS:
    _register(_kind)


@router.get(
    "/indicators/{code}",
    response={200: IndicatorsOut, **errors(401, 404, 422)},
    url_name="indicator_series",
)
def indicator_series(
    request: HttpRequest,
    code: Path[AreaCode],
    filters: Query[IndicatorFilter],
):
    """Every indicator of the area, day by day, in one series (default: the official one).

    ``data_until``, ``levels_computed_at`` and ``recompute_pending`` say how fresh they are.
    """
    area = _area(request, code)
    # Only a series reporting the whole area (``queries.covers``): no part as the whole.
    options, partial = curve_series(request.user, area)
    series = filters.series
    chosen = pick_curve_series(options, partial, series, area)
    if chosen is None or (series and chosen.code != series):
        raise Http404
    epidemic = AreaEpidemic(request.user, area, chosen)
    stored = epidemic.indicators
    if stored is None:
        raise Http404
    # Only the days stored: a far "from" or "to" must not build a list of millennia.
    stored_last = stored.start + dt.timedelta(days=stored.days - 1)
    first = max(_day(filters.from_, "from") or stored.start, stored.start)
    last = min(_day(filters.to, "to") or stored_last, stored_last)
    days = date_range(first, last) if first <= last else []
    return {
        "area": area.code,
        "area_name": area.name,
        "series": chosen.code,
        "series_name": chosen.name,
        "simulated": chosen.simulated,
        "source": chosen.source,
        "dates": days,
        "indicators": {name: epidemic.values(name, days) for name in stored.names},
        **freshness(area, chosen).as_dict(),
    }
