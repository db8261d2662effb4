from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.demo import epidemic
from vungxanh.demo.lockdowns import load_demo_lockdowns
from vungxanh.demo.risk import load_demo_levels
from vungxanh.demo.users import DEMO_PASSWORD, ensure_demo_users
from vungxanh.jobs.inline import wait_until_settled
from vungxanh.lib.commands import table
from vungxanh.surveillance import loaders


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
        # The loads queued the loop (indicators, Rt, levels) as jobs: run them now, here if
        # no worker takes them, so the levels below start from computed indicators.
        wait_until_settled(grace=0)
        load_demo_levels(self.stdout)
        load_demo_lockdowns(self.stdout)
        # Last, so the sign-in details are what the terminal shows when the site starts.
        rows = [[u.username, DEMO_PASSWORD, u.role.label, u.area_code] for u in users]
        self.stdout.write("")
        self.stdout.write(_("Demo users (password for all: %(pw)s):") % {"pw": DEMO_PASSWORD})
        self.stdout.write(table(rows, [_("user"), _("password"), _("role"), _("area code")]))

    def load_surveillance(self) -> None:
        """Load the real series and the simulated line list; each is idempotent."""
        self.stdout.write(loaders.describe(loaders.NCSC_SERIES, loaders.load_ncsc()))
        self.stdout.write(loaders.describe(loaders.CANTHO_SERIES, *loaders.load_cantho_press()))
        result = epidemic.load_demo_epidemic()
        self.stdout.write(loaders.describe(epidemic.SERIES, result))
