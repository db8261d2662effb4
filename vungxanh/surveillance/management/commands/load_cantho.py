from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vungxanh.audit.context import acting_through
from vungxanh.lib.commands import user_or_error
from vungxanh.surveillance import loaders


class Command(BaseCommand):
    help = _(
        "Load the Cần Thơ Department of Health's daily counts quoted by the press, July 2021 "
        "– February 2022 (series cantho-doh, shipped with the package). Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help=_("Record the import as made by this user."))

    def handle(self, *args, user: str | None = None, **options):
        actor = user_or_error(user)
        with acting_through("cli:load-cantho"):
            results = loaders.load_cantho_press(actor=actor)
        self.stdout.write(loaders.describe(loaders.CANTHO_SERIES, *results))
