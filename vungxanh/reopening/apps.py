from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReopeningConfig(AppConfig):
    """What establishments may do: statuses by day, change lists, notices, public lookup."""

    name = "vungxanh.reopening"
    label = "reopening"
    verbose_name = _("Reopening")
