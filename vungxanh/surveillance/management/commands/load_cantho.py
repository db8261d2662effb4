from __future__ import annotations

from django.utils.translation import gettext as _

from vungxanh.surveillance.management.commands import import_ncsc


class Command(import_ncsc.Command):
    help = _(
        "Load the Cần Thơ Department of Health's daily counts quoted by the press, July 2021 "
        "– February 2022 (series cantho-doh, shipped with the package), as a job, and wait "
        "for it. Running it again changes nothing."
    )
    source = "cli:load-cantho"
    loader = "cantho"
