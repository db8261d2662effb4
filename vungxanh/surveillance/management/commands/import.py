"""``vungxanh import KIND FILE``: import a surveillance file, all of it or nothing.

``vungxanh import ncsc`` loads the Ministry of Health portal's series shipped with the
package instead of a file.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.domain.tabular import count_problems
from vungxanh.lib.commands import table, user_or_error
from vungxanh.surveillance import services
from vungxanh.surveillance.problems import describe, where
from vungxanh.surveillance.specs import SPECS

NCSC = "ncsc"


class Command(BaseCommand):
    help = _(
        "Import a surveillance file (XLSX or CSV): every row, or nothing if any cell is wrong. "
        "`import ncsc` loads the Ministry of Health portal's series shipped with the package."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*SPECS, NCSC], help=_("What the file holds"))
        parser.add_argument("file", nargs="?", help=_("The XLSX or CSV file"))
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help=_("Import the valid rows even if others have problems."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and report; write nothing.")
        )
        parser.add_argument("--user", help=_("Act as this user (checks their rights)"))
        parser.add_argument(
            "--series", default=services.REPORTED_SERIES, help=_("Code of the series to add to")
        )

    def handle(self, *args, kind: str, file: str | None, **options):
        self.verbosity = options["verbosity"]
        actor = user_or_error(options["user"])
        with acting_through("cli:import"):
            if kind == NCSC:
                self.load_ncsc(actor)
            else:
                self.import_file(kind, file, actor, options)

    def load_ncsc(self, actor) -> None:
        from vungxanh.surveillance.loaders import NCSC_SERIES, describe, load_ncsc

        result = load_ncsc(actor=actor)
        self.stdout.write(describe(NCSC_SERIES, result))

    def _read(self, file: str | None) -> bytes:
        if not file:
            raise CommandError(_("Name the file to import."))
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read “%(file)s”: %(error)s") % {"file": file, "error": exc.strerror}
            ) from exc

    def _progress(self, fraction: float, phase: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"{phase} {fraction:.0%}")
            self.stdout.flush()

    def import_file(self, kind: str, file: str | None, actor, options: dict) -> None:
        data = self._read(file)
        call = services.check_import if options["dry_run"] else services.import_file
        try:
            outcome = call(
                kind,
                data,
                Path(file).name,
                actor=actor,
                series_code=options["series"],
                valid_only=options["valid_only"],
                progress=self._progress,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        check = outcome if options["dry_run"] else outcome.check
        written = not options["dry_run"] and outcome.written
        self.report(check)
        self.summary(check, written=written, options=options)

    def report(self, check: services.ImportCheck) -> None:
        if not check.errors:
            return
        rows = [["" if e.row is None else str(e.row), e.column, describe(e)] for e in check.errors]
        self.stdout.write(table(rows, [_("Row"), _("Column"), _("Problem")]))
        if self.verbosity >= 2:
            self.stdout.write("\n".join(f"{where(e)}: {e.code}" for e in check.errors))

    def summary(self, check: services.ImportCheck, *, written: bool, options: dict) -> None:
        counts = {
            "rows": check.rows,
            "new": check.new,
            "corrected": check.corrected,
            "unchanged": check.unchanged,
        }
        line = (
            _("%(rows)d rows: %(new)d new, %(corrected)d corrected, %(unchanged)d unchanged.")
            % counts
        )
        problems = {"n": count_problems(check.errors)}
        if check.errors and not options["valid_only"]:
            self.stdout.write(line)
            if options["dry_run"]:
                raise CommandError(_("The file would not be imported: %(n)d problems.") % problems)
            raise CommandError(_("Nothing imported: %(n)d problems.") % problems)
        if check.errors:
            line += " " + _("%(n)d rows with problems left out.") % {"n": check.rejected_rows}
        if options["dry_run"]:
            line += " " + _("Dry run: nothing written.")
        elif not written:
            line += " " + _("Nothing new to import.")
        self.stdout.write(line)
