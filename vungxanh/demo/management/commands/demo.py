from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.audit.context import acting_through
from vungxanh.demo import epidemic
from vungxanh.demo.economy import load_demo_establishments
from vungxanh.demo.lockdowns import load_demo_lockdowns
from vungxanh.demo.permits import load_demo_permits
from vungxanh.demo.risk import load_demo_levels
from vungxanh.demo.users import DEMO_PASSWORD, ensure_demo_users
from vungxanh.imports.jobs import submit_loader
from vungxanh.jobs import services as jobs
from vungxanh.jobs.inline import run_queued_here, wait_until_settled
from vungxanh.jobs.models import Job
from vungxanh.lib.commands import table


class Command(BaseCommand):
    help = _(
        "Set up the demonstration: database, reference data, the Ninh Kiều scenario and "
        "one user per role. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_units", approximate_wards=True, stdout=self.stdout)
        with acting_through("cli:demo"):
            users = ensure_demo_users()
            self.load_surveillance()
            self.designate_series()
        # The loads queued the loop (indicators, Rt, levels) as jobs: run them now, here if
        # no worker takes them, so the levels below start from computed indicators.
        wait_until_settled(grace=0)
        load_demo_levels(self.stdout)
        load_demo_lockdowns(self.stdout)
        with acting_through("cli:demo"):
            load_demo_establishments(self.stdout)
            load_demo_permits(self.stdout)
        # The establishments and permits queued the loop's establishments stage: statuses and
        # the change lists are ready before the site opens.
        wait_until_settled(grace=0)
        # Last, so the sign-in details are what the terminal shows when the site starts.
        rows = [[u.username, DEMO_PASSWORD, u.role.label, u.area_code] for u in users]
        self.stdout.write("")
        self.stdout.write(_("Demo users (password for all: %(pw)s):") % {"pw": DEMO_PASSWORD})
        self.stdout.write(table(rows, [_("user"), _("password"), _("role"), _("area code")]))

    def designate_series(self) -> None:
        """Ninh Kiều's steering committee names the series its pages and levels read.

        Its wards have no daily reports of their own in the public record: the demo reads
        them from the simulated split of Cần Thơ's figures, said so on every page.
        """
        from vungxanh.accounts.models import User
        from vungxanh.surveillance.models import Series
        from vungxanh.surveillance.services_series import designate_series

        ninh_kieu = Area.objects.current().filter(code=epidemic.NINH_KIEU).first()
        series = Series.objects.filter(code=epidemic.SERIES).first()
        committee = User.objects.filter(username="bcd.ninhkieu").first()
        if ninh_kieu is None or series is None or committee is None:
            return
        # Stored text: in the site's language, whatever the terminal's, so a second run in
        # another language finds the same designation and changes nothing.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Demonstration: the wards' figures are a simulated split of the city's.")
        designate_series(ninh_kieu, series, actor=committee, reason=reason)

    def load_surveillance(self) -> None:
        """Load the real series and the simulated line list, as jobs; each is idempotent.

        Jobs like any import, so the demo's jobs page shows its own loads and how they
        ended. They run here, at once: the site is not up yet, and no worker is waiting.
        """
        ninh_kieu = Area.objects.current().filter(code=epidemic.NINH_KIEU).first()
        submitted = [
            submit_loader("ncsc", actor=None),
            submit_loader("cantho", actor=None),
            jobs.submit(
                "demo.epidemic",
                actor=None,
                area=ninh_kieu,
                label=_("Load the simulated case list of Ninh Kiều (demonstration)"),
            ),
        ]
        run_queued_here()
        for job in Job.objects.filter(pk__in=[j.pk for j in submitted]).order_by("created_at"):
            if job.status != Job.Status.DONE:
                raise CommandError(job.error or job.get_status_display())
            self.stdout.write(job.outcome["summary"])
