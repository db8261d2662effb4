from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import current_progress


class Command(BaseCommand):
    help = _("List the latest jobs, or show one: vungxanh jobs list | vungxanh jobs show ID")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "show"])
        parser.add_argument("job_id", nargs="?")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, job_id=None, limit=20, **options):
        if action == "show":
            self.show(job_id)
            return
        limit = max(1, min(limit, 1000))
        self.stdout.write("id,task,label,status,progress,phase,actor,created_at,finished_at")
        for job in Job.objects.all()[:limit]:
            fraction, phase, _age = current_progress(job)
            self.stdout.write(
                ",".join(
                    [
                        str(job.pk),
                        job.task,
                        job.label.replace(",", " "),
                        job.status,
                        f"{fraction:.2f}",
                        phase,
                        job.actor_name,
                        job.created_at.isoformat(timespec="seconds"),
                        job.finished_at.isoformat(timespec="seconds") if job.finished_at else "",
                    ]
                )
            )

    def show(self, job_id: str | None) -> None:
        if not job_id:
            raise CommandError(_("Give the id of a job (see `vungxanh jobs list`)."))
        try:
            job = Job.objects.get(pk=job_id)
        except (Job.DoesNotExist, ValidationError) as exc:  # a malformed id: ValidationError
            raise CommandError(_("No job with id %(id)s.") % {"id": job_id}) from exc
        fraction, phase, _age = current_progress(job)
        for label, value in [
            (_("Job"), job.pk),
            (_("Task"), job.task),
            (_("Label"), job.label),
            (_("Status"), job.get_status_display()),
            (_("Progress"), f"{fraction:.0%} {phase}"),
            (_("Started by"), job.actor_name),
            (_("Created"), job.created_at),
            (_("Started"), job.started_at or ""),
            (_("Finished"), job.finished_at or ""),
            (_("Attempts"), job.attempts),
            (_("Outcome"), job.outcome),
            (_("Error"), job.error),
        ]:
            self.stdout.write(f"{label}: {value}")
