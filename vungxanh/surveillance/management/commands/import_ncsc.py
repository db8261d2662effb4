from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.imports.jobs import submit_loader, wait_for
from vungxanh.jobs.models import Job
from vungxanh.lib.commands import user_or_error


class Command(BaseCommand):
    help = _(
        "Load the Ministry of Health portal's new cases and deaths of every province and day "
        "(series moh-ncsc, shipped with the package), as a job, and wait for it. Running it "
        "again changes nothing."
    )
    source = "cli:import-ncsc"
    loader = "ncsc"

    def add_arguments(self, parser):
        parser.add_argument("--user", help=_("Record the import as made by this user."))

    def handle(self, *args, user: str | None = None, **options):
        actor = user_or_error(user)
        with acting_through(self.source):
            job = submit_loader(self.loader, actor=actor)
        job = wait_for(job.pk, grace=0)  # a trusted load: run here unless a worker took it
        if job.status != Job.Status.DONE:
            raise CommandError(job.error or _("The job did not finish."))
        self.stdout.write(job.outcome["summary"])
