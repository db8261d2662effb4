"""Forms of the lockdown pages. They validate input; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vungxanh.lib import bounds
from vungxanh.lib.dates import DayField
from vungxanh.lockdowns.models import (
    Need,
    RiskLevel,
    Scope,
    Status,
    TestingRound,
    Violation,
    ZoneCase,
)

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M"]


def date_field(label, required: bool = True, *, planned: bool = False, **kwargs):
    """A day of a fact (up to today), or with ``planned`` of a plan (up to a year ahead)."""
    return DayField(
        label=label,
        required=required,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
        validators=[bounds.validate_plan_date if planned else bounds.validate_data_date],
        **kwargs,
    )


def count_field(label, required: bool = False, min_value: int = 0, **kwargs):
    """A count of people, households or samples: whole, from ``min_value`` to COUNT_MAX."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=bounds.COUNT_MAX,
        **kwargs,
    )


def time_field(label, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "size": 5}),
    )


def case_codes(text: str) -> list[str]:
    """Split case codes written with commas, spaces or one per line."""
    return [c for c in text.replace(",", " ").replace(";", " ").split() if c]


class ZoneForm(forms.Form):
    """A zone's facts. The commune is chosen when it is created; the map draws the polygon."""

    name = forms.CharField(label=_("Name"), max_length=200)
    area = forms.ChoiceField(label=_("Commune"))
    unit = forms.ChoiceField(label=_("Smaller unit"), required=False)
    scope_type = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    scope_description = forms.CharField(
        label=_("Scope as decided"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Streets and house numbers, floors, the production line; or one address a line."
        ),
    )
    geometry = forms.CharField(required=False, widget=forms.HiddenInput)
    households = count_field(pgettext_lazy("count", "Households"))
    residents = count_field(_("Residents"))
    index_cases = forms.CharField(
        label=_("Index cases"),
        required=False,
        help_text=_("Case codes, separated by commas."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_number = forms.CharField(label=_("Decision"), max_length=200, required=False)
    decided_on = date_field(_("Decided on"), required=False)
    start_date = date_field(pgettext_lazy("date", "Start"), required=False, planned=True)
    start_time = time_field(_("Start time"), required=False)
    planned_end = date_field(_("Planned end"), required=False, planned=True)
    rule = forms.ChoiceField(label=_("Lift rule"))
    source_url = forms.URLField(
        label=_("Source"), max_length=500, required=False, assume_scheme="https"
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, communes=(), units=(), rules=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.name) for a in communes]
        self.fields["unit"].choices = [("", "—")] + [(u.code, u.name) for u in units]
        self.fields["rule"].choices = [(r.code, str(r)) for r in rules]
        if editing:
            del self.fields["area"]
            del self.fields["index_cases"]
        self.populations = {a.code: a.population for a in communes}

    def clean_index_cases(self) -> list[str]:
        return case_codes(self.cleaned_data.get("index_cases", ""))

    def clean(self):
        cleaned = super().clean()
        problem = bounds.lead_problem(cleaned.get("decided_on"), cleaned.get("start_date"))
        if problem:
            self.add_error("decided_on", problem)
        residents, commune = cleaned.get("residents"), cleaned.get("area")
        population = self.populations.get(commune)
        if residents is not None and residents > bounds.count_limit(population):
            self.add_error(
                "residents",
                bounds.above_population_message(
                    {
                        "value": residents,
                        "max": bounds.count_limit(population),
                        "area": dict(self.fields["area"].choices).get(commune, commune),
                        "population": population,
                    }
                ),
            )
        return cleaned


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    decision_number = forms.CharField(
        label=_("Decision"),
        max_length=200,
        help_text=_("Number and signer of the decision, e.g. “QĐ 123/QĐ-UBND”."),
    )
    decided_on = date_field(_("Decided on"), required=False)
    effective_on = date_field(_("In force from"), planned=True)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Reason for not following the lift rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when lifting before the rule allows, or before a part of lower risk."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, Status(s).label) for s in choices]


class PartForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    risk = forms.TypedChoiceField(label=_("Risk"), choices=RiskLevel.choices, coerce=int)
    scope_description = forms.CharField(
        label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    households = count_field(pgettext_lazy("count", "Households"))
    residents = count_field(_("Residents"))
    geometry = forms.CharField(required=False, widget=forms.HiddenInput)


class CaseLinkForm(forms.Form):
    case_code = forms.CharField(label=_("Case code"), max_length=40)
    relation = forms.ChoiceField(label=_("Found"), choices=ZoneCase.Relation.choices)
    isolated_on = date_field(
        _("Isolated on"),
        required=False,
        help_text=_("Empty: the confirmation date of the line list."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RoundPlanForm(forms.Form):
    day = date_field(_("Sampling day"), planned=True)
    method = forms.ChoiceField(label=_("Method"), choices=TestingRound.Method.choices)
    whole_zone = forms.BooleanField(label=_("Whole zone"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RoundResultForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (TestingRound.RoundState.DONE, TestingRound.RoundState.DONE.label),
            (TestingRound.RoundState.SAMPLED, TestingRound.RoundState.SAMPLED.label),
        ],
    )
    samples = count_field(_("Samples"))
    positives = count_field(_("Positive"), required=True, initial=0)
    positive_cases = forms.CharField(
        label=_("Case codes of the positives"),
        required=False,
        help_text=_("Separated by commas; each is linked as found inside the zone."),
    )

    def clean_positive_cases(self) -> list[str]:
        return case_codes(self.cleaned_data.get("positive_cases", ""))


class PostForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("guard post", "Post"), max_length=150)
    location = forms.CharField(label=_("Location"), max_length=300, required=False)


class ShiftForm(forms.Form):
    day = date_field(_("Day"), planned=True)
    start = time_field(pgettext_lazy("time of day", "From"))
    end = time_field(pgettext_lazy("time of day", "Until"), required=True)
    required_staff = count_field(_("Officials needed"), required=True, min_value=1, initial=2)


class AssignForm(forms.Form):
    """Name an official for a shift: ``users`` is the zone's roster (``queries.roster``)."""

    user = forms.ChoiceField(
        label=_("User"),
        required=False,
        error_messages={
            "invalid_choice": _("Not on the roster of officials of the zone's commune.")
        },
    )
    roster_name = forms.CharField(
        label=_("or a name on the roster"), max_length=150, required=False
    )

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.get_username()) for u in users
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class InspectionForm(forms.Form):
    day = date_field(_("Day"))
    time = time_field(_("Time"))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    violation_kind = forms.ChoiceField(
        label=_("Violation"),
        required=False,
        choices=[("", "—"), *Violation.Kind.choices],
    )
    violation_description = forms.CharField(label=_("Description"), max_length=500, required=False)
    action_taken = forms.CharField(label=_("Action taken"), max_length=300, required=False)
    photos = MultipleFileField(label=_("Photos (JPEG, PNG, WebP; 5 MB each)"), required=False)


class HouseholdForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=300)
    residents = count_field(_("Residents"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Need"), choices=Need.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)
    household = forms.ChoiceField(label=_("Household"), required=False)
    people = count_field(_("People"))
    requested_on = date_field(_("Requested on"))

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", _("the whole zone"))] + [
            (str(h.pk), h.address) for h in households
        ]


class NeedMetForm(forms.Form):
    met_on = date_field(_("Met on"))
    handed_to = forms.CharField(label=_("Handed to"), max_length=200, required=False)
