"""``vungxanh establishments status --area CODE --date DD/MM/YYYY --format csv``.

Prints ``tax_code,name,vsic,ward,status,conditions,since,reason`` for every establishment
of the area on the day, from the stored status periods. A management command runs as the
system (no user's scope): whoever can run it can read the database. Errors name the
argument, with no traceback (CommandError).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.economy.models import Establishment
from vungxanh.lib.dates import read_day
from vungxanh.lib.spreadsheet import CsvWriter
from vungxanh.reopening.lookup import terms
from vungxanh.reopening.models import StatusPeriod

HEADER = ["tax_code", "name", "vsic", "ward", "status", "conditions", "since", "reason"]


class Command(BaseCommand):
    help = "What establishments may do: their status on a day."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="the status of every establishment of an area")
        status.add_argument("--area", required=True, help="code of the area")
        status.add_argument("--date", required=True, help="the day, dd/mm/yyyy")
        status.add_argument("--format", dest="fmt", default="csv", help="csv (the only one)")

    def handle(self, *args, action: str, **options: Any) -> None:
        if options["fmt"] != "csv":
            raise CommandError(
                _("--format: “%(value)s” is not supported; only csv for now.")
                % {"value": options["fmt"]}
            )
        area = Area.objects.filter(code=options["area"].strip()).first()
        if area is None:
            raise CommandError(
                _("--area: no unit has the code “%(code)s”.") % {"code": options["area"]}
            )
        day, error = read_day(options["date"])
        if day is None:
            raise CommandError(f"--date: {error}")
        self.write(area, day)

    def write(self, area: Area, day) -> None:
        periods = {
            p.establishment_id: p
            for p in StatusPeriod.objects.filter(ward__path__startswith=area.path).on(day)
        }
        writer = CsvWriter(self.stdout, lineterminator="\n")
        writer.writerow(HEADER)
        rows = (
            Establishment.objects.filter(ward__path__startswith=area.path)
            .select_related("ward")
            .order_by("ward__path", "tax_code")
        )
        for e in rows.iterator():
            p = periods.get(e.pk)
            writer.writerow([
                e.tax_code, e.name, e.vsic_code, e.ward.code,
                p.status if p else "unknown", terms(p) if p else "",
                p.since.strftime("%d/%m/%Y") if p else "", p.reason if p else "",
            ])  # fmt: skip
