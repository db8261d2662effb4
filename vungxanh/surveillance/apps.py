from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveillanceConfig(AppConfig):
    name = "vungxanh.surveillance"
    label = "surveillance"
    verbose_name = _("Surveillance")

    def ready(self) -> None:
        # Its kinds of file, history and loaders, for the shared import machinery.
        from vungxanh.surveillance import importing

        importing.register()
