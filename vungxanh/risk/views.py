"""Pages: the level map with its date slider, an area's explanation and history, publishing.

Every read is scoped with ``for_user``; publishing and deciding go through
``risk.services`` (which check the steering committee's rights again). The public map is
in ``public_map`` at the end: levels only, no login, no user data, cacheable.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import can, member_paths, root_areas
from vungxanh.areas.models import Area, AreaKind
from vungxanh.lib import asof, tiles
from vungxanh.lib.dates import read_day
from vungxanh.lib.downloads import xlsx_download
from vungxanh.lib.workbook import Book
from vungxanh.risk import applies, map_model, outlook, projection, services
from vungxanh.risk.forms import DecideForm, PublishForm
from vungxanh.risk.freshness import freshness, moment, shown_series_code
from vungxanh.risk.models import (
    Assessment,
    AssessmentSeries,
    LevelChange,
    OfficialDecision,
    RuleSetRecord,
)
from vungxanh.surveillance.models import Series

ASSESSMENT = "risk.assessment"
# Published assessments listed on an area's page, newest first.
ASSESSMENTS_SHOWN = 30
CHANGES_SHOWN = 50
PUBLIC_LANGUAGES = ("vi", "en")


# -- helpers -------------------------------------------------------------------------------
def _areas(request: HttpRequest):
    return Area.objects.for_user(request.user, "view").current()


def _computed(request: HttpRequest):
    return AssessmentSeries.objects.for_user(request.user, "view")


def _area(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(_areas(request), code=code)


def _today() -> dt.date:
    return timezone.localdate()


def _day(request: HttpRequest, errors: list[str]) -> dt.date | None:
    text = request.GET.get("date", "").strip()
    if not text:
        return None
    day, problem = read_day(text)
    if day is None:
        errors.append(problem)
    return day


def _map_area(request: HttpRequest) -> Area:
    code = request.GET.get("area", "").strip()
    if code:
        return _area(request, code)
    roots = root_areas(request.user)
    if not roots:
        raise PermissionDenied
    return min(roots, key=lambda a: a.path)


def _choice(request: HttpRequest, errors: list[str]) -> map_model.MapChoice:
    area = _map_area(request)
    # Without a date of its own, the map shows the "as of" day (the last reported day
    # when the figures stop before it), like the surveillance pages.
    return map_model.choose(
        area,
        _computed(request),
        rules=request.GET.get("rules", ""),
        series=shown_series_code(area, _computed(request), request.GET.get("series", "").strip()),
        day=_day(request, errors),
        today=asof.read(request).day,
        demo=False,
    )


def _outlooks(request: HttpRequest, level_map: map_model.LevelMap) -> dict[int, outlook.Outlook]:
    """The projection of each unit of the map on its day (the warnings)."""
    rows = list(
        _computed(request)
        .filter(
            ruleset=level_map.record,
            series=level_map.series,
            area__in=[row.area for row in level_map.rows],
        )
        .select_related("area")
    )
    return outlook.outlooks(level_map.record, level_map.series, level_map.day, rows)


def _collection(request: HttpRequest, level_map: map_model.LevelMap, *, geometry: bool) -> dict:
    """The map's GeoJSON with each unit's warning and the freshness of the whole."""
    collection = level_map.geojson(geometry=geometry)
    warnings = _outlooks(request, level_map)
    codes = {row.area.code: row.area.pk for row in level_map.rows}
    text = _("Likely to move to a higher level in the next 7 days")
    for feature in collection["features"]:
        found = warnings.get(codes.get(feature["id"]))
        warned = found is not None and found.warning
        feature["properties"]["warning"] = warned
        feature["properties"]["warning_text"] = text if warned else ""
        feature["properties"]["warning_probability"] = (
            round(found.probability, 3)
            if found is not None and found.probability is not None
            else None
        )
    fresh = freshness(level_map.parent, level_map.series, level_map.record, as_of=level_map.day)
    collection.update(
        {
            "data_until": fresh.data_until.isoformat() if fresh.data_until else None,
            "levels_computed_at": fresh.levels_computed_at.isoformat()
            if fresh.levels_computed_at
            else None,
            "recompute_pending": fresh.recompute_pending,
            "freshness": fresh.line(),
        }
    )
    return collection


def _geojson_response(
    request: HttpRequest, level_map: map_model.LevelMap, *, download: bool, geometry: bool
) -> JsonResponse:
    response = JsonResponse(
        _collection(request, level_map, geometry=geometry),
        json_dumps_params={"ensure_ascii": False},
        content_type=map_model.GEOJSON_TYPE if download else "application/json",
    )
    if download:
        response["Content-Disposition"] = f'attachment; filename="{level_map.filename("geojson")}"'
    return response


def _level_map(request: HttpRequest, choice: map_model.MapChoice) -> map_model.LevelMap:
    return map_model.build(
        choice.area,
        choice.record,
        choice.series,
        choice.day,
        areas=_areas(request),
        computed=_computed(request),
        officials=OfficialDecision.objects.for_user(request.user, "view"),
        published=Assessment.objects.for_user(request.user, "view"),
        own=choice.own,
    )


def _ready_map(request: HttpRequest) -> map_model.LevelMap:
    """The map a data or export request names; 404 when nothing is computed for it."""
    choice = _choice(request, [])
    if not choice.ready:
        raise Http404
    return _level_map(request, choice)


# -- the map -------------------------------------------------------------------------------
def _business_only(user) -> bool:
    """Whether every role of ``user`` is the business account's (a shop owner)."""
    roles = {role for role, _path in member_paths(user)}
    return not user.is_superuser and roles == {Role.BUSINESS}


def _public_map_of(user) -> str:
    """The public map of the user's area (its district or province: the public kinds)."""
    url = reverse("public:map")
    for root in sorted(root_areas(user), key=lambda a: a.path):
        area = _public_ancestor(root.path)
        if area is not None:
            return f"{url}?{urlencode({'area': area.code})}"
    return url


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    """The levels map of the user's area (a business account is sent to the public map:
    the levels are public, and the working map's figures and exports are not its business)."""
    if _business_only(request.user):
        return redirect(_public_map_of(request.user))
    errors: list[str] = []
    choice = _choice(request, errors)
    level_map = _level_map(request, choice) if choice.ready else None
    context = {
        "choice": choice,
        "area": choice.area,
        "ancestors": _areas(request).ancestors_of(choice.area),
        "records": map_model.records_for_select(choice),
        "level_map": level_map,
        "errors": errors,
    }
    if level_map is not None:
        query = choice.query()
        warnings = _outlooks(request, level_map)
        context.update(
            {
                "query": urlencode(query),
                "legend": level_map.legend(),
                "config": _map_config(choice, query),
                "freshness": freshness(choice.area, choice.series, choice.record, as_of=choice.day),
                "warned": [r.area for r in level_map.rows if _warned(warnings, r.area)],
                "warned_codes": {r.area.code for r in level_map.rows if _warned(warnings, r.area)},
            }
        )
    return render(request, "risk/map.html", context)


def _warned(warnings: dict[int, outlook.Outlook], area: Area) -> bool:
    found = warnings.get(area.pk)
    return found is not None and found.warning


def _map_config(choice: map_model.MapChoice, query: dict) -> dict:
    return {
        "geojson": reverse("risk:map_geojson") + "?" + urlencode(query),
        "levels": reverse("risk:map_levels"),
        "table": reverse("risk:map_table"),
        "explain": reverse("risk:explain", args=["CODE"]),
        "query": query,
        "first": choice.first.isoformat(),
        "days": (choice.last - choice.first).days + 1,
        "offset": (choice.day - choice.first).days,
        "area": choice.area.code,
        "labels": {
            "no_data": _("no data"),
            "not_in_force": _("This rule set was not in force on this date."),
            "error": _("The levels could not be loaded."),
        },
    }


@login_required
@require_GET
def map_levels(request: HttpRequest) -> HttpResponse:
    """The levels of the map's areas on a date, without geometry (for the date slider)."""
    return _geojson_response(request, _ready_map(request), download=False, geometry=False)


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> HttpResponse:
    """The map's areas with their boundaries and levels; ``?download=1`` for the export."""
    download = request.GET.get("download") == "1"
    return _geojson_response(request, _ready_map(request), download=download, geometry=True)


@login_required
@require_GET
def map_table(request: HttpRequest) -> HttpResponse:
    level_map = _ready_map(request)
    warnings = _outlooks(request, level_map)
    context = {
        "level_map": level_map,
        "warned_codes": {r.area.code for r in level_map.rows if _warned(warnings, r.area)},
    }
    return render(request, "risk/_table.html", context)


@login_required
@require_GET
def map_xlsx(request: HttpRequest) -> HttpResponse:
    """The map's table as XLSX; the last columns say how fresh its levels are."""
    level_map = _ready_map(request)
    fresh = freshness(level_map.parent, level_map.series, level_map.record, as_of=level_map.day)
    stamps = [
        moment(fresh.data_until),
        moment(fresh.levels_computed_at),
        _("yes") if fresh.recompute_pending else _("no"),
    ]
    book = Book(streaming=True)
    sheet = book.sheet(_("Levels"))
    sheet.append(
        [
            *map_model.xlsx_header(level_map),
            _("data up to"),
            _("levels computed at"),
            _("recompute pending"),
        ]
    )
    for row in map_model.xlsx_rows(level_map):
        sheet.append([*row, *stamps])
    return xlsx_download(level_map.filename("xlsx"), book)


# -- one area ------------------------------------------------------------------------------
def _record(code: str) -> RuleSetRecord:
    record = RuleSetRecord.objects.filter(code=code, current=True).first()
    if record is None:
        raise Http404
    return record


def _stored(request: HttpRequest, area: Area, record: RuleSetRecord, series_code: str):
    rows = _computed(request).filter(area=area, ruleset=record).select_related("series", "area")
    rows = sorted(rows, key=lambda r: (r.series.priority, r.series.code))
    chosen = [r for r in rows if r.series.code == series_code] or rows
    return chosen[0] if chosen else None


@login_required
@require_GET
def explain(request: HttpRequest, code: str) -> HttpResponse:
    """The explanation panel of one area (an htmx fragment)."""
    area = _area(request, code)
    errors: list[str] = []
    record = _record(request.GET.get("rules", ""))
    named = request.GET.get("series", "").strip()
    stored = _stored(
        request, area, record, shown_series_code(area, _computed(request), named, children=False)
    )
    day = _day(request, errors) or asof.read(request).day
    if stored is None:
        return render(
            request, "risk/_explain.html", {"area": area, "record": record, "missing": True}
        )
    found = map_model.explain_area(
        record,
        stored.series,
        stored,
        day,
        published=Assessment.objects.for_user(request.user, "view"),
        officials=OfficialDecision.objects.for_user(request.user, "view"),
    )
    return render(
        request,
        "risk/_explain.html",
        {"area": area, "record": record, "found": found, "errors": errors},
    )


def _page_day(request: HttpRequest, rows, errors: list[str]) -> dt.date | None:
    """The page's day: the one asked for, else the "as of" day (or the last reported)."""
    day = _day(request, errors)
    if day is not None or not rows:
        return day
    first = min(r.start for r in rows)
    last = max(r.start + dt.timedelta(days=r.days - 1) for r in rows)
    return map_model.default_day(first, last, asof.read(request).day, demo=False)


@login_required
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    """An area's level history per rule set, its changes, what it takes to turn green."""
    area = _area(request, code)
    errors: list[str] = []
    computable = {r.pk: r for r in services.computable_rulesets()}
    rows = [
        r
        for r in _computed(request).filter(area=area).select_related("series", "ruleset")
        if r.ruleset_id in computable
    ]
    series_options = sorted({r.series for r in rows}, key=lambda s: (s.priority, s.code))
    wanted = shown_series_code(
        area, _computed(request), request.GET.get("series", "").strip(), children=False
    )
    series = next(
        (s for s in series_options if s.code == wanted),
        series_options[0] if series_options else None,
    )
    rows = sorted((r for r in rows if r.series == series), key=lambda r: r.ruleset.code)
    day = _page_day(request, rows, errors)
    published = Assessment.objects.for_user(request.user, "view").filter(area=area)
    officials = list(
        OfficialDecision.objects.for_user(request.user, "view")
        .filter(area=area)
        .order_by("effective_on", "id")
    )
    histories = [_history(r, published, officials) for r in rows]
    applied = applies.level_in_force(
        area,
        day,
        series,
        _computed(request),
        OfficialDecision.objects.for_user(request.user, "view"),
        published,
    )
    projections = [
        p
        for r in rows
        if day is not None and services.ruleset_of(r.ruleset).applies_on(day)
        for p in [projection.project(r.ruleset, r.series, area, day)]
        if p is not None
    ]
    outlooks = [
        (r.ruleset, found)
        for r in rows
        if day is not None and services.ruleset_of(r.ruleset).applies_on(day)
        for found in [outlook.outlook(r.ruleset, r.series, day, r)]
        if found is not None
    ]
    may_publish = can(request.user, ASSESSMENT, "add", area)
    may_decide = can(request.user, ASSESSMENT, "change", area)
    assessments = list(
        published.select_related("ruleset", "series", "override_by").order_by(
            "-date", "ruleset__code"
        )[:ASSESSMENTS_SHOWN]
    )
    context = {
        "area": area,
        "ancestors": _areas(request).ancestors_of(area),
        "series": series,
        "series_options": series_options,
        "day": day,
        "errors": errors,
        "histories": histories,
        "chart": {"charts": [h["chart"] for h in histories], "labels": _chart_labels()},
        "projections": projections,
        "outlooks": outlooks,
        "freshness": freshness(area, series, as_of=day),
        "area_level": applied,
        "applies": applied,
        "changes": LevelChange.objects.for_user(request.user, "view")
        .filter(area=area)
        .select_related("ruleset")[:CHANGES_SHOWN],
        "officials": officials,
        "assessments": [(a, _decide_form(a) if may_decide else None) for a in assessments],
        "publish_form": _publish_form(rows, series, day) if may_publish and rows else None,
        "has_children": _areas(request).filter(parent=area).exists(),
    }
    return render(request, "risk/area.html", context)


def _chart_labels() -> dict:
    return {
        "computed": _("computed"),
        "in_force": _("in force"),
        "decided": _("published / decided"),
        "official": _("official decision"),
    }


def _history(row: AssessmentSeries, published, officials: list[OfficialDecision]) -> dict:
    """The step chart of one rule set: computed and in-force ranks, decisions as points."""
    ruleset = services.ruleset_of(row.ruleset)
    ranks = [lv.rank if lv.state == "level" else None for lv in ruleset.levels]

    def rank_of(index: int) -> int | None:
        return ranks[index] if index >= 0 else None

    dates = [row.start + dt.timedelta(days=t) for t in range(row.days)]
    assessments = list(published.filter(ruleset=row.ruleset, series=row.series).order_by("date"))
    top = max((lv.rank for lv in ruleset.ranked_levels()), default=4)
    chart = {
        "id": f"history-{row.ruleset.code}",
        "title": f"{row.ruleset.code} v{row.ruleset.version}",
        "dates": [d.strftime("%d/%m/%Y") for d in dates],
        "computed": [rank_of(int(i)) for i in row.level_indexes(computed=True)],
        "in_force": [rank_of(int(i)) for i in row.level_indexes()],
        "decided": [
            {
                "x": a.date.strftime("%d/%m/%Y"),
                "y": a.decided_rank,
                "label": map_model.level_label(_level_or_none(ruleset, a.decided_key)),
            }
            for a in assessments
            if row.offset(a.date) is not None
        ],
        "official": [
            {"x": o.effective_on.strftime("%d/%m/%Y"), "y": o.rank, "label": o.label}
            for o in officials
            if o.rank is not None and row.offset(o.effective_on) is not None
        ],
        "levels": {str(lv.rank): map_model.level_label(lv) for lv in ruleset.ranked_levels()},
        "colours": {str(lv.rank): lv.colour for lv in ruleset.ranked_levels()},
        "max": top,
    }
    return {"record": row.ruleset, "ruleset": ruleset, "chart": chart, "row": row}


def _level_or_none(ruleset, key: str):
    return next((lv for lv in ruleset.levels if lv.key == key), None)


def _publish_form(rows, series: Series | None, day: dt.date | None) -> PublishForm:
    records = [r.ruleset for r in rows]
    in_force = [r for r in records if day and services.ruleset_of(r).applies_on(day)]
    initial = {
        "date": day.strftime("%d/%m/%Y") if day else "",
        "rules": (in_force or records)[0].code,
        "series": series.code if series else "",
    }
    return PublishForm(initial=initial, records=records, series=[series] if series else [])


def _decide_form(assessment: Assessment) -> DecideForm:
    ruleset = services.ruleset_of(assessment.ruleset)
    levels = [(lv.key, map_model.level_label(lv)) for lv in ruleset.ranked_levels()]
    return DecideForm(
        initial={"level": assessment.decided_key, "legal_basis": assessment.legal_basis},
        levels=levels,
        prefix=f"a{assessment.pk}",
    )


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """Publish the levels of a date for the area and every area under it."""
    area = _area(request, code)
    if not can(request.user, ASSESSMENT, "add", area):
        raise PermissionDenied
    records = [r for r in services.computable_rulesets()]
    series = list(Series.objects.all())
    form = PublishForm(request.POST, records=records, series=series)
    target = reverse("risk:area", args=[area.code])
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label}: {error}" if field in form.fields else error,
                )
        return redirect(target)
    data = form.cleaned_data
    record = _record(data["rules"])
    chosen = Series.objects.get(code=data["series"])
    saved = services.publish(
        record, chosen, data["date"], area, actor=request.user, legal_basis=data["legal_basis"]
    )
    if saved:
        messages.success(
            request,
            _("%(n)d levels of %(date)s published under %(rules)s.")
            % {"n": len(saved), "date": data["date"].strftime("%d/%m/%Y"), "rules": record.code},
        )
    else:
        messages.info(
            request,
            _(
                "Nothing new to publish: the levels of %(date)s are already published or not computed."
            )
            % {"date": data["date"].strftime("%d/%m/%Y")},
        )
    query = urlencode({"date": data["date"].strftime("%d/%m/%Y"), "series": chosen.code})
    return redirect(f"{target}?{query}")


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide a level different from the computed one, with a written reason."""
    assessment = get_object_or_404(
        Assessment.objects.for_user(request.user, "change").select_related("area", "ruleset"),
        pk=pk,
    )
    form = DecideForm(
        request.POST,
        levels=[
            (lv.key, lv.label) for lv in services.ruleset_of(assessment.ruleset).ranked_levels()
        ],
        prefix=f"a{assessment.pk}",
    )
    target = reverse("risk:area", args=[assessment.area.code])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        services.decide_level(
            assessment,
            actor=request.user,
            level_key=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            legal_basis=form.cleaned_data["legal_basis"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(target)
    messages.success(
        request,
        _("Level of %(area)s on %(date)s decided.")
        % {"area": assessment.area.name, "date": assessment.date.strftime("%d/%m/%Y")},
    )
    return redirect(f"{target}?{urlencode({'date': assessment.date.strftime('%d/%m/%Y')})}")


# -- the public map ------------------------------------------------------------------------
PUBLIC_KINDS = (AreaKind.NATION, AreaKind.PROVINCE, AreaKind.DISTRICT)


@require_GET
@cache_control(public=True, max_age=300)
def public_map(request: HttpRequest) -> HttpResponse:
    """The nation's provinces (or a province's or district's units) with their levels.

    No login, no cookie read or set: the page depends only on its URL (``?lang=`` instead
    of the language cookie), so any cache may keep it. Without ``?area=`` it opens on the
    publishing area (``publishing_area``). Each unit is painted with the level that applies
    (an official decision or a published level is a public act) and says where it comes
    from; levels, legends and the level sentence only: no reasons, inputs or user data.
    """
    lang = request.GET.get("lang", "vi")
    lang = lang if lang in PUBLIC_LANGUAGES else "vi"
    with translation.override(lang):
        body = _public_body(request, lang)
    response = HttpResponse(body)
    response["Content-Language"] = lang
    return response


def _public_body(request: HttpRequest, lang: str) -> str:
    areas = Area.objects.current().filter(kind__in=PUBLIC_KINDS)
    code = request.GET.get("area", "").strip()
    area = areas.filter(code=code).first() if code else publishing_area()
    if area is None:
        raise Http404
    errors: list[str] = []
    everywhere = AssessmentSeries.objects.all()
    choice = map_model.choose(
        area,
        everywhere,
        rules=request.GET.get("rules", ""),
        series=request.GET.get("series", ""),
        day=_day(request, errors),
        today=_today(),
        demo=settings.DEMO,
        own_levels=False,
    )
    context = {"area": area, "choice": choice, "errors": errors, "lang": lang}
    context.update(tiles.page_context())
    if choice.ready:
        level_map = map_model.build(
            area,
            choice.record,
            choice.series,
            choice.day,
            areas=Area.objects.current(),
            computed=everywhere,
            # Official decisions and published levels are public acts: the level that
            # applies is the one the public map paints (never a decision's reason).
            officials=OfficialDecision.objects.all(),
            published=Assessment.objects.all(),
        )
        context.update(
            {
                "level_map": level_map,
                "legend": level_map.legend(),
                "records": map_model.records_for_select(choice),
                "ancestors": Area.objects.current()
                .ancestors_of(area)
                .filter(kind__in=PUBLIC_KINDS),
                "geojson": _public_geojson(level_map),
                "lang_links": {
                    other: urlencode({**choice.query(), "lang": other})
                    for other in PUBLIC_LANGUAGES
                },
                "drill": area.kind in (AreaKind.NATION, AreaKind.PROVINCE),
                "freshness": freshness(area, choice.series, choice.record, as_of=choice.day),
            }
        )
    return render_to_string("risk/public_map.html", context)


def publishing_area() -> Area | None:
    """The area the public map opens on: the deployment's area.

    The smallest public area (nation, province, district) holding every published level
    (the steering committee's), else every computed level, else the nation. The demo
    publishes Ninh Kiều's wards, so its public map opens on Ninh Kiều, not on the country.
    """
    for model in (Assessment, AssessmentSeries):
        ids = model.objects.order_by().values("area_id").distinct()
        paths = list(Area.objects.filter(pk__in=ids).values_list("path", flat=True))
        if paths:
            found = _public_ancestor(_common_path(paths))
            if found is not None:
                return found
    return (
        Area.objects.current()
        .filter(kind__in=PUBLIC_KINDS, parent__isnull=True)
        .order_by("path")
        .first()
    )


def _common_path(paths: list[str]) -> str:
    """The longest path ("VN/92/916/") every path in ``paths`` starts with."""
    keys = [p.rstrip("/").split("/") for p in paths]
    common = []
    for parts in zip(*keys, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common) + "/" if common else ""


def _public_ancestor(path: str) -> Area | None:
    """The area at ``path``, or its nearest public ancestor, when it has units to show."""
    if not path:
        return None
    keys = path.rstrip("/").split("/")
    candidates = ["/".join(keys[: i + 1]) + "/" for i in range(len(keys))]
    found = {
        a.path: a for a in Area.objects.current().filter(path__in=candidates, kind__in=PUBLIC_KINDS)
    }
    for candidate in reversed(candidates):
        area = found.get(candidate)
        if area is not None and Area.objects.current().filter(parent=area).exists():
            return area
    return None


def _public_geojson(level_map: map_model.LevelMap) -> dict:
    collection = level_map.geojson(public=True)
    sentences = _public_sentences(level_map)
    for feature in collection["features"]:
        feature["properties"]["sentence"] = sentences.get(feature["id"], "")
    return collection


def _public_sentences(level_map: map_model.LevelMap) -> dict[str, str]:
    """The level sentence of each area whose level that applies is this rule set's result
    (not a decision, not another rule set's)."""
    stored = {
        r.area_id: r
        for r in AssessmentSeries.objects.filter(
            ruleset=level_map.record,
            series=level_map.series,
            area__in=[row.area for row in level_map.rows],
        ).select_related("area")
    }
    sentences = {}
    for row in level_map.rows:
        if row.level is None or row.differs or row.area.pk not in stored:
            continue
        if row.decided or row.applied is None or row.applied.record != level_map.record:
            continue
        explanation, _values = services.explain_day(
            level_map.record, stored[row.area.pk], level_map.day
        )
        english = translation.get_language() == "en"
        sentences[row.area.code] = explanation.sentence_en if english else explanation.sentence_vi
    return sentences
