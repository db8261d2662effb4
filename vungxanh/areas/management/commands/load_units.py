from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vungxanh.areas import reference, services
from vungxanh.audit.context import acting_through


class Command(BaseCommand):
    help = _(
        "Load Vietnam's 2021 administrative units with their 2019 census population, and "
        "Cần Thơ's district boundaries. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--approximate-wards",
            action="store_true",
            help=_("Also load the approximate ward layout of Ninh Kiều (demo)."),
        )

    def handle(self, *args, approximate_wards: bool = False, **options):
        boundaries = reference.cantho_boundaries()
        if approximate_wards:
            boundaries |= reference.ninhkieu_ward_layout()
        with acting_through("cli:load-units"):
            result = services.load_reference_units(
                reference.units_2021(),
                boundaries=boundaries,
                source_note="GSO 2021 units, census 2019 population (vungxanh/areas/data)",
            )
        self.stdout.write(
            _(
                "%(created)d units created, %(updated)d updated, %(unchanged)d "
                "unchanged; %(boundaries)d boundaries set."
            )
            % result.__dict__
        )
