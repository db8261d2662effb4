"""The daily lockdown report (XLSX): the district report's fields (RULES-VN §7.1) and the zones.

Sheet 1 follows the district daily situation report seen in official practice (Gia Lộc,
7/12/2021, RULES-VN §7.1): F0 new and cumulative, and testing by sample group for the
"lockdown area" group (new today, cumulative, with results negative/positive, pending).
Fields this system does not hold (F1, F2, arrivals, quarantine facilities) are listed
with "—" so the form stays complete and nobody reads a blank as zero. Sheet 2 has one row
per zone (and part) in force on the day. Every number is read through ``for_user``; every
cell is written through vungxanh.lib.workbook, so a zone named "=…" stays text.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from vungxanh.areas.models import Area
from vungxanh.lib.downloads import xlsx_download
from vungxanh.lib.workbook import Book
from vungxanh.lockdowns import queries
from vungxanh.lockdowns.models import (
    GuardPost,
    Inspection,
    LockdownZone,
    Need,
    Shift,
    Status,
    TestingRound,
    Violation,
    ZoneCase,
    ZoneNotice,
    ZoneTransition,
)
from vungxanh.surveillance.models import CaseRecord, Detection
from vungxanh.surveillance.queries import pick_series

NOT_HELD = "—"


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def summary_rows(user, area: Area, day: dt.date, zones: list[LockdownZone]) -> list[list]:
    """The §7.1 fields, then the lockdown figures of the day: (label, value) rows."""
    rows: list[list] = []
    series = pick_series(queries.case_series(user, area), None)
    cases = (
        CaseRecord.objects.for_user(user, "view")
        .current()
        .filter(area__path__startswith=area.path, confirmed_date__lte=day)
    )
    if series is not None:
        cases = cases.filter(series=series)
        today = cases.filter(confirmed_date=day)
        rows += [
            [_("1. F0 (confirmed cases)"), ""],
            [_("New today"), today.count()],
            [
                _("of which found in lockdown zones"),
                today.filter(detection=Detection.LOCKDOWN).count(),
            ],
            [_("Cumulative"), cases.count()],
            [
                _("Cumulative found in lockdown zones"),
                cases.filter(detection=Detection.LOCKDOWN).count(),
            ],
            [_("Under treatment, discharged, re-positive"), NOT_HELD],
            [
                _("Data series"),
                f"{series.name}{' (' + _('simulated') + ')' if series.simulated else ''}",
            ],
        ]
    else:
        rows += [[_("1. F0 (confirmed cases)"), NOT_HELD]]
    for label in (
        _("2. F1 contacts"),
        _("3. F2 contacts"),
        _("4. Arrivals from epidemic areas"),
        _("5. International arrivals"),
        _("6. Community fever and cough"),
    ):
        rows.append([label, NOT_HELD])
    rounds = TestingRound.objects.for_user(user, "view").filter(
        zone__area__path__startswith=area.path, day__lte=day
    )
    done = rounds.filter(status=TestingRound.RoundState.DONE)
    sampled = rounds.exclude(status=TestingRound.RoundState.PLANNED)
    samples = done.aggregate(n=Sum("samples"))["n"] or 0
    positives = done.aggregate(n=Sum("positives"))["n"] or 0
    rows += [
        [_("7. Testing, sample group: lockdown area"), ""],
        [_("Samples taken today"), sampled.filter(day=day).aggregate(n=Sum("samples"))["n"] or 0],
        [_("Cumulative samples"), sampled.aggregate(n=Sum("samples"))["n"] or 0],
        [_("Cumulative with results: negative"), samples - positives],
        [_("Cumulative with results: positive"), positives],
        [
            _("Rounds with results pending"),
            rounds.filter(status=TestingRound.RoundState.SAMPLED).count(),
        ],
        [_("8. Concentrated quarantine"), NOT_HELD],
    ]
    start, end = _day_bounds(day)
    in_area = {"zone__area__path__startswith": area.path}
    transitions = ZoneTransition.objects.for_user(user, "view").filter(effective_on=day, **in_area)
    shifts = Shift.objects.for_user(user, "view").filter(
        post__zone__in=zones, starts_at__lt=end, ends_at__gt=start
    )
    unstaffed = queries.unstaffed_shifts(user, day).filter(
        post__zone__area__path__startswith=area.path
    )
    inspections = Inspection.objects.for_user(user, "view").filter(
        visited_at__gte=start, visited_at__lt=end, **in_area
    )
    notices = ZoneNotice.objects.for_user(user, "view").filter(day=day, **in_area)
    rows += [
        [_("Lockdown zones"), ""],
        [_("Zones in force"), len(zones)],
        [_("Locked down today"), transitions.filter(to_status="active").count()],
        [_("Partly lifted today"), transitions.filter(to_status="partly_lifted").count()],
        [_("Lifted today"), transitions.filter(to_status="lifted").count()],
        [_("Households inside"), sum(z.households or 0 for z in zones if not z.parent_id)],
        [_("Residents inside"), sum(z.residents or 0 for z in zones if not z.parent_id)],
        [_("Guard posts"), GuardPost.objects.for_user(user, "view").filter(zone__in=zones).count()],
        [_("Shifts today"), shifts.count()],
        [_("Shifts short of officials"), unstaffed.count()],
        [_("Inspections today"), inspections.count()],
        [
            _("Violations found today"),
            Violation.objects.for_user(user, "view").filter(inspection__in=inspections).count(),
        ],
        [
            _("Needs not yet met"),
            Need.objects.for_user(user, "view").filter(met_on__isnull=True, **in_area).count(),
        ],
        [
            _("Cases linked outside a zone today (spill-over)"),
            notices.filter(kind="spillover").count(),
        ],
        [_("Lift dates moved today"), notices.filter(kind="lift_moved").count()],
    ]
    return rows


ZONE_HEADER = [
    gettext_lazy("No."),
    gettext_lazy("Code"),
    gettext_lazy("Zone"),
    gettext_lazy("Part of"),
    gettext_lazy("Commune"),
    gettext_lazy("Scope"),
    gettext_lazy("Scope as decided"),
    gettext_lazy("Households"),
    gettext_lazy("Residents"),
    gettext_lazy("Decision"),
    gettext_lazy("Start"),
    gettext_lazy("Planned end"),
    gettext_lazy("Status on the day"),
    gettext_lazy("Days locked down"),
    gettext_lazy("Index cases"),
    gettext_lazy("Cases inside today"),
    gettext_lazy("Cases inside since the start"),
    gettext_lazy("Cases outside since the start"),
    gettext_lazy("Rounds done"),
    gettext_lazy("Samples"),
    gettext_lazy("Positive"),
    gettext_lazy("Rounds pending"),
    gettext_lazy("May be lifted from"),
    gettext_lazy("Still missing"),
    gettext_lazy("Guard posts"),
    gettext_lazy("Shifts today"),
    gettext_lazy("Shifts short of officials"),
    gettext_lazy("Inspections today"),
    gettext_lazy("Needs not met"),
    gettext_lazy("Simulated"),
    gettext_lazy("Source"),
]


def _zone_header() -> list[str]:
    return [str(label) for label in ZONE_HEADER]


def zone_rows(user, day: dt.date, zones: list[LockdownZone]) -> list[list]:
    start, end = _day_bounds(day)
    rows = []
    for number, zone in enumerate(zones, start=1):
        links = list(ZoneCase.objects.filter(zone=zone))
        held = queries.containment(zone, links)
        rounds = list(TestingRound.objects.filter(zone=zone, day__lte=day))
        done = [r for r in rounds if r.status == TestingRound.RoundState.DONE]
        lift = queries.lift_status(zone, day)
        shifts = Shift.objects.filter(post__zone=zone, starts_at__lt=end, ends_at__gt=start)
        short = queries.unstaffed_shifts(user, day).filter(post__zone=zone).count()
        rows.append(
            [
                number,
                zone.code,
                zone.name,
                zone.parent.code if zone.parent_id else "",
                zone.area.name,
                zone.get_scope_type_display(),
                zone.scope_description,
                zone.households,
                zone.residents,
                zone.decision_number,
                queries.fmt(zone.start_date),
                queries.fmt(zone.planned_end),
                str(zone.status_then_label),
                (day - zone.start_date).days + 1 if zone.start_date else None,
                ", ".join(c.case_code for c in held.index),
                sum(1 for c in held.inside if c.isolated_on == day),
                sum(1 for c in held.inside if c.isolated_on <= day),
                sum(1 for c in held.outside if c.isolated_on <= day),
                len(done),
                sum(r.samples or 0 for r in done),
                sum(r.positives for r in done),
                sum(1 for r in rounds if r.status == TestingRound.RoundState.SAMPLED),
                lift.dated if lift else "",
                "; ".join(lift.missing) if lift else "",
                zone.posts.count(),
                shifts.count(),
                short,
                Inspection.objects.filter(
                    zone=zone, visited_at__gte=start, visited_at__lt=end
                ).count(),
                Need.objects.filter(zone=zone, met_on__isnull=True).count(),
                _("yes") if zone.simulated else "",
                zone.source_url,
            ]
        )
    return rows


def _zones_in_force(user, area: Area, day: dt.date) -> list[LockdownZone]:
    rows = (
        queries.zones(user)
        .filter(area__path__startswith=area.path)
        .select_related("area", "parent", "rule")
        .order_by("start_date", "code")
    )
    zones = queries.locked_on(rows, day)
    for zone in zones:
        zone.status_then_label = Status(zone.status_then).label
    return zones


def daily_report(user, area: Area, day: dt.date) -> Book:
    zones = _zones_in_force(user, area, day)
    book = Book()
    summary = book.sheet(_("Daily report"))
    summary.append(
        [_("Lockdown report of %(area)s, %(day)s") % {"area": area.name, "day": queries.fmt(day)}]
    )
    summary.worksheet["A1"].font = Font(bold=True, size=13)
    summary.append(
        [
            _(
                "Fields as in a district's daily situation report (Gia Lộc district, 7/12/2021); "
                "“—”: not held by this system."
            )
        ]
    )
    summary.append([])
    for label, value in summary_rows(user, area, day, zones):
        summary.append([label, value])
        if value == "":
            summary.worksheet.cell(row=summary.worksheet.max_row, column=1).font = Font(bold=True)
    summary.worksheet.column_dimensions["A"].width = 52
    summary.worksheet.column_dimensions["B"].width = 18
    table = book.sheet(_("Zones"))
    table.append(_zone_header())
    for cell in table.worksheet[1]:
        cell.font = Font(bold=True)
    for row in zone_rows(user, day, zones):
        table.append(row)
    table.worksheet.freeze_panes = "A2"
    return book


def daily_report_response(user, area: Area, day: dt.date) -> HttpResponse:
    name = f"phong-toa-{area.code}-{day:%Y-%m-%d}.xlsx"
    return xlsx_download(name, daily_report(user, area, day))
