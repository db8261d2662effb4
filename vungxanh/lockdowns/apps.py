from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LockdownsConfig(AppConfig):
    name = "vungxanh.lockdowns"
    label = "lockdowns"
    verbose_name = _("Lockdowns")
