from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "vungxanh.permits"
    verbose_name = _("Safety plans and permits")
    default_auto_field = "django.db.models.BigAutoField"
