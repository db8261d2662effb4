"""The establishment form. It checks the values by the establishment's rules; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vungxanh.economy import bounds, validation
from vungxanh.economy.models import Kind


class EstablishmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=bounds.NAME_MAX)
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        help_text=_("10 digits, or 13 for a branch: 0123456789-001."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    vsic_code = forms.CharField(
        label=_("VSIC 2018 code of the main activity"),
        max_length=10,
        help_text=_("The class (4 digits) or sub-class (5 digits), e.g. 4711 or 47111."),
    )
    ward = forms.ChoiceField(label=_("Ward or commune"))
    address = forms.CharField(label=_("Address"), max_length=bounds.ADDRESS_MAX, required=False)
    workers = forms.IntegerField(
        label=_("Workers"),
        required=False,
        min_value=bounds.WORKERS_MIN,
        max_value=bounds.WORKERS_MAX,
    )
    essential_goods = forms.BooleanField(
        label=_("Produces or sells essential goods"), required=False
    )
    goods = forms.CharField(label=_("Essential goods"), max_length=bounds.GOODS_MAX, required=False)
    public_investment = forms.BooleanField(
        label=_("Public-investment construction works"),
        required=False,
        help_text=_("Construction only (VSIC section F)."),
    )
    investor = forms.CharField(label=_("Investor"), max_length=bounds.INVESTOR_MAX, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=bounds.PHONE_MAX, required=False)
    email = forms.CharField(label=_("Email"), max_length=bounds.EMAIL_MAX, required=False)

    def __init__(self, *args, wards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.wards = {ward.code: ward for ward in wards}
        self.fields["ward"].choices = [(w.code, _ward_label(w)) for w in wards]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {name: data.get(name) for name in validation.FIELDS}
        cleaned, problems = validation.clean(values)
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        ward = self.wards.get(data.get("ward"))
        problem = validation.ward_problem(ward)
        if problem is not None:
            self.add_error("ward", problem.message)
        data.update(cleaned)
        data["ward"] = ward
        return data


def _ward_label(ward) -> str:
    district = ward.parent.name if ward.parent_id else ""
    return f"{ward.name} ({district})" if district else ward.name
