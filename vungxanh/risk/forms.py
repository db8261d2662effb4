"""Forms of the level pages: publishing the levels of a date, deciding another level."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vungxanh.lib.dates import DayField
from vungxanh.risk.templatetags.risk_words import ruleset_title


class PublishForm(forms.Form):
    date = DayField(
        label=_("Date"),
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
    )
    rules = forms.ChoiceField(label=_("Rule set"))
    series = forms.ChoiceField(label=_("Data series"))
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        required=False,
        help_text=_("The decision or document that announces these levels."),
    )

    def __init__(self, *args, records=(), series=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules"].choices = [(r.code, ruleset_title(r)) for r in records]
        self.fields["series"].choices = [(s.code, s.name) for s in series]


class DecideForm(forms.Form):
    level = forms.ChoiceField(label=_("Decided level"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Why the decided level differs from the computed one."),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(key, label) for key, label in levels]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for the decided level."))
        return reason
