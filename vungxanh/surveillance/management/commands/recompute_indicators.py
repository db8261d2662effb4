from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.surveillance.indicators import recompute
from vungxanh.surveillance.models import Series
from vungxanh.surveillance.rt import recompute_rt


class Command(BaseCommand):
    help = _(
        "Recompute the stored indicators of every area from the surveillance data, for "
        "every series or one, in the whole country or some provinces."
    )

    def add_arguments(self, parser):
        parser.add_argument("--series", help=_("Code of the series (default: every series)"))
        parser.add_argument(
            "--province",
            action="append",
            help=_("Code of a province (repeatable; default: the whole country)"),
        )

    def handle(self, *args, series: str | None = None, province=None, **options):
        chosen = Series.objects.all()
        if series:
            chosen = chosen.filter(code=series)
            if not chosen.exists():
                raise CommandError(_("Unknown series “%(code)s”.") % {"code": series})
        provinces = [self.province(code) for code in province] if province else None
        for one in chosen:
            began = time.perf_counter()
            written = recompute(one, provinces=provinces)
            recompute_rt(one, provinces=provinces)
            self.stdout.write(
                _("%(series)s: %(rows)d areas in %(seconds).1f s")
                % {"series": one.code, "rows": written, "seconds": time.perf_counter() - began}
            )

    def province(self, code: str) -> Area:
        # A province sits directly under the nation: its path has two parts ("VN/92/").
        found = [a for a in Area.objects.current().filter(code=code) if a.path.count("/") == 2]
        if not found:
            raise CommandError(_("No unit has the code “%(code)s”.") % {"code": code})
        return found[0]
