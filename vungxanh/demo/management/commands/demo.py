from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.demo.users import DEMO_PASSWORD, ensure_demo_users
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
        rows = [[u.username, DEMO_PASSWORD, u.role.label, u.area_code] for u in users]
        self.stdout.write("")
        self.stdout.write(_("Demo users (password for all: %(pw)s):") % {"pw": DEMO_PASSWORD})
        self.stdout.write(table(rows, [_("user"), _("password"), _("role"), _("area code")]))
