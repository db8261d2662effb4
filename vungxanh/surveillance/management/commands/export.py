"""``vungxanh export KIND --area CODE``: surveillance facts or indicators as CSV or XLSX.

Facts are written with the import template's field names and dd/mm/yyyy dates, so the
file imports again unchanged (``vungxanh import``). Indicators: one row per area and day.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.audit.context import acting_through
from vungxanh.domain.tabular import parse_date
from vungxanh.lib.commands import user_or_error
from vungxanh.surveillance import exports, services
from vungxanh.surveillance.models import CasePerson, IndicatorSeries, Series
from vungxanh.surveillance.queries import (
    DATE_FIELD,
    facts,
    may_see_people,
    official_series,
    people_for,
    pick_series,
    series_for_area,
    subtree_ids,
)


class Command(BaseCommand):
    help = _(
        "Export the surveillance facts or indicators of an area and every unit under it, "
        "as CSV or XLSX (facts: the import template's columns, so the file imports again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=exports.EXPORT_KINDS)
        parser.add_argument("--area", required=True, help=_("Code of the area"))
        parser.add_argument("--from", dest="first", help=_("First day, dd/mm/yyyy"))
        parser.add_argument("--to", dest="last", help=_("Last day, dd/mm/yyyy"))
        parser.add_argument(
            "--series",
            help=_(
                "Series code (facts: default “reported”, as for imports; indicators: the "
                "first series with figures for the area)"
            ),
        )
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="fmt")
        parser.add_argument("--output", help=_("File to write (default: standard output)"))
        parser.add_argument(
            "--include-personal",
            action="store_true",
            help=_("Add names, phones, ID numbers and addresses of cases (recorded in the audit)"),
        )
        parser.add_argument("--user", help=_("Export only what this user may read"))

    def handle(self, *args, kind: str, **options: Any) -> None:
        area = Area.objects.current().filter(code=options["area"]).first()
        if area is None:
            raise CommandError(_("No unit has the code “%(code)s”.") % {"code": options["area"]})
        user = user_or_error(options["user"])
        first, last = self.day(options["first"]), self.day(options["last"])
        if options["fmt"] == "xlsx" and not options["output"]:
            raise CommandError(_("An XLSX file needs --output FILE."))
        with acting_through("cli:export"):
            if kind == "indicators":
                header, rows = self.indicators(area, options["series"], first, last, user)
            else:
                header, rows = self.facts(kind, area, options, first, last, user)
            count = self.write(options["fmt"], options["output"], header, rows)
        where = options["output"] or _("standard output")
        self.stderr.write(_("%(n)d rows written to %(where)s.") % {"n": count, "where": where})

    def day(self, text: str | None):
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            raise CommandError(_("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text})
        return day

    def series(self, code: str) -> Series:
        try:
            return services.get_series(code)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc

    def facts(self, kind, area, options, first, last, user):
        model = services.MODELS[kind]
        if user is None:
            # The command line without --user acts as the system, like the other commands.
            readable = model.objects.current().filter(area_id__in=subtree_ids(area))
        else:
            readable = facts(user, model, area, None)
        if options["series"]:
            series = self.series(options["series"])
        else:
            series = self.default_series(kind, area, readable)
        rows = readable.filter(series=series)
        date_field = DATE_FIELD[kind]
        if first:
            rows = rows.filter(**{f"{date_field}__gte": first})
        if last:
            rows = rows.filter(**{f"{date_field}__lte": last})
        personal = options["include_personal"] and kind == "cases"
        if personal and user is not None and not may_see_people(user, area):
            raise CommandError(_("This user may not read personal data of this area."))
        if personal:
            exports.record_personal_export(
                user,
                area,
                kind=kind,
                details={"format": options["fmt"], "series": series.code, "via": "cli"},
            )
        header = exports.fact_header(kind, include_personal=personal)
        people = None
        if personal and user is None:
            # The system reads every personal record, like the import that stored them.
            people = lambda codes: {  # noqa: E731
                p.case_code: p for p in CasePerson.objects.current().filter(case_code__in=codes)
            }
        elif personal:
            people = lambda codes: people_for(user, codes)  # noqa: E731
        return header, exports.fact_rows(kind, rows, header, people=people)

    def default_series(self, kind: str, area: Area, readable) -> Series:
        """The series to export when none is named: the area's official series, else
        "reported" (as for imports), unless it holds nothing here; then the only series
        that does, or a refusal naming them all with their rows."""
        designated = official_series(area)
        reported = designated.series if designated else self.series(services.REPORTED_SERIES)
        if readable.filter(series=reported).exists():
            return reported
        counts = list(
            readable.order_by()
            .values("series")
            .annotate(rows=Count("pk"))
            .values_list("series", "rows")
        )
        if not counts:
            self.stderr.write(
                _("No series holds %(kind)s rows for %(area)s or the units under it.")
                % {"kind": kind, "area": area.name}
            )
            return reported
        named = Series.objects.in_bulk([pk for pk, _rows in counts])
        found = sorted(((named[pk], rows) for pk, rows in counts), key=lambda s: s[0].code)
        if len(found) == 1:
            series, rows = found[0]
            self.stderr.write(
                _(
                    "The series “%(default)s” holds no %(kind)s rows for %(area)s; exporting "
                    "“%(series)s” (%(name)s), the only series that does (%(rows)d rows)."
                )
                % {
                    "default": reported.code,
                    "kind": kind,
                    "area": area.name,
                    "series": series.code,
                    "name": series.name,
                    "rows": rows,
                }
            )
            return series
        listing = "; ".join(f"{s.code} ({s.name}): {rows}" for s, rows in found)
        raise CommandError(
            _(
                "The series “%(default)s” holds no %(kind)s rows for %(area)s. Series with "
                "data for this area: %(listing)s. Choose one with --series CODE."
            )
            % {"default": reported.code, "kind": kind, "area": area.name, "listing": listing}
        )

    def indicators(self, area, code, first, last, user):
        if code:
            series = self.series(code)
        elif user is not None:
            series = pick_series(series_for_area(user, area), None)
        else:
            stored = IndicatorSeries.objects.filter(area=area).values("series")
            series = Series.objects.filter(pk__in=stored).first()
        if series is None:
            raise CommandError(_("No indicators are stored for this area."))
        stored = IndicatorSeries.objects.filter(series=series, area_id__in=subtree_ids(area))
        if user is not None:
            stored = IndicatorSeries.objects.for_user(user, "view").filter(pk__in=stored)
        stored = stored.select_related("area").order_by("area__path")
        return exports.INDICATOR_HEADER, exports.indicator_rows(stored.iterator(), first, last)

    def write(self, fmt: str, output: str | None, header, rows) -> int:
        try:
            if fmt == "xlsx":
                with open(output, "wb") as handle:
                    return exports.write_xlsx(handle, header, rows)
            if output:
                with open(output, "w", encoding="utf-8-sig", newline="") as handle:
                    return exports.write_csv(handle, header, rows)
            return exports.write_csv(self.stdout, header, rows)
        except exports.TooManyRows as exc:
            raise CommandError(_("Too many rows for one Excel sheet: export CSV.")) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
