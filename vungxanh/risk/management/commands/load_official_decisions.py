from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.risk import services_official as official


class Command(BaseCommand):
    help = _(
        "Load the decisions Cần Thơ actually took (Chỉ thị 15/16, levels) from the shipped "
        "cantho_levels_2021.csv, to show them beside the computed levels. Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help=_("Another copy of the file (default: the one shipped)"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Report what would change, store nothing")
        )

    def handle(self, *args, file: str | None = None, dry_run: bool = False, **options):
        path = Path(file) if file else official.DATA_FILE
        try:
            with acting_through("cli:load_official_decisions"), transaction.atomic():
                result = official.load_official_decisions(path=path)
                if dry_run:
                    transaction.set_rollback(True)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        report(self.stdout, result, dry_run=dry_run)


def report(stdout, result: official.LoadResult, *, dry_run: bool = False) -> None:
    """Write what a load did (shared with the demo)."""
    stdout.write(
        _("Official decisions: %(new)d new, %(updated)d updated, %(same)d unchanged%(dry)s.")
        % {
            "new": result.created,
            "updated": result.updated,
            "same": result.unchanged,
            "dry": _(" (dry run: nothing stored)") if dry_run else "",
        }
    )
    if result.skipped:
        stdout.write(_("%(n)d rows skipped:") % {"n": len(result.skipped)})
        for skipped in result.skipped:
            stdout.write(f"  {_('row')} {skipped.row}: {skipped.unit}: {skipped.reason}")
