"""Lockdowns API.

GET   /api/v1/lockdowns/zones                      zones (filter: area, status, in force on date)
POST  /api/v1/lockdowns/zones                      propose a zone
GET   /api/v1/lockdowns/zones/{id}                 one zone, its lift date, its cases
PATCH /api/v1/lockdowns/zones/{id}                 change a zone from a version (409: changed)
POST  /api/v1/lockdowns/zones/{id}/transitions     activate, partly lift, lift (with decision)
GET   /api/v1/lockdowns/zones/{id}/lift            when it may be lifted, and what is missing
POST  /api/v1/lockdowns/zones/{id}/cases           link a case (index, inside, outside)
GET   /api/v1/lockdowns/zones/{id}/rounds          its testing rounds
POST  /api/v1/lockdowns/zones/{id}/rounds/new      plan a testing round
POST  /api/v1/lockdowns/rounds/{id}/result         record a round's samples and positives
GET   /api/v1/lockdowns/shifts/unstaffed           shifts short of officials on a date
GET   /api/v1/lockdowns/containment                each ward's new cases found inside zones
GET   /api/v1/lockdowns/rules                      the lift rules loaded
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from vungxanh.accounts.scoping import root_areas
from vungxanh.areas.models import Area
from vungxanh.lib.apischema import Choice, Id, Pagination, Text, errors
from vungxanh.lockdowns import queries, services
from vungxanh.lockdowns.models import LiftRuleRecord, LockdownZone, TestingRound
from vungxanh.lockdowns.models import Status as ZoneStatus
from vungxanh.lockdowns.schemas import (
    AreaCode,
    CaseLinkIn,
    ConflictOut,
    LiftOut,
    LiftRuleOut,
    RoundIn,
    RoundOut,
    RoundResultIn,
    ShiftOut,
    TransitionIn,
    WardShareOut,
    ZoneCaseOut,
    ZoneDetailOut,
    ZoneIn,
    ZoneOut,
    ZonePatch,
)
from vungxanh.surveillance.queries import pick_series

router = Router(tags=["lockdowns"])


class ZoneFilter(Schema):
    area: AreaCode | None = None
    status: Choice(ZoneStatus) | None = None
    date: dt.date | None = None


# Every write: a malformed body (400), no caller (401), no right or no CSRF token (403), an
# unknown zone or area (404), a bad value (422).
WRITE_ERRORS = errors(400, 401, 403, 404, 422)
READ_ERRORS = errors(401, 404, 422)


def _zone(request: HttpRequest, zone_id: int, action: str = "view") -> LockdownZone:
    rows = queries.zones(request.user, action).select_related("area", "rule", "parent")
    return get_object_or_404(rows, pk=zone_id)


def _area(request: HttpRequest, code: str | None) -> Area:
    visible = Area.objects.for_user(request.user, "view").current()
    if code:
        return get_object_or_404(visible, code=code)
    roots = root_areas(request.user)
    if not roots:
        raise ValidationError({"area": _("You hold no role in any area.")})
    return min(roots, key=lambda a: a.path)


def _lift_out(zone: LockdownZone, day: dt.date) -> dict | None:
    status = queries.lift_status(zone, day)
    if status is None:
        return None
    lift, sentences = status.lift, status.missing
    return {
        "zone": zone.pk,
        "rule": lift.rule_id,
        "rule_version": lift.rule_version,
        "as_of": lift.as_of,
        "may_be_lifted_from": lift.shown,
        "sentence": status.sentence,
        "expected": lift.expected,
        "met": lift.confirmed,
        "eligible": lift.eligible,
        "counting_from": lift.anchor,
        "counting_from_case": lift.anchor_case,
        "not_before": lift.not_before,
        "earliest": lift.earliest,
        "projected": lift.projected,
        "rounds_counted": list(lift.rounds_counted),
        "missing": [
            {"code": m.code, "sentence": s} for m, s in zip(lift.missing, sentences, strict=False)
        ],
    }


@router.get("/zones", response={200: list[ZoneOut], **READ_ERRORS}, url_name="lockdown_zones")
@paginate(Pagination)
def zone_list(request: HttpRequest, filters: Query[ZoneFilter]):
    rows = queries.zones(request.user).select_related("area", "rule")
    if filters.area:
        area = _area(request, filters.area)
        rows = rows.filter(area__path__startswith=area.path)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.date:
        return queries.locked_on(rows, filters.date)
    return rows


@router.post("/zones", response={201: ZoneOut, **WRITE_ERRORS}, url_name="lockdown_zone_create")
def zone_create(request: HttpRequest, payload: ZoneIn):
    data = payload.dict()
    area = get_object_or_404(
        Area.objects.for_user(request.user, "view").current(), code=data.pop("area")
    )
    data["rule"] = get_object_or_404(LiftRuleRecord, code=data["rule"], current=True)
    zone = services.create_zone(area, actor=request.user, **data)
    return Status(201, zone)


@router.get(
    "/zones/{zone_id}", response={200: ZoneDetailOut, **READ_ERRORS}, url_name="lockdown_zone"
)
def zone_detail(request: HttpRequest, zone_id: Path[Id], date: dt.date | None = None):
    zone = _zone(request, zone_id)
    held = queries.containment(zone)
    zone.lift = _lift_out(zone, date or queries.default_day())
    zone.cases_index = [c.case_code for c in held.index]
    zone.cases_inside = [c.case_code for c in held.inside]
    zone.cases_outside = [c.case_code for c in held.outside]
    return zone


@router.patch(
    "/zones/{zone_id}",
    response={200: ZoneOut, 409: ConflictOut, **WRITE_ERRORS},
    url_name="lockdown_zone_update",
)
def zone_update(request: HttpRequest, zone_id: Path[Id], payload: ZonePatch):
    zone = _zone(request, zone_id, "change")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    try:
        saved = services.update_zone(zone, actor=request.user, version=version, **changes)
    except services.ZoneConflict as exc:
        return Status(
            409,
            {
                "detail": str(exc),
                "current_version": exc.zone.version,
                "their_changes": exc.changes,
            },
        )
    return saved


@router.post(
    "/zones/{zone_id}/transitions",
    response={200: ZoneOut, 409: ConflictOut, **WRITE_ERRORS},
    url_name="lockdown_transition",
)
def zone_transition(request: HttpRequest, zone_id: Path[Id], payload: TransitionIn):
    zone = _zone(request, zone_id, "change")
    data = payload.dict()
    try:
        return services.transition(zone, actor=request.user, **data)
    except services.ZoneConflict as exc:
        return Status(
            409,
            {"detail": str(exc), "current_version": exc.zone.version, "their_changes": exc.changes},
        )


@router.get(
    "/zones/{zone_id}/lift", response={200: LiftOut, **READ_ERRORS}, url_name="lockdown_lift"
)
def zone_lift(request: HttpRequest, zone_id: Path[Id], date: dt.date | None = None):
    zone = _zone(request, zone_id)
    found = _lift_out(zone, date or queries.default_day())
    if found is None:
        return Status(404, {"detail": _("The zone has not started: no lift date yet.")})
    return found


@router.post(
    "/zones/{zone_id}/cases",
    response={201: ZoneCaseOut, **WRITE_ERRORS},
    url_name="lockdown_case_link",
)
def case_link(request: HttpRequest, zone_id: Path[Id], payload: CaseLinkIn):
    zone = _zone(request, zone_id)
    link = services.link_case(zone, actor=request.user, **payload.dict())
    return Status(201, link)


@router.get(
    "/zones/{zone_id}/rounds",
    response={200: list[RoundOut], **READ_ERRORS},
    url_name="lockdown_rounds",
)
def round_list(request: HttpRequest, zone_id: Path[Id]):
    zone = _zone(request, zone_id)
    return list(TestingRound.objects.for_user(request.user, "view").filter(zone=zone))


@router.post(
    "/zones/{zone_id}/rounds/new",
    response={201: RoundOut, **WRITE_ERRORS},
    url_name="lockdown_round_plan",
)
def round_plan(request: HttpRequest, zone_id: Path[Id], payload: RoundIn):
    zone = _zone(request, zone_id)
    return Status(201, services.plan_round(zone, actor=request.user, **payload.dict()))


@router.post(
    "/rounds/{round_id}/result",
    response={200: RoundOut, **WRITE_ERRORS},
    url_name="lockdown_round_result",
)
def round_result(request: HttpRequest, round_id: Path[Id], payload: RoundResultIn):
    round_ = get_object_or_404(
        TestingRound.objects.for_user(request.user, "change").select_related("zone", "zone__area"),
        pk=round_id,
    )
    return services.record_round(round_, actor=request.user, **payload.dict())


@router.get(
    "/shifts/unstaffed",
    response={200: list[ShiftOut], **READ_ERRORS},
    url_name="lockdown_unstaffed",
)
def unstaffed(request: HttpRequest, date: dt.date | None = None, area: AreaCode | None = None):
    place = _area(request, area)
    return list(
        queries.unstaffed_shifts(request.user, date or queries.default_day()).filter(
            post__zone__area__path__startswith=place.path
        )
    )


@router.get(
    "/containment",
    response={200: list[WardShareOut], **READ_ERRORS},
    url_name="lockdown_containment",
)
def containment(
    request: HttpRequest,
    area: AreaCode | None = None,
    date: dt.date | None = None,
    series: Text(40) | None = None,
):
    place = _area(request, area)
    chosen = pick_series(queries.case_series(request.user, place), series)
    shares = queries.ward_shares(request.user, place, date or queries.default_day(), chosen)
    return [
        {
            "area": s.area.code,
            "name": s.area.name,
            "new_cases": s.new_cases,
            "inside_zones": s.inside,
            "share": s.share,
            "under_control": s.under_control,
        }
        for s in shares
    ]


@router.get("/rules", response={200: list[LiftRuleOut], **errors(401)}, url_name="lockdown_rules")
def rule_list(request: HttpRequest):
    found = []
    for record in queries.current_rules():
        rule = queries.rule_of(record)
        found.append(
            {
                "code": record.code,
                "version": record.version,
                "checksum": record.checksum,
                "title": record.title,
                "title_vi": record.title_vi,
                "source_document": record.source_document,
                "source_url": record.source_url,
                "parameters": [
                    {"name": p.name, "value": p.value, "verified": p.verified, "note": p.note}
                    for p in rule.parameters.values()
                ],
                "partial_order": rule.partial_order,
            }
        )
    return found
