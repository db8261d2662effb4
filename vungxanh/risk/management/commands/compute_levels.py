from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.context import acting_through
from vungxanh.risk import inputs as input_map
from vungxanh.risk import services
from vungxanh.risk.models import RuleSetRecord
from vungxanh.surveillance.models import IndicatorSeries, Series


class Command(BaseCommand):
    help = _(
        "Compute the level of every area, day by day, from the stored indicators: every "
        "computable rule set and every series by default, or the ones named."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rules", help=_("Id of a rule set (default: every computable one)"))
        parser.add_argument("--series", help=_("Code of a series (default: every series)"))
        parser.add_argument(
            "--province",
            action="append",
            help=_("Code of a province (repeatable; default: the whole country)"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Compute and report, store nothing")
        )

    def handle(self, *args, rules=None, series=None, province=None, dry_run=False, **options):
        with acting_through("cli:compute_levels"):
            services.sync_rulesets()
        records = self.records(rules)
        chosen = self.series(series)
        provinces = [self.province(code) for code in province] if province else None
        with acting_through("cli:compute_levels"), transaction.atomic():
            for record in records:
                for one in chosen:
                    began = time.perf_counter()
                    written = services.compute_levels(record, one, provinces=provinces)
                    self.stdout.write(
                        _("%(rules)s · %(series)s: %(rows)d areas in %(seconds).1f s")
                        % {
                            "rules": record.code,
                            "series": one.code,
                            "rows": written,
                            "seconds": time.perf_counter() - began,
                        }
                    )
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write(_("Dry run: nothing stored."))

    def records(self, code: str | None) -> list[RuleSetRecord]:
        if not code:
            return services.computable_rulesets()
        record = RuleSetRecord.objects.filter(code=code, current=True).first()
        if record is None:
            raise CommandError(_("Unknown rule set “%(code)s”.") % {"code": code})
        ruleset = services.ruleset_of(record)
        mapping = input_map.mapping_for(ruleset, services.parents())
        missing = sorted(name for name in ruleset.inputs if name not in mapping)
        if missing:
            raise CommandError(
                _(
                    "%(code)s cannot be computed from the stored indicators: no source for %(inputs)s."
                )
                % {"code": code, "inputs": ", ".join(missing)}
            )
        return [record]

    def series(self, code: str | None) -> list[Series]:
        if code:
            found = Series.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("Unknown series “%(code)s”.") % {"code": code})
            return [found]
        with_indicators = IndicatorSeries.objects.order_by().values("series_id").distinct()
        return list(Series.objects.filter(pk__in=with_indicators))

    def province(self, code: str) -> Area:
        found = Area.objects.current().filter(code=code, kind=AreaKind.PROVINCE).first()
        if found is None:
            raise CommandError(_("No province has the code “%(code)s”.") % {"code": code})
        return found
