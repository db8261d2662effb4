"""Pages: the zone list with the containment dashboard and map, a zone's page, its forms.

Thin views: reads are scoped with ``for_user`` (``queries``), writes go through
``services``, which check the user's rights again and audit every change. The small
forms of a zone's page post to their own routes and come back to the page.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vungxanh.accounts.scoping import can, root_areas
from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain import lockdown as rules
from vungxanh.domain.tabular import parse_date
from vungxanh.lib import asof
from vungxanh.lib.dates import read_day
from vungxanh.lib.refusal import require
from vungxanh.lockdowns import exports, queries, services
from vungxanh.lockdowns.forms import (
    AssignForm,
    CaseLinkForm,
    HouseholdForm,
    InspectionForm,
    NeedForm,
    NeedMetForm,
    PartForm,
    PostForm,
    RoundPlanForm,
    RoundResultForm,
    ShiftForm,
    TransitionForm,
    ZoneForm,
)
from vungxanh.lockdowns.models import (
    GuardPost,
    InspectionPhoto,
    LiftRuleRecord,
    LockdownZone,
    Need,
    Shift,
    ShiftAssignment,
    Status,
    TestingRound,
    ZoneCase,
    ZoneNotice,
)
from vungxanh.surveillance.queries import pick_series

ZONE = "lockdowns.lockdownzone"
# Unread notices listed on the index (the tile counts them all).
NOTICES_SHOWN = 20
# The commune choice of a new zone lists at most this many: a city picks a district first.
MAX_COMMUNES = 300
# Shifts shown on a zone's page: from the day before the "as of" day to two days after.
SHIFT_WINDOW = (-1, 2)


# -- helpers -------------------------------------------------------------------------------
def lockdown_page(view):
    """Sign-in required, and a role that may read lockdown zones: the others get the 403
    page naming the roles that may (a business account sees no zone, not a page of zeros)."""

    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        require(request.user, ZONE, "view")
        return view(request, *args, **kwargs)

    return checked


def _day(request: HttpRequest, errors: list[str] | None = None) -> dt.date:
    text = request.GET.get("date", "").strip()
    if text:
        day, problem = read_day(text)
        if day is not None:
            return day
        if errors is not None:
            errors.append(problem)
    # The "as of" day chosen at the top of every page (the demo's day by default in the demo).
    return asof.read(request).day


def _zone(request: HttpRequest, pk: int, action: str = "view") -> LockdownZone:
    rows = queries.zones(request.user, action).select_related("area", "rule", "parent", "unit")
    return get_object_or_404(rows, pk=pk)


def _back(zone: LockdownZone, request: HttpRequest | None = None, anchor: str = "") -> HttpResponse:
    url = reverse("lockdowns:detail", args=[zone.pk])
    day = (request.GET.get("date") or request.POST.get("as_of", "")) if request else ""
    if day:
        url += "?" + urlencode({"date": day})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _report_errors(request: HttpRequest, form_or_exc) -> None:
    """Turn form errors or a service's ValidationError into messages."""
    if isinstance(form_or_exc, ValidationError):
        items = (
            form_or_exc.message_dict.items()
            if hasattr(form_or_exc, "error_dict")
            else [("", form_or_exc.messages)]
        )
    else:
        items = form_or_exc.errors.items()
    for field, errors in items:
        for error in errors:
            label = ""
            fields = getattr(form_or_exc, "fields", {})
            if field in fields:
                label = f"{fields[field].label}: "
            messages.error(request, f"{label}{error}")


def _map_area(request: HttpRequest) -> Area:
    code = request.GET.get("area", "").strip()
    visible = Area.objects.for_user(request.user, "view").current()
    if code:
        return get_object_or_404(visible, code=code)
    roots = root_areas(request.user)
    if not roots:
        raise PermissionDenied
    return min(roots, key=lambda a: a.path)


def _communes(request: HttpRequest, within: Area) -> list[Area] | None:
    """Communes under ``within`` where the user may propose zones; None when too many."""
    rows = (
        Area.objects.for_user(request.user, "view")
        .current()
        .filter(kind=AreaKind.COMMUNE, path__startswith=within.path)
        .order_by("name")
    )
    if rows.count() > MAX_COMMUNES:
        return None
    return [a for a in rows if can(request.user, ZONE, "add", a)]


def _zone_geometry(zone: LockdownZone) -> dict | None:
    return json.loads(zone.geometry) if zone.geometry else None


def _feature(zone: LockdownZone, status: str | None = None) -> dict:
    status = status or zone.status
    return {
        "type": "Feature",
        "id": zone.pk,
        "geometry": _zone_geometry(zone),
        "properties": {
            "id": zone.pk,
            "code": zone.code,
            "name": zone.name,
            "status": status,
            "status_label": str(Status(status).label),
            "part": zone.is_part,
            "approximate": zone.geometry_approximate,
            "simulated": zone.simulated,
            "url": reverse("lockdowns:detail", args=[zone.pk]),
        },
    }


# -- the list and dashboard ----------------------------------------------------------------
# The lists of the index page, each paginated on its own query parameter.
ZONES_PAGE, SHARES_PAGE, SHIFTS_PAGE = "page", "shares_page", "shifts_page"


def _paged(request: HttpRequest, rows, param: str):
    return Paginator(rows, settings.VX_PAGE_SIZE).get_page(request.GET.get(param))


def _query(request: HttpRequest, base: dict, without: str) -> str:
    """The page's query string without ``without`` (the pager adds it), other pages kept."""
    pages = {p: request.GET.get(p, "") for p in (ZONES_PAGE, SHARES_PAGE, SHIFTS_PAGE)}
    kept = {p: v for p, v in pages.items() if p != without and v.isdigit() and len(v) <= 6}
    return urlencode(base | kept)


@lockdown_page
def index(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    day = _day(request, errors)
    area = _map_area(request)
    status = request.GET.get("status", "")
    rows = list(
        queries.zones(request.user)
        .top_level()
        .filter(area__path__startswith=area.path)
        .select_related("area", "rule")
    )
    # The status on the day comes from each zone's dated changes: one query for all zones.
    statuses = queries.statuses_on(rows, day)
    for zone in rows:
        zone.status_then = statuses[zone.pk]
    existing = [z for z in rows if z.status_then is not None]  # locked down by the day
    in_force = [z for z in existing if z.status_then in (Status.ACTIVE, Status.PARTLY_LIFTED)]
    listed = in_force if status == "in_force" else existing
    if status and status != "in_force":
        listed = [z for z in listed if z.status_then == status]
    page = _paged(request, listed, ZONES_PAGE)
    lifts = queries.lift_statuses(page.object_list, day)
    series_options = queries.case_series(request.user, area)
    series = pick_series(series_options, request.GET.get("series"), area=area)
    shares_page = _paged(
        request, queries.share_communes(request.user, area, day, series), SHARES_PAGE
    )
    shares = queries.ward_shares(
        request.user, area, day, series, communes=list(shares_page.object_list)
    )
    unstaffed = queries.unstaffed_shifts(request.user, day).filter(
        post__zone__area__path__startswith=area.path
    )
    unstaffed_page = _paged(request, unstaffed, SHIFTS_PAGE)
    notices = ZoneNotice.objects.for_user(request.user, "view").filter(
        zone__area__path__startswith=area.path, acknowledged_at__isnull=True
    )
    base = {"area": area.code, "date": queries.fmt(day), "status": status} | (
        {"series": series.code} if series else {}
    )
    context = {
        "area": area,
        "ancestors": Area.objects.for_user(request.user, "view").ancestors_of(area),
        "day": day,
        "errors": errors,
        "status": status,
        "statuses": Status.choices,
        "page": page,
        "rows": [(z, lifts[z.pk]) for z in page.object_list],
        "in_force": in_force,
        "households": sum(z.households or 0 for z in in_force),
        "residents": sum(z.residents or 0 for z in in_force),
        "unstaffed": unstaffed_page,
        "notices": notices.select_related("zone")[:NOTICES_SHOWN],
        "notice_count": notices.count(),
        "open_needs": Need.objects.for_user(request.user, "view")
        .filter(zone__area__path__startswith=area.path, met_on__isnull=True)
        .count(),
        "shares": shares,
        "shares_page": shares_page,
        "series": series,
        "series_options": series_options,
        "share_days": queries.SHARE_DAYS,
        "may_add": can(request.user, ZONE, "add"),
        "query": urlencode(base),
        "zones_query": _query(request, base, ZONES_PAGE),
        "shares_query": _query(request, base, SHARES_PAGE),
        "shifts_query": _query(request, base, SHIFTS_PAGE),
        "map_config": {
            "geojson": reverse("lockdowns:map_geojson")
            + "?"
            + urlencode({"area": area.code, "date": queries.fmt(day)}),
            "area": reverse("api:area_geojson", args=[area.code]) + "?depth=1",
        },
    }
    return render(request, "lockdowns/index.html", context)


@lockdown_page
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    """The zones (and parts) under an area with their status on a date."""
    day = _day(request)
    area = _map_area(request)
    rows = (
        queries.zones(request.user)
        .filter(area__path__startswith=area.path)
        .exclude(geometry="")
        .select_related("area")
    )
    features = [_feature(z, z.status_then) for z in queries.locked_on(rows, day)]
    if request.GET.get("all") == "1":
        shown = {f["id"] for f in features}
        features += [_feature(z) for z in rows if z.pk not in shown]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )


@lockdown_page
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The daily lockdown report (XLSX) of an area on a date."""
    day = _day(request)
    area = _map_area(request)
    return exports.daily_report_response(request.user, area, day)


# -- creating and editing a zone -----------------------------------------------------------
def _zone_form_context(
    request, form, *, zone=None, parent_area=None, outline=None, communes=()
) -> dict:
    area = zone.area if zone else parent_area
    return {
        "form": form,
        "zone": zone,
        "draw_config": {
            "field": "id_geometry",
            "outline": outline,
            "commune": reverse("api:area_geojson", args=[area.code]) + "?depth=0" if area else "",
            "communes": {
                a.code: reverse("api:area_geojson", args=[a.code]) + "?depth=0" for a in communes
            },
            "labels": {
                "undo": _("Undo the last point"),
                "clear": _("Clear"),
                "points": _("points"),
                "hint": _("Click on the map to add the corners of the zone, in order."),
            },
        },
    }


def _units(area: Area | None):
    if area is None:
        return []
    return list(Area.objects.current().filter(path__startswith=area.path, kind=AreaKind.SUBUNIT))


def _form_values(data: dict) -> dict:
    """The zone's fields from a valid form (the commune and index cases go separately)."""
    return {k: v for k, v in data.items() if k not in {"area", "version", "index_cases"}}


@lockdown_page
def zone_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, ZONE, "add"):
        raise PermissionDenied
    visible = Area.objects.for_user(request.user, "view").current()
    chosen = request.POST.get("area") or request.GET.get("area", "")
    place = get_object_or_404(visible, code=chosen) if chosen else _map_area(request)
    # Offer the communes of the chosen commune's district, or those under the chosen area.
    within = place.parent if place.kind == AreaKind.COMMUNE and place.parent_id else place
    communes = _communes(request, within)
    if communes is None:
        children = (
            Area.objects.for_user(request.user, "view")
            .current()
            .filter(parent=within)
            .order_by("name")
        )
        return render(request, "lockdowns/zone_pick.html", {"within": within, "children": children})
    if not communes:
        raise PermissionDenied
    area = next((a for a in communes if a.code == chosen), communes[0])
    rules_ = queries.current_rules()
    initial = {"area": area.code, "rule": queries.default_rule_code(), "scope_type": "alley"}
    form = ZoneForm(
        request.POST or None,
        initial=initial,
        communes=communes,
        units=_units(area),
        rules=rules_,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = _form_values(data)
        values["unit"] = Area.objects.filter(code=data["unit"]).first() if data["unit"] else None
        values["rule"] = LiftRuleRecord.objects.get(code=data["rule"], current=True)
        try:
            zone = services.create_zone(
                area, actor=request.user, index_cases=data["index_cases"], **values
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Zone “%(name)s” proposed.") % {"name": zone.name})
            return redirect("lockdowns:detail", pk=zone.pk)
    context = _zone_form_context(request, form, parent_area=area, communes=communes)
    return render(request, "lockdowns/zone_form.html", context)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


EDIT_FIELDS = [
    "name",
    "scope_type",
    "scope_description",
    "geometry",
    "households",
    "residents",
    "reason",
    "decision_number",
    "decided_on",
    "start_date",
    "start_time",
    "planned_end",
    "source_url",
    "notes",
]


@lockdown_page
def zone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk, "change")
    initial = {f: getattr(zone, f) for f in EDIT_FIELDS}
    initial.update(
        {
            "unit": zone.unit.code if zone.unit_id else "",
            "rule": zone.rule.code,
            "version": zone.version,
        }
    )
    form = ZoneForm(
        request.POST or None,
        initial=initial,
        units=_units(zone.area),
        rules=queries.current_rules(),
        editing=True,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in EDIT_FIELDS}
        changes["unit"] = Area.objects.filter(code=data["unit"]).first() if data["unit"] else None
        rule = LiftRuleRecord.objects.get(code=data["rule"], current=True)
        if rule.code != zone.rule.code:
            changes["rule"] = rule
        try:
            services.update_zone(zone, actor=request.user, version=data["version"] or 0, **changes)
        except services.ZoneConflict as exc:
            conflict = exc
            # Their version is now the base: saving again, having read it, is deliberate.
            form.data = form.data.copy()
            form.data["version"] = exc.zone.version
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Zone “%(name)s” saved.") % {"name": data["name"]})
            return redirect("lockdowns:detail", pk=zone.pk)
    context = _zone_form_context(request, form, zone=zone)
    context["conflict"] = conflict
    if conflict is not None:
        context["conflict_rows"] = [
            {
                "field": _field_label(c["field"]),
                "theirs": _plain(c["field"], c["after"]),
                "before": _plain(c["field"], c["before"]),
                "by": c["by"],
                "at": timezone.localtime(c["at"]),
            }
            for c in conflict.changes
        ]
    return render(request, "lockdowns/zone_form.html", context, status=409 if conflict else 200)


def _field_label(name: str) -> str:
    try:
        return str(LockdownZone._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an audit key that is not a field: show it as it is
        return name


def _plain(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "geometry":
        return _("(the drawn polygon)")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        day = parse_date(value)
        return queries.fmt(day) if day else value
    return str(value)


# -- a zone's page -------------------------------------------------------------------------
@lockdown_page
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    errors: list[str] = []
    day = _day(request, errors)
    user = request.user
    status = queries.lift_status(zone, day)
    parts = list(zone.parts.select_related("rule").order_by("risk", "code"))
    links = list(zone.cases.select_related("found_round"))
    part_links = list(ZoneCase.objects.filter(zone__parent=zone).select_related("zone"))
    start = timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=SHIFT_WINDOW[0]), dt.time.min)
    )
    end = timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=SHIFT_WINDOW[1] + 1), dt.time.min)
    )
    posts = list(zone.posts.all())
    shifts = list(
        Shift.objects.for_user(user, "view")
        .filter(post__zone=zone, starts_at__lt=end, ends_at__gt=start)
        .prefetch_related("assignments__user")
        .select_related("post")
    )
    may = {
        "change": can(user, ZONE, "change", zone.area),
        "add": can(user, ZONE, "add", zone.area),
        "cases": can(user, "lockdowns.zonecase", "add", zone.area),
        "rounds": can(user, "lockdowns.testinground", "add", zone.area),
        "posts": can(user, "lockdowns.guardpost", "add", zone.area),
        "inspect": can(user, "lockdowns.inspection", "add", zone.area),
        "needs": can(user, "lockdowns.need", "add", zone.area),
        "photos": can(user, "lockdowns.inspectionphoto", "view", zone.area),
    }
    households = list(zone.household_list.all())
    officials = list(queries.roster(zone.area)) if may["posts"] else []
    choices = sorted(rules.TRANSITIONS[rules.ZoneStatus(zone.status)])
    context = {
        "zone": zone,
        "day": day,
        "errors": errors,
        "ancestors": Area.objects.for_user(user, "view").ancestors_of(zone.area),
        "lift": status.lift if status else None,
        "lift_status": status,
        "lift_sentence": status.sentence if status else "",
        "missing": status.missing if status else [],
        "rule": queries.rule_of(zone.rule),
        "status_then": queries.status_on(zone, day),
        "transitions": zone.transitions.all(),
        "parts": [(p, queries.lift_status(p, day)) for p in parts],
        "containment": queries.containment(zone, links),
        "part_links": part_links,
        "rounds": [
            (r, RoundResultForm(auto_id=f"id_round{r.pk}_%s") if may["rounds"] else None)
            for r in zone.rounds.prefetch_related("cases")
        ],
        "posts": [
            (
                p,
                ShiftForm(initial={"day": day}, auto_id=f"id_post{p.pk}_%s")
                if may["posts"]
                else None,
            )
            for p in posts
        ],
        "shifts": [
            (
                s,
                s.assignments.all(),
                len(s.assignments.all()) < s.required_staff,
                AssignForm(users=officials, auto_id=f"id_shift{s.pk}_%s") if may["posts"] else None,
            )
            for s in shifts
        ],
        "inspections": zone.inspections.prefetch_related("violations", "photos"),
        "households": households,
        "needs": [
            (
                n,
                NeedMetForm(initial={"met_on": day}, auto_id=f"id_need{n.pk}_%s")
                if may["needs"]
                else None,
            )
            for n in zone.needs.select_related("household")
        ],
        "notices": ZoneNotice.objects.for_user(user, "view")
        .filter(zone__in=[zone, *parts])
        .select_related("zone"),
        "may": may,
        "transition_form": TransitionForm(
            initial={"version": zone.version, "effective_on": day}, choices=choices
        )
        if may["change"] and choices
        else None,
        "part_form": PartForm()
        if may["add"] and not zone.is_part and zone.status in (Status.PROPOSED, Status.ACTIVE)
        else None,
        "case_form": CaseLinkForm() if may["cases"] else None,
        "round_form": RoundPlanForm(initial={"day": day, "whole_zone": True})
        if may["rounds"]
        else None,
        "post_form": PostForm() if may["posts"] else None,
        "inspection_form": InspectionForm(initial={"day": day}) if may["inspect"] else None,
        "household_form": HouseholdForm() if may["needs"] else None,
        "need_form": NeedForm(households=households, initial={"requested_on": day})
        if may["needs"]
        else None,
        "as_of": queries.fmt(day),
        "map_config": {
            "zone": _feature(zone),
            "parts": [_feature(p) for p in parts if p.geometry],
            "commune": reverse("api:area_geojson", args=[zone.area.code]) + "?depth=0",
            "posts": [
                {"name": p.name, "lat": p.latitude, "lng": p.longitude}
                for p in posts
                if p.latitude is not None and p.longitude is not None
            ],
        },
    }
    return render(request, "lockdowns/detail.html", context)


@lockdown_page
@require_POST
def zone_transition(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk, "change")
    choices = sorted(rules.TRANSITIONS[rules.ZoneStatus(zone.status)])
    form = TransitionForm(request.POST, choices=choices)
    if not form.is_valid():
        _report_errors(request, form)
        return _back(zone, request, "status")
    data = form.cleaned_data
    try:
        saved = services.transition(
            zone,
            actor=request.user,
            to=data["to_status"],
            decision_number=data["decision_number"],
            decided_on=data["decided_on"],
            effective_on=data["effective_on"],
            reason=data["reason"],
            override_reason=data["override_reason"],
            version=data["version"],
        )
    except services.ZoneConflict as exc:
        messages.error(request, str(exc))
        return _back(zone, request, "status")
    except ValidationError as exc:
        _report_errors(request, exc)
        return _back(zone, request, "status")
    messages.success(
        request,
        _("“%(name)s” is now %(status)s (%(decision)s).")
        % {
            "name": saved.name,
            "status": saved.get_status_display(),
            "decision": data["decision_number"],
        },
    )
    return _back(zone, request, "status")


@lockdown_page
def part_create(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk, "add")
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            part = services.create_part(zone, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Part “%(name)s” added.") % {"name": part.name})
            return redirect("lockdowns:detail", pk=zone.pk)
    context = _zone_form_context(request, form, zone=zone, outline=_zone_geometry(zone))
    context["zone"] = None
    context["part_of"] = zone
    return render(request, "lockdowns/part_form.html", context)


def _post_service(request, zone, form, call, success: str, anchor: str) -> HttpResponse:
    """Validate ``form``, run ``call(data)``, report the outcome, go back to the zone."""
    if not form.is_valid():
        _report_errors(request, form)
        return _back(zone, request, anchor)
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, success)
    return _back(zone, request, anchor)


@lockdown_page
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.zonecase", "add", zone.area):
        raise PermissionDenied
    return _post_service(
        request,
        zone,
        CaseLinkForm(request.POST),
        lambda d: services.link_case(zone, actor=request.user, **d),
        _("Case linked."),
        "cases",
    )


@lockdown_page
@require_POST
def round_plan(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.testinground", "add", zone.area):
        raise PermissionDenied
    return _post_service(
        request,
        zone,
        RoundPlanForm(request.POST),
        lambda d: services.plan_round(zone, actor=request.user, **d),
        _("Round planned."),
        "rounds",
    )


@lockdown_page
@require_POST
def round_result(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(
        TestingRound.objects.for_user(request.user, "change").select_related("zone", "zone__area"),
        pk=pk,
    )
    return _post_service(
        request,
        round_.zone,
        RoundResultForm(request.POST),
        lambda d: services.record_round(round_, actor=request.user, **d),
        _("Round %(n)d recorded.") % {"n": round_.number},
        "rounds",
    )


@lockdown_page
@require_POST
def post_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.guardpost", "add", zone.area):
        raise PermissionDenied
    return _post_service(
        request,
        zone,
        PostForm(request.POST),
        lambda d: services.add_post(zone, actor=request.user, **d),
        _("Post added."),
        "posts",
    )


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@lockdown_page
@require_POST
def shift_add(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(
        GuardPost.objects.for_user(request.user, "add").select_related("zone", "zone__area"), pk=pk
    )

    def call(d):
        starts = _aware(d["day"], d["start"])
        ends = _aware(d["day"], d["end"])
        if ends <= starts:  # a night shift ends the next morning
            ends += dt.timedelta(days=1)
        services.add_shift(
            post,
            actor=request.user,
            starts_at=starts,
            ends_at=ends,
            required_staff=d["required_staff"],
        )

    return _post_service(
        request, post.zone, ShiftForm(request.POST), call, _("Shift added."), "posts"
    )


@lockdown_page
@require_POST
def shift_assign(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(
        Shift.objects.for_user(request.user, "add").select_related("post__zone__area"), pk=pk
    )
    zone = shift.post.zone
    users = queries.roster(zone.area)
    form = AssignForm(request.POST, users=users)

    def call(d):
        user = users.filter(pk=d["user"]).first() if d["user"] else None
        services.assign_official(shift, actor=request.user, user=user, roster_name=d["roster_name"])

    return _post_service(request, zone, form, call, _("Official assigned."), "posts")


@lockdown_page
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ShiftAssignment.objects.for_user(request.user, "view").select_related(
            "shift__post__zone__area"
        ),
        pk=pk,
    )
    zone = assignment.shift.post.zone
    try:
        services.check_in(assignment, actor=request.user)
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, _("Checked in."))
    return _back(zone, request, "posts")


@lockdown_page
@require_POST
def inspection_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.inspection", "add", zone.area):
        raise PermissionDenied
    form = InspectionForm(request.POST, request.FILES)

    def call(d):
        violations = []
        if d["violation_kind"]:
            violations.append(
                {
                    "kind": d["violation_kind"],
                    "description": d["violation_description"],
                    "action_taken": d["action_taken"],
                }
            )
        photos = [(f.name, f.read()) for f in d["photos"]]
        services.record_inspection(
            zone,
            actor=request.user,
            visited_at=_aware(d["day"], d["time"]),
            findings=d["findings"],
            violations=violations,
            photos=photos,
        )

    return _post_service(request, zone, form, call, _("Inspection recorded."), "inspections")


@lockdown_page
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """An inspection photo, to the people who may see the zone's inspections."""
    row = get_object_or_404(InspectionPhoto.objects.for_user(request.user, "view"), pk=pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{row.pk}.{row.extension}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@lockdown_page
@require_POST
def household_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.zonehousehold", "add", zone.area):
        raise PermissionDenied
    return _post_service(
        request,
        zone,
        HouseholdForm(request.POST),
        lambda d: services.add_household(zone, actor=request.user, **d),
        _("Household added."),
        "needs",
    )


@lockdown_page
@require_POST
def need_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _zone(request, pk)
    if not can(request.user, "lockdowns.need", "add", zone.area):
        raise PermissionDenied
    households = zone.household_list.all()
    form = NeedForm(request.POST, households=households)

    def call(d):
        household = households.filter(pk=d["household"]).first() if d["household"] else None
        services.record_need(
            zone,
            actor=request.user,
            kind=d["kind"],
            description=d["description"],
            household=household,
            people=d["people"],
            requested_on=d["requested_on"],
        )

    return _post_service(request, zone, form, call, _("Need recorded."), "needs")


@lockdown_page
@require_POST
def need_met(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(
        Need.objects.for_user(request.user, "change").select_related("zone", "zone__area"), pk=pk
    )
    return _post_service(
        request,
        need.zone,
        NeedMetForm(request.POST),
        lambda d: services.meet_need(need, actor=request.user, **d),
        _("Need marked as met."),
        "needs",
    )


@lockdown_page
@require_POST
def notice_ack(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(
        ZoneNotice.objects.for_user(request.user, "change").select_related("zone", "zone__area"),
        pk=pk,
    )
    services.acknowledge_notice(notice, actor=request.user)
    messages.success(request, _("Notice acknowledged."))
    target = notice.zone.parent or notice.zone
    return _back(target, request, "lift")
