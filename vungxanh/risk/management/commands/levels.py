"""``vungxanh levels --area CODE --rules ID --date DD/MM/YYYY``: stored levels, for scripts.

Prints ``area,date,rules,level,level_name,computed_at,data_until`` for the area and each
unit directly under it, from the levels the loop computed (nothing is computed here).
``level`` is the rule set's level key ("1"…"4", "unknown"); ``computed_at`` when the loop
last computed the unit's levels; ``data_until`` when the facts counted for the unit last
changed (``risk.freshness``, as every page and export says it). The series is the one the
pages show for the area by default unless ``--series`` names one. A unit without a stored level on that day has
empty level columns, so a script sees the gap. CSV goes through the neutralising writer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.domain import bounds
from vungxanh.domain.tabular import parse_date
from vungxanh.lib import spreadsheet
from vungxanh.lib.bounds import out_of_range_message
from vungxanh.lib.commands import user_or_error
from vungxanh.risk import freshness, services
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance.models import Series

LABEL = "risk.assessmentseries"
HEADER = ["area", "date", "rules", "level", "level_name", "computed_at", "data_until"]


def show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return freshness.moment(value)
    if isinstance(value, dt.date):
        return bounds.dmy(value)
    return str(value)


class Command(BaseCommand):
    help = _(
        "Print the stored level of an area and of each unit directly under it on one day, "
        "under one rule set: area, date, rules, level, level_name, computed_at, data_until."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help=_("Code of the area"))
        parser.add_argument("--rules", required=True, help=_("Id of the rule set"))
        parser.add_argument("--date", required=True, help=_("The day, dd/mm/yyyy"))
        parser.add_argument(
            "--series",
            help=_("Series code (default: the series with levels stored for the area)"),
        )
        parser.add_argument("--format", choices=["csv", "table"], default="table", dest="fmt")
        parser.add_argument("--user", help=_("Show only what this user may read"))

    def handle(self, *args, **options: Any) -> None:
        user = user_or_error(options["user"])
        area = Area.objects.current().filter(code=options["area"]).first()
        if area is None or (user is not None and not can(user, LABEL, "view", area)):
            raise CommandError(_("No unit has the code “%(code)s”.") % {"code": options["area"]})
        record = RuleSetRecord.objects.filter(code=options["rules"], current=True).first()
        if record is None:
            known = ", ".join(r.code for r in services.computable_rulesets())
            raise CommandError(
                _("Unknown rule set “%(code)s”. Rule sets computed here: %(known)s.")
                % {"code": options["rules"], "known": known}
            )
        day = self.day(options["date"])
        series = self.series(options["series"], area, record)
        units = [area, *Area.objects.current().filter(parent=area).order_by("code")]
        stored = AssessmentSeries.objects.filter(ruleset=record, series=series, area__in=units)
        if user is not None:
            stored = stored.for_user(user, "view")
            units = [u for u in units if can(user, LABEL, "view", u)]
        by_area = {row.area_id: row for row in stored}
        ruleset = services.ruleset_of(record)
        rows = []
        for unit in units:
            level, name, computed_at = "", "", None
            row = by_area.get(unit.pk)
            offset = row.offset(day) if row is not None else None
            if offset is not None:
                index = int(row.level_indexes()[offset])
                computed_at = row.computed_at
                if index >= 0:
                    found = ruleset.levels[index]
                    level = found.key
                    vietnamese = (get_language() or "vi").startswith("vi")
                    name = (found.label_vi if vietnamese else found.label_en) or found.label
            until = freshness.data_until(unit, series)
            rows.append([unit.code, day, record.code, level, name, computed_at, until])
        if options["fmt"] == "csv":
            spreadsheet.write_csv(self.stdout, HEADER, rows, show=show)
        else:
            self.table(rows)

    def day(self, text: str) -> dt.date:
        day = parse_date(text)
        if day is None:
            raise CommandError(_("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text})
        code, params = bounds.data_dates().problem(day)
        if code:
            raise CommandError(out_of_range_message(params))
        return day

    def series(self, code: str | None, area: Area, record: RuleSetRecord) -> Series:
        if code:
            found = Series.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("Unknown series “%(code)s”.") % {"code": code})
            return found
        # The series every page shows for the area by default (its official series, …).
        computed = AssessmentSeries.objects.filter(ruleset=record)
        code = freshness.shown_series_code(area, computed, children=False)
        code = code or freshness.shown_series_code(area, computed, children=True)
        found = Series.objects.filter(code=code).first() if code else None
        if found is None:
            raise CommandError(
                _(
                    "No levels are stored for %(area)s under %(rules)s: import data for the "
                    "area, or wait for the loop to finish (vungxanh jobs list)."
                )
                % {"area": area.name, "rules": record.code}
            )
        others = (
            Series.objects.filter(pk__in=computed.filter(area=area).values("series"))
            .exclude(pk=found.pk)
            .values_list("code", flat=True)
        )
        if others:
            self.stderr.write(
                _("Series “%(series)s” (others with levels here: %(others)s; pick with --series).")
                % {"series": found.code, "others": ", ".join(others)}
            )
        return found

    def table(self, rows: list[list[Any]]) -> None:
        cells = [HEADER, *([show(v) for v in row] for row in rows)]
        widths = [max(len(r[i]) for r in cells) for i in range(len(HEADER))]
        for row in cells:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
