from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "vungxanh.economy"
    label = "economy"
    verbose_name = _("Economy")

    def ready(self) -> None:
        # Its kind of file ("establishments") for the shared import machinery.
        from vungxanh.economy import importing

        importing.register()
