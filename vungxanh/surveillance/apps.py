from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveillanceConfig(AppConfig):
    name = "vungxanh.surveillance"
    label = "surveillance"
    verbose_name = _("Surveillance")
