from django import forms
from django.utils.translation import gettext_lazy as _

from vungxanh.audit.labels import action_choices
from vungxanh.lib.dates import DayField


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("any")), *action_choices()],
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    area = forms.CharField(label=_("Area code"), required=False)
    source = forms.CharField(label=_("Source"), required=False)
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)
