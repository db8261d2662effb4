from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.areas import services
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.context import acting_through
from vungxanh.lib.commands import table, user_or_error
from vungxanh.lib.spreadsheet import CsvWriter

COLUMNS = ["code", "name", "type", "parent_code", "population"]


class Command(BaseCommand):
    help = _("List administrative units, or upload boundaries from a GeoJSON file.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help=_("Print units, one per row."))
        listing.add_argument("--parent", help=_("Code of the parent unit"))
        listing.add_argument("--type", choices=[k.value for k in AreaKind], dest="kind")
        listing.add_argument("--format", choices=["csv", "table"], default="table")
        upload = sub.add_parser(
            "upload-boundaries", help=_("Store GeoJSON boundaries of the units under a unit.")
        )
        upload.add_argument("code", help=_("Code of the parent unit"))
        upload.add_argument("file")
        upload.add_argument("--source", default="")
        upload.add_argument("--approximate", action="store_true")
        upload.add_argument(
            "--valid-only",
            action="store_true",
            help=_("Store the valid features even if others have problems."),
        )
        upload.add_argument("--user", help=_("Act as this user (checks their rights)"))

    def handle(self, *args, action: str, **options):
        if action == "list":
            self.list_units(options["parent"], options["kind"], options["format"])
        else:
            self.upload(options)

    def list_units(self, parent: str | None, kind: str | None, fmt: str) -> None:
        rows = Area.objects.current().order_by("path")
        if parent:
            if not rows.filter(code=parent).exists():
                raise CommandError(_("No unit has the code “%(code)s”.") % {"code": parent})
            rows = rows.filter(parent__code=parent)
        if kind:
            rows = rows.filter(kind=kind)
        values = [
            [code, name, kind_, parent_code or "", "" if pop is None else str(pop)]
            for code, name, kind_, parent_code, pop in rows.values_list(
                "code", "name", "kind", "parent__code", "population"
            )
        ]
        if fmt == "csv":
            writer = CsvWriter(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(values)
        else:
            self.stdout.write(table(values, COLUMNS))

    def upload(self, options: dict) -> None:
        parent = Area.objects.current().filter(code=options["code"]).first()
        if parent is None:
            raise CommandError(_("No unit has the code “%(code)s”.") % {"code": options["code"]})
        try:
            with open(options["file"], "rb") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        actor = user_or_error(options["user"])
        with acting_through("cli:areas upload-boundaries"):
            check = services.apply_boundary_upload(
                text,
                parent,
                actor=actor,
                source=options["source"] or options["file"],
                approximate=options["approximate"],
                valid_only=options["valid_only"],
            )
        from vungxanh.areas.problems import describe, where

        for problem in check.problems:
            self.stderr.write(f"{where(problem)}: {describe(problem)}")
        if check.problems and not options["valid_only"]:
            raise CommandError(_("Nothing stored: %(n)d problems.") % {"n": len(check.problems)})
        self.stdout.write(_("%(n)d boundaries stored.") % {"n": len(check.matched)})
