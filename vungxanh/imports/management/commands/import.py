"""``vungxanh import KIND FILE [--wait]``: import a file as a job, all of it or nothing.

The import is a job of ``vungxanh.jobs``, like an import from the web page: a worker runs
it (or, with ``--wait`` and no worker, this process), and the loop then recomputes what
depends on it. Without ``--wait`` the command prints the job's id and how to follow it;
with ``--wait`` it returns once the job and the loop run it caused have finished, prints
the outcome, and exits non-zero with the report by row and column if the file is refused.
``--dry-run`` checks the file here and writes nothing.

``vungxanh import ncsc`` (and the other loaders the apps register) loads data shipped with
the package, also as a job.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.imports import jobs, registry, uploads
from vungxanh.imports.preview import outcome as outcome_of
from vungxanh.imports.preview import problems_of
from vungxanh.imports.problems import describe, where
from vungxanh.imports.results import ImportResult
from vungxanh.jobs import inline
from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import current_progress
from vungxanh.lib.commands import table, user_or_error


class Command(BaseCommand):
    help = _(
        "Import a file (XLSX or CSV) as a job: every row, or nothing if any cell is wrong. "
        "With --wait, wait for the job and the recomputation it causes. `import ncsc` loads "
        "the Ministry of Health portal's series shipped with the package."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=[*registry.kinds(), *registry.loaders()], help=_("What the file holds")
        )
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
        parser.add_argument("--series", default="", help=_("Code of the series to add to"))
        parser.add_argument(
            "--wait",
            action="store_true",
            help=_(
                "Return when the import and the recomputation it causes have finished "
                "(run here if no worker takes them), and print the outcome."
            ),
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=inline.GRACE_SECONDS,
            help=_("With --wait: seconds left to a running worker before the jobs run here."),
        )

    def handle(self, *args, kind: str, file: str | None, **options):
        self.verbosity = options["verbosity"]
        self.options = options
        actor = user_or_error(options["user"])
        if kind in registry.loaders():
            with acting_through("cli:import"):
                job = jobs.submit_loader(kind, actor=actor)
            self.follow(job)
            return
        data = self._read(file)
        name = Path(file).name
        if options["dry_run"]:
            self.dry_run(kind, data, name, actor)
            return
        path = uploads.keep(hashlib.sha256(data).hexdigest(), data)
        with acting_through("cli:import"):
            job = jobs.submit_import(
                kind,
                path,
                name,
                actor=actor,
                valid_only=options["valid_only"],
                series_code=options["series"],
            )
        self.follow(job)

    def _read(self, file: str | None) -> bytes:
        if not file:
            raise CommandError(_("Name the file to import."))
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read “%(file)s”: %(error)s") % {"file": file, "error": exc.strerror}
            ) from exc

    def dry_run(self, kind: str, data: bytes, name: str, actor) -> None:
        known = registry.kind(kind)
        try:
            with acting_through("cli:import"):
                check = known.check(
                    kind,
                    data,
                    name,
                    actor=actor,
                    series_code=self.options["series"] or known.default_series,
                    valid_only=self.options["valid_only"],
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        ended = outcome_of(ImportResult(check, None))
        self.report(ended)
        self.summary(ended, written=False)

    # -- a job ------------------------------------------------------------------------------
    def follow(self, job: Job) -> None:
        """Say how to follow the job; with --wait, wait for it and print how it ended."""
        if not self.options["wait"]:
            self.stdout.write(
                _("Job %(id)s queued: %(label)s. Follow it with: vungxanh jobs show %(id)s")
                % {"id": job.pk, "label": job.label}
            )
            return
        if self.verbosity >= 2:
            self.stdout.write(_("Job %(id)s: %(label)s") % {"id": job.pk, "label": job.label})
        with jobs.listening(self._here):
            job = jobs.wait_for(job.pk, grace=self.options["grace"], report=self._progress)
        if not job.finished:
            raise CommandError(
                _("Job %(id)s has not finished yet: vungxanh jobs show %(id)s") % {"id": job.pk}
            )
        if job.status == Job.Status.FAILED:
            raise CommandError(job.error)
        if "summary" in job.outcome:  # a loader
            self.stdout.write(job.outcome["summary"])
            return
        self.report(job.outcome)
        self.summary(job.outcome, written=job.outcome.get("batch_id") is not None)

    def _progress(self, job: Job) -> None:
        """Print the progress of the job as its row says (a worker runs it)."""
        fraction, phase, _age = current_progress(job)
        self._print(phase or job.status, fraction)

    def _here(self, job: Job, fraction: float, phase: str) -> None:
        """Print the progress of a job this process runs, as it reports it."""
        self._print(phase, fraction)

    def _print(self, phase: str, fraction: float) -> None:
        if self.verbosity < 2:
            return
        line = f"{phase} {fraction:.0%}"
        if line != getattr(self, "_last_line", ""):
            self._last_line = line
            self.stdout.write(line)
            self.stdout.flush()

    def report(self, ended: dict) -> None:
        errors = problems_of(ended.get("report", []))
        if not errors:
            return
        rows = [["" if e.row is None else str(e.row), e.column, describe(e)] for e in errors]
        self.stdout.write(table(rows, [_("Row"), _("Column"), _("Problem")]))
        if self.verbosity >= 2:
            self.stdout.write("\n".join(f"{where(e)}: {e.code}" for e in errors))

    def summary(self, ended: dict, *, written: bool) -> None:
        line = (
            _("%(rows)d rows: %(new)d new, %(corrected)d corrected, %(unchanged)d unchanged.")
            % ended
        )
        valid_only, dry_run = self.options["valid_only"], self.options["dry_run"]
        problems = {"n": ended["problems"]}
        if ended["problems"] and not valid_only:
            self.stdout.write(line)
            if dry_run:
                raise CommandError(_("The file would not be imported: %(n)d problems.") % problems)
            raise CommandError(_("Nothing imported: %(n)d problems.") % problems)
        if ended["problems"]:
            line += " " + _("%(n)d rows with problems left out.") % {"n": ended["rejected"]}
        if dry_run:
            line += " " + _("Dry run: nothing written.")
        elif not written:
            line += " " + _("Nothing new to import.")
        self.stdout.write(line)
