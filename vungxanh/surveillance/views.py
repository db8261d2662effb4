"""Pages: an area's epidemic curve and indicators, its units side by side, the case list."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vungxanh.accounts.scoping import can, default_area
from vungxanh.areas.models import Area
from vungxanh.lib import asof
from vungxanh.lib.dates import read_day
from vungxanh.lib.refusal import require
from vungxanh.risk.applies import level_in_force
from vungxanh.risk.freshness import freshness, moment
from vungxanh.risk.models import Assessment, AssessmentSeries, OfficialDecision
from vungxanh.surveillance import exports, services_series
from vungxanh.surveillance.models import Detection, Series
from vungxanh.surveillance.queries import (
    DEFAULT_TABLE_DAYS,
    SORT_KEYS,
    AreaEpidemic,
    CaseFilters,
    Key,
    capped_count,
    case_total,
    curve_series,
    filtered_cases,
    keyset_page,
    may_see_people,
    official_series,
    overview_day,
    people_for,
    pick_curve_series,
    pick_series,
    series_for_area,
    unit_rows,
    units_with_figures,
    visible_areas,
)

EXPORT_FORMATS = ("csv", "xlsx")
# A table longer than two years is an export, not a page.
MAX_TABLE_DAYS = 731
DATA_MODEL = "surveillance.indicatorseries"
OFFICIAL_MODEL = "surveillance.officialseries"


# -- helpers -------------------------------------------------------------------------------
def _area(request: HttpRequest, code: str) -> Area:
    """Return the area if the user may read its surveillance data; 404 if not theirs."""
    require(request.user, DATA_MODEL, "view")  # a role without health data: 403 naming who may
    area = get_object_or_404(visible_areas(request.user), code=code)
    if not can(request.user, DATA_MODEL, "view", area):
        raise PermissionDenied
    return area


def _day(request: HttpRequest, name: str, errors: list[str]) -> dt.date | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    day, problem = read_day(text)
    if day is None:
        errors.append(problem)
    return day


def _query(request: HttpRequest, **changes) -> str:
    """Return the request's query string with ``changes`` (None removes a parameter)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _series_context(request: HttpRequest, options: list[Series], series: Series | None) -> dict:
    """The series shown, and a link to the same page for each other series with data."""
    links = [(s, _query(request, series=s.code, after=None, before=None, on=None)) for s in options]
    return {"series_options": options, "series": series, "series_links": links}


def _until(request: HttpRequest, last: dt.date | None, errors: list[str]) -> dt.date | None:
    """``last``, cut at the "as of" day (with a message when that cuts it)."""
    as_of = asof.read(request)
    if last is not None and last > as_of.day:
        errors.append(
            _("Nothing after the “as of” day (%(day)s) is shown: change it at the top.")
            % {"day": as_of.text}
        )
        return as_of.day
    return last


def _table_range(
    request: HttpRequest, epidemic: AreaEpidemic, errors: list[str]
) -> tuple[dt.date | None, dt.date | None, bool]:
    """Return the first and last day of the table, and whether the user chose them."""
    first, last = _day(request, "from", errors), _day(request, "to", errors)
    chosen = bool(first or last)
    last = _until(request, last, errors) or epidemic.default_end()
    if last is None:
        return None, None, chosen
    first = first or last - dt.timedelta(days=DEFAULT_TABLE_DAYS - 1)
    if first > last:
        errors.append(_("The first day comes after the last one."))
        first = last - dt.timedelta(days=DEFAULT_TABLE_DAYS - 1)
    if (last - first).days >= MAX_TABLE_DAYS:
        errors.append(_("At most two years at a time; use the export for more."))
        first = last - dt.timedelta(days=MAX_TABLE_DAYS - 1)
    return first, last, chosen


def _format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return fmt


FRESHNESS_HEADER = ["data_until", "levels_computed_at", "recompute_pending"]


def _respond(fmt: str, name: str, header, rows, fresh=None) -> HttpResponse:
    """The file; with ``fresh``, every row says how fresh its figures are (last columns)."""
    if fresh is not None:
        stamps = [
            moment(fresh.data_until),
            moment(fresh.levels_computed_at),
            "yes" if fresh.recompute_pending else "no",
        ]
        header = [*header, *FRESHNESS_HEADER]
        rows = ([*row, *stamps] for row in rows)
    if fmt == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, header, rows)


# -- pages ---------------------------------------------------------------------------------
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Open the epidemic page of the highest area the user may read."""
    require(request.user, DATA_MODEL, "view")
    area = default_area(request.user)
    if area is None:
        raise PermissionDenied
    return redirect("surveillance:area", code=area.code)


def _epidemic(request: HttpRequest, area: Area) -> tuple[list[Series], list[Series], AreaEpidemic]:
    """The series that may draw ``area``'s curve, those with figures for part of it only,
    and its epidemic in the chosen (or official) one (``queries.covers`` says why)."""
    options, partial = curve_series(request.user, area)
    series = pick_curve_series(options, partial, request.GET.get("series"), area)
    return options, partial, AreaEpidemic(request.user, area, series, until=asof.read(request).day)


@login_required
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(request, code)
    options, partial, epidemic = _epidemic(request, area)
    series = epidemic.series
    errors: list[str] = []
    first, last, chosen = _table_range(request, epidemic, errors)
    chart = epidemic.chart(first, last) if chosen else epidemic.chart()
    chart["labels"] = {d.value: str(d.label) for d in Detection}
    chart["axes"] = {"cases": _("new cases"), "incidence": _("community cases /100,000, 7 days")}
    chart["incidence_label"] = _("community incidence, 7 days, per 100,000")
    context = {
        "area": area,
        "ancestors": visible_areas(request.user).ancestors_of(area),
        "has_children": visible_areas(request.user).filter(parent=area).exists(),
        **_series_context(request, options, series),
        "epidemic": epidemic,
        "computed": epidemic.indicators is not None,
        "first": first,
        "last": last,
        "rows": epidemic.table(first, last) if first else [],
        "latest": epidemic.on(last) if last else {},
        "errors": errors,
        "chart": chart,
        "rt": epidemic.rt.latest(last) if epidemic.rt else None,
        "si_mean": epidemic.rt.si_mean if epidemic.rt else None,
        "si_sd": epidemic.rt.si_sd if epidemic.rt else None,
        "rt_chart": {
            **epidemic.rt_chart(first or epidemic.first_day, last or epidemic.default_end()),
            "labels": {"mean": _("Rt (mean)"), "band": _("95%% interval") % {}},
        },
        "query": _query(request),
        "freshness": freshness(area, series, as_of=last),
        "area_level": level_in_force(
            area,
            last,
            series,
            AssessmentSeries.objects.for_user(request.user, "view"),
            OfficialDecision.objects.for_user(request.user, "view"),
            Assessment.objects.for_user(request.user, "view"),
        ),
        "official": official_series(area),
        "may_designate": can(request.user, OFFICIAL_MODEL, "change", area),
        "partial": [(s, units_with_figures(s, area)) for s in partial] if series is None else [],
    }
    return render(request, "surveillance/area.html", context)


@login_required
def area_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The indicator table of the area page, every indicator, as CSV or XLSX."""
    fmt = _format(fmt)
    area = _area(request, code)
    _options, _partial, epidemic = _epidemic(request, area)
    series = epidemic.series
    first, last, _chosen = _table_range(request, epidemic, [])
    indicators = [epidemic.indicators] if epidemic.indicators else []
    rows = exports.indicator_rows(indicators, first, last)
    span = f"-{first:%Y%m%d}-{last:%Y%m%d}" if first else ""
    name = f"vungxanh-indicators-{area.code}-{series.code if series else 'none'}{span}"
    fresh = freshness(area, series, as_of=last)
    return _respond(fmt, name, exports.INDICATOR_HEADER, rows, fresh)


def _overview(request: HttpRequest, code: str) -> dict:
    area = _area(request, code)
    options = series_for_area(request.user, area)
    series = pick_series(options, request.GET.get("series"), area=area)
    errors: list[str] = []
    on = _until(request, _day(request, "on", errors), errors)
    if on is None and series is not None:
        on = overview_day(request.user, area, series, until=asof.read(request).day)
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in SORT_KEYS:
        sort = "name"
    rows, total = unit_rows(request.user, area, series, on, sort) if on else ([], None)
    return {
        "area": area,
        "ancestors": visible_areas(request.user).ancestors_of(area),
        **_series_context(request, options, series),
        "on": on,
        "sort": sort,
        "rows": rows,
        "total": total,
        "errors": errors,
        "freshness": freshness(area, series, as_of=on),
    }


# Columns a first click sorts highest first.
DESCENDING_FIRST = {"cases28", "incidence7", "incidence14", "cumulative"}


def _next_sort(key: str, sort: str) -> str:
    """The sort a column header's link asks for: its default order, or the reverse."""
    default = f"-{key}" if key in DESCENDING_FIRST else key
    if sort == default:
        return key if default.startswith("-") else f"-{key}"
    return default


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    context = _overview(request, code)
    sort = context["sort"]
    labels = [
        ("name", _("Unit")),
        ("cases28", _("Cases, 28 days")),
        ("incidence7", _("Community /100,000, 7 days")),
        ("incidence14", _("Community /100,000, 14 days")),
        ("days_since", _("Days since last community case")),
        ("cumulative", _("Cumulative cases")),
    ]
    context["columns"] = [(key, label, _next_sort(key, sort)) for key, label in labels]
    context["query"] = _query(request, sort=None)
    context["export_query"] = _query(request)
    return render(request, "surveillance/overview.html", context)


OVERVIEW_HEADER = [
    "area",
    "name",
    "population",
    "date",
    "new_cases_28d",
    "community_incidence_7d",
    "community_incidence_14d",
    "days_since_community_case",
    "cumulative_cases",
]


@login_required
def overview_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    context = _overview(request, code)
    on = context["on"]
    rows = [
        [
            r.area.code,
            r.area.name,
            r.area.population,
            on,
            r.new_cases_28d,
            r.community_incidence_7d,
            r.community_incidence_14d,
            r.days_since_community_case,
            r.cumulative_cases,
        ]
        for r in [*context["rows"], *([context["total"]] if context["total"] else [])]
    ]
    series = context["series"]
    name = f"vungxanh-units-{context['area'].code}-{series.code if series else 'none'}"
    return _respond(fmt, name, OVERVIEW_HEADER, rows, context["freshness"])


# -- the case list -------------------------------------------------------------------------
# A search may name a person (name, phone, ID number): it is posted, kept in the session,
# and URLs, access logs and browser history carry only an opaque key to it.
SEARCHES = "vx_case_searches"
SEARCH = "search"
MAX_SEARCHES = 20
MAX_SEARCH_LENGTH = 150
CASE_FILTERS = ("area", "series", "from", "to", "detection")


def _remember_search(request: HttpRequest, text: str) -> str:
    """Keep ``text`` in the session (the latest few searches); return its key."""
    searches = dict(request.session.get(SEARCHES, {}))
    key = secrets.token_urlsafe(9)
    searches[key] = text
    request.session[SEARCHES] = dict(list(searches.items())[-MAX_SEARCHES:])
    return key


def _search_text(request: HttpRequest, errors: list[str]) -> str:
    key = request.GET.get(SEARCH, "")
    if not key:
        return ""
    text = request.session.get(SEARCHES, {}).get(key)
    if text is None:
        errors.append(_("This search has expired: search again."))
        return ""
    return text


def _search_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Move a search out of the form (or of an old link) into the session; redirect."""
    source = request.POST if request.method == "POST" else request.GET
    params = {name: source[name] for name in CASE_FILTERS if source.get(name)}
    if request.method == "GET" and request.GET.get("include_personal"):
        params["include_personal"] = request.GET["include_personal"]
    text = source.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    if text:
        params[SEARCH] = _remember_search(request, text)
    return redirect(f"{url}?{urlencode(params)}" if params else url)


def _case_filters(request: HttpRequest, errors: list[str]) -> tuple[CaseFilters, list[Series]]:
    require(request.user, "surveillance.caserecord", "view")
    code = request.GET.get("area", "").strip()
    if code:
        area = visible_areas(request.user).filter(code=code).first()
        if area is None or not can(request.user, "surveillance.caserecord", "view", area):
            raise Http404
    else:
        area = default_area(request.user)
        if area is None:
            raise PermissionDenied
    options = series_for_area(request.user, area)
    detection = request.GET.get("detection", "")
    if detection not in Detection.values:
        detection = ""
    as_of = asof.read(request)
    filters = CaseFilters(
        area=area,
        series=pick_series(options, request.GET.get("series"), area=area),
        first=_day(request, "from", errors),
        last=_until(request, _day(request, "to", errors), errors) or as_of.day,
        detection=detection,
        q=_search_text(request, errors),
        known_at=as_of.end() if as_of.is_past else None,
    )
    return filters, options


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" or "q" in request.GET:
        return _search_redirect(request, reverse("surveillance:cases"))
    errors: list[str] = []
    filters, options = _case_filters(request, errors)
    rows = filtered_cases(request.user, filters).select_related("area")
    page = keyset_page(
        rows,
        settings.VX_PAGE_SIZE,
        date_field="confirmed_date",
        after=Key.parse(request.GET.get("after")),
        before=Key.parse(request.GET.get("before")),
    )
    show_people = may_see_people(request.user, filters.area)
    people = people_for(request.user, [c.case_code for c in page.rows]) if show_people else {}
    context = {
        "filters": filters,
        "area": filters.area,
        **_series_context(request, options, filters.series),
        "detections": Detection.choices,
        "page": page,
        "cases": [(case, people.get(case.case_code)) for case in page.rows],
        "total": case_total(request.user, filters, rows),
        "show_people": show_people,
        "errors": errors,
        "first_query": _query(request, after=None, before=None),
        "next_query": _query(request, after=str(page.next_key), before=None)
        if page.next_key
        else "",
        "previous_query": _query(request, before=str(page.previous_key), after=None)
        if page.previous_key
        else "",
        "export_query": _query(request, after=None, before=None),
    }
    return render(request, "surveillance/cases.html", context)


@login_required
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered cases, every page, with the import template's columns."""
    fmt = _format(fmt)
    if "q" in request.GET:
        return _search_redirect(request, reverse("surveillance:cases_export", args=[fmt]))
    errors: list[str] = []
    filters, _options = _case_filters(request, errors)
    rows = filtered_cases(request.user, filters)
    include_personal = request.GET.get("include_personal") == "1" and may_see_people(
        request.user, filters.area
    )
    header = exports.fact_header("cases", include_personal=include_personal)
    if fmt == "xlsx" and not capped_count(rows, exports.XLSX_MAX_ROWS).exact:
        messages.error(request, _("Too many rows for one Excel sheet: export CSV instead."))
        return redirect(f"{reverse('surveillance:cases')}?{_query(request, include_personal=None)}")
    if include_personal:
        exports.record_personal_export(
            request.user,
            filters.area,
            kind="cases",
            details={
                "format": fmt,
                # Whether a search narrowed the export, not what it was: the audit trail
                # is read by roles that may not read names, phones or ID numbers.
                "filters": {
                    **{k: v for k, v in request.GET.items() if k in CASE_FILTERS},
                    **({SEARCH: True} if filters.q else {}),
                },
            },
        )
    people = (lambda codes: people_for(request.user, codes)) if include_personal else None
    values = exports.fact_rows("cases", rows, header, people=people)
    series = filters.series.code if filters.series else "all"
    name = f"vungxanh-cases-{filters.area.code}-{series}"
    return _respond(fmt, name, header, values)


# -- the official series -------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def official_series_page(request: HttpRequest, code: str) -> HttpResponse:
    """Which series the area's pages, map and API show by default; its committee sets it."""
    area = get_object_or_404(visible_areas(request.user), code=code)
    if not can(request.user, OFFICIAL_MODEL, "view", area):
        raise Http404
    may_change = can(request.user, OFFICIAL_MODEL, "change", area)
    choices = list(Series.objects.order_by("priority", "code"))
    errors: list[str] = []
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        chosen = next((s for s in choices if s.code == request.POST.get("series")), None)
        reason = request.POST.get("reason", "").strip()[:1000]
        if chosen is None:
            errors.append(_("Choose one of the series listed."))
        else:
            services_series.designate_series(area, chosen, actor=request.user, reason=reason)
            messages.success(
                request,
                _("%(series)s is now the official series of %(area)s.")
                % {"series": chosen.name, "area": area.name},
            )
            return redirect("surveillance:official_series", code=area.code)
    official = official_series(area)
    context = {
        "area": area,
        "ancestors": visible_areas(request.user).ancestors_of(area),
        "official": official,
        "inherited": official is not None and official.area_id != area.pk,
        "with_data": {s.pk for s in series_for_area(request.user, area)},
        "choices": choices,
        "may_change": may_change,
        "errors": errors,
    }
    return render(request, "surveillance/official_series.html", context)
