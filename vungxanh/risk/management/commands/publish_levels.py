from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.audit.context import acting_through
from vungxanh.domain.tabular import parse_date
from vungxanh.lib.commands import table, user_or_error
from vungxanh.risk import services
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance.models import Series


class Command(BaseCommand):
    help = _(
        "Publish the computed levels of a date for an area and every area under it "
        "(as the steering committee does on the area's page)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rules", required=True, help=_("Id of the rule set"))
        parser.add_argument("--date", required=True, help=_("The day, dd/mm/yyyy"))
        parser.add_argument("--area", required=True, help=_("Code of the area"))
        parser.add_argument(
            "--series", help=_("Code of the series (default: the first with computed levels)")
        )
        parser.add_argument("--user", help=_("Publish as this user (default: the system)"))
        parser.add_argument("--legal-basis", default="", help=_("The announcing document"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Report what would be published")
        )

    def handle(self, *args, **options):
        record = RuleSetRecord.objects.filter(code=options["rules"], current=True).first()
        if record is None:
            raise CommandError(_("Unknown rule set “%(code)s”.") % {"code": options["rules"]})
        day = parse_date(options["date"])
        if day is None:
            raise CommandError(
                _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": options["date"]}
            )
        area = Area.objects.current().filter(code=options["area"]).first()
        if area is None:
            raise CommandError(_("No unit has the code “%(code)s”.") % {"code": options["area"]})
        series = self.series(options.get("series"), record, area)
        actor = user_or_error(options.get("user"))
        with acting_through("cli:publish_levels"), transaction.atomic():
            saved = services.publish(
                record, series, day, area, actor=actor, legal_basis=options["legal_basis"]
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        ruleset = services.ruleset_of(record)
        rows = [
            [a.area.code, a.area.name, ruleset.level(a.computed_key).label]
            for a in sorted(saved, key=lambda a: a.area.path)
        ]
        self.stdout.write(
            _(
                "%(n)d levels of %(date)s published for %(area)s under %(rules)s (series %(series)s)."
            )
            % {
                "n": len(saved),
                "date": day.strftime("%d/%m/%Y"),
                "area": area.name,
                "rules": record.code,
                "series": series.code,
            }
        )
        if rows:
            self.stdout.write(table(rows, [_("code"), _("area"), _("level")]))
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing stored."))

    def series(self, code: str | None, record: RuleSetRecord, area: Area) -> Series:
        if code:
            found = Series.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("Unknown series “%(code)s”.") % {"code": code})
            return found
        computed = AssessmentSeries.objects.filter(ruleset=record, area=area).values("series_id")
        found = Series.objects.filter(pk__in=computed).first()
        if found is None:
            raise CommandError(
                _("No level is computed for %(area)s under %(rules)s.")
                % {"area": area.name, "rules": record.code}
            )
        return found
