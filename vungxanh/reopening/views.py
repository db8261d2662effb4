"""The change list of a day ("vùng xanh mở đến đâu, sản xuất kinh doanh mở đến đấy"), its
XLSX export, the notices a business reads and acknowledges, and the public lookup."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vungxanh.accounts.scoping import can, default_area
from vungxanh.areas.models import Area
from vungxanh.domain import vsic
from vungxanh.lib import asof
from vungxanh.lib.dates import read_day
from vungxanh.lib.downloads import xlsx_download
from vungxanh.lib.refusal import require
from vungxanh.lib.workbook import Book
from vungxanh.reopening import lookup, queries, services
from vungxanh.reopening.indicators import SpanError, as_dict, check_span, recovery_indicators
from vungxanh.reopening.models import (
    NOTICE,
    OWN_ESTABLISHMENT,
    STATUS_PERIOD,
    Notice,
    Status,
    StatusPeriod,
)
from vungxanh.risk.applies import level_in_force
from vungxanh.risk.freshness import freshness
from vungxanh.risk.models import Assessment, AssessmentSeries, OfficialDecision

AREA_CODE_MAX = 20
DAY_TEXT_MAX = 20


def _area(request: HttpRequest) -> Area | None:
    """The area the page is about: ``?area=`` if the user may read statuses there (else 404),
    else the user's highest such area."""
    code = request.GET.get("area", "").strip()[:AREA_CODE_MAX]
    if not code:
        return default_area(request.user, STATUS_PERIOD)
    area = Area.objects.filter(code=code).first()
    if area is None or not can(request.user, STATUS_PERIOD, "view", area):
        raise Http404
    return area


def _day(request: HttpRequest, errors: list[str]) -> dt.date:
    text = request.GET.get("date", "").strip()[:DAY_TEXT_MAX]
    if text:
        day, error = read_day(text)
        if day is not None:
            return day
        errors.append(error)
    return asof.read(request).day


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    require(request.user, STATUS_PERIOD, "view")
    errors: list[str] = []
    area = _area(request)
    day = _day(request, errors)
    rows = (
        queries.change_list(StatusPeriod.objects.for_user(request.user, "view"), area, day)
        if area is not None
        else StatusPeriod.objects.none()
    )
    section = _section(request, errors)
    if section:
        rows = rows.filter(section=section)
    totals = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(rows, settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"area": area.code if area else "", "date": day.strftime("%d/%m/%Y")}
    if section:
        query["section"] = section
    series = services.status_series(area) if area else None
    context = {
        "area": area,
        "day": day,
        "section": section,
        "sections": _sections(),
        "errors": errors,
        "page": page,
        "rows": [(p, _section_name(p.section)) for p in page],
        "totals": [
            (s, totals.get(s.value, 0)) for s in (Status.ALLOWED, Status.LIMITED, Status.SUSPENDED)
        ],
        "query": urlencode(query),
        "freshness": freshness(area, series, as_of=day) if area else None,
        "area_level": level_in_force(
            area, day, series,
            AssessmentSeries.objects.for_user(request.user, "view"),
            OfficialDecision.objects.for_user(request.user, "view"),
            Assessment.objects.for_user(request.user, "view"),
        ) if area else None,
    }  # fmt: skip
    return render(request, "reopening/changes.html", context)


@login_required
def changes_export(request: HttpRequest) -> HttpResponse:
    """The change list of the page's area and day as an XLSX workbook."""
    require(request.user, STATUS_PERIOD, "view")
    errors: list[str] = []
    area = _area(request)
    day = _day(request, errors)
    if area is None:
        raise Http404
    rows = queries.change_list(StatusPeriod.objects.for_user(request.user, "view"), area, day)
    section = _section(request, errors)
    if section:
        rows = rows.filter(section=section)
    return _export(rows, area, day)


def _sections() -> list:
    return [e for e in vsic.load_vsic() if e.level == vsic.SECTION_LEVEL]


def _section(request: HttpRequest, errors: list[str]) -> str:
    """The sector filter: a VSIC section letter, or "" (all)."""
    typed = request.GET.get("section", "").strip()[:2].upper()
    if typed and vsic.section_of(typed) != typed:
        errors.append(_("Sector: “%(value)s” is not a VSIC section (A–U).") % {"value": typed})
        return ""
    return typed


def _section_name(code: str) -> str:
    found = vsic.lookup(code)
    return found.name_vi if found else code


def _export(rows, area: Area | None, day: dt.date) -> HttpResponse:
    book = Book(streaming=True)
    sheet = book.sheet(_("Changes"))
    sheet.append([
        _("Ward or commune"), _("Sector (VSIC section)"), _("Name"), _("Tax code"),
        _("VSIC 2018 code"), _("Was"), _("Now"), _("Conditions"), _("Reason"), _("From"),
    ])  # fmt: skip
    for p in rows.iterator():
        e = p.establishment
        sheet.append([
            p.ward.name, p.section, e.name, e.tax_code, e.vsic_code,
            Status(p.previous_status).label, p.get_status_display(),
            lookup.terms(p), p.get_reason_display(), p.start,
        ])  # fmt: skip
    name = f"thay-doi-{area.code if area else 'x'}-{day:%Y%m%d}.xlsx"
    return xlsx_download(name, book, spool=True)


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, NOTICE, "view") or can(request.user, OWN_ESTABLISHMENT, "view")):
        require(request.user, NOTICE, "view")
    rows = Notice.objects.for_user(request.user, "view")
    rows = rows.filter(withdrawn=False).select_related("establishment", "ward")
    page = Paginator(rows.order_by("-effective_on", "establishment__name", "pk"),
                     settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))  # fmt: skip
    context = {"page": page, "query": "", "user_id": request.user.pk}
    return render(request, "reopening/notices.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(
        Notice.objects.for_user(request.user, "view").select_related("establishment", "ward"),
        pk=pk,
        establishment__representative=request.user,
    )
    services.acknowledge_notice(request.user, notice)
    messages.success(request, _("Notice acknowledged."))
    return redirect("reopening:notices")


def public_lookup(request: HttpRequest) -> HttpResponse:
    """No sign-in: a tax code, or a sector and a ward, gives what may operate on the day."""
    day = asof.default_day()
    answer = lookup.answer(request.GET, day)
    context = {"answer": answer, "day": day, "form": answer.form}
    return render(request, "reopening/lookup.html", context)


# -- recovery indicators (issue 12, item 8) ----------------------------------------------------
# The span shown when the page is opened without one: the 90 days up to the "as of" day.
DEFAULT_SPAN_DAYS = 90


def _span(request: HttpRequest, errors: list[str]) -> tuple[dt.date, dt.date]:
    """``?from=`` and ``?to=`` (dd/mm/yyyy); a bad day or span is reported and the default
    span (the 90 days up to the "as of" day) is used."""
    last = asof.read(request).day
    first = last - dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)
    typed = {}
    for name, label in (("from", _("From")), ("to", _("To"))):
        text = request.GET.get(name, "").strip()[:DAY_TEXT_MAX]
        if text:
            day, error = read_day(text)
            if day is None:
                errors.append(f"{label}: {error}")
            typed[name] = day
    if None in typed.values():
        return first, last
    to = typed.get("to", last)
    start = typed.get("from", to - dt.timedelta(days=DEFAULT_SPAN_DAYS - 1))
    try:
        check_span(start, to)
    except SpanError as error:
        errors.append(error.message)
        return first, last
    return start, to


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """Recovery indicators of an area: statuses per day, workers back, works running,
    permits by state and how long decisions took."""
    require(request.user, STATUS_PERIOD, "view")
    errors: list[str] = []
    area = _area(request)
    first, last = _span(request, errors)
    found = recovery_indicators(request.user, area, first, last) if area else None
    series = services.status_series(area) if area else None
    context = {
        "area": area,
        "first": first,
        "last": last,
        "errors": errors,
        "found": found,
        "latest": found.total.on(len(found.days) - 1) if found else None,
        "chart": _chart(as_dict(found)) if found and found.has_statuses else None,
        "freshness": freshness(area, series, as_of=last) if area else None,
        "query": urlencode({"area": area.code if area else "", "from": f"{first:%d/%m/%Y}",
                            "to": f"{last:%d/%m/%Y}"}),
    }  # fmt: skip
    return render(request, "reopening/indicators.html", context)


def _chart(data: dict) -> dict:
    """What recovery-chart.js draws: days, three stacked statuses, their labels."""
    shown = (Status.ALLOWED, Status.LIMITED, Status.SUSPENDED, Status.UNKNOWN)
    return {
        "dates": [d.strftime("%d/%m/%Y") for d in data["dates"]],
        "statuses": {s.value: data["statuses"][s.value] for s in shown},
        "labels": {s.value: str(s.label).capitalize() for s in shown},
        "axis": _("Establishments"),
    }


@login_required
def indicators_export(request: HttpRequest) -> HttpResponse:
    """The recovery indicators of the page's area and span as an XLSX workbook."""
    require(request.user, STATUS_PERIOD, "view")
    area = _area(request)
    if area is None:
        raise Http404
    first, last = _span(request, [])
    found = recovery_indicators(request.user, area, first, last)
    figures = [_("Allowed"), _("Limited"), _("Suspended"), _("Unknown"),
               _("Workers back at work"), _("Works running")]  # fmt: skip
    keys = ("allowed", "limited", "suspended", "unknown", "workers_back", "works_running")
    book = Book(streaming=True)
    sheet = book.sheet(_sheet_title(_("Per day")))
    sheet.append([_("Day"), *figures])
    for i, day in enumerate(found.days):
        sheet.append([day, *(found.total.on(i)[k] for k in keys)])
    sheet = book.sheet(_sheet_title(_("Wards and communes")))
    sheet.append([_("Ward or commune"), *figures])
    for ward, f in found.by_ward:
        sheet.append([ward.name, *(f[k] for k in keys)])
    sheet = book.sheet(_sheet_title(_("Sectors")))
    sheet.append([_("Sector (VSIC section)"), *figures])
    for code, name, f in found.by_section:
        sheet.append([f"{code} · {name}", *(f[k] for k in keys)])
    sheet = book.sheet(_sheet_title(_("Permit applications")))
    sheet.append([_("State"), _("Applications")])
    for _state, label, n in found.permits_by_state:
        sheet.append([str(label), n])
    sheet.append([])
    sheet.append(
        [
            _("Department"),
            _("Decided applications"),
            _("Median (days)"),
            _("90th percentile (days)"),
        ]
    )
    for p in found.processing:
        sheet.append([p.label, p.decided, p.median_days, p.p90_days])
    name = f"phuc-hoi-{area.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return xlsx_download(name, book, spool=True)


# Characters Excel refuses in a sheet title (a translation may bring one, e.g. "phường/xã").
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("/\\?*[]:", "-"))


def _sheet_title(title: str) -> str:
    return title.translate(_SHEET_TITLE_FORBIDDEN)
