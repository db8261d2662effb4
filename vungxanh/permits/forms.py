"""Forms of the permit pages; the services check again what the forms check."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vungxanh.domain import workplace
from vungxanh.lib.dates import DayField
from vungxanh.permits.models import (
    NAME_MAX,
    REASON_MAX,
    TEST_EVERY_MAX,
    TEST_EVERY_MIN,
    TEXT_MAX,
    PermitKind,
    ProductionModel,
)

ANSWER_PREFIX = "answer_"
# A workplace of more people than this is a typo (the largest employ tens of thousands).
PEOPLE_MAX = 200_000
DECISIONS = {
    "review": "under_review",
    "approve": "approved",
    "changes": "changes_requested",
    "reject": "rejected",
    "resubmit": "submitted",
}


class PlanForm(forms.Form):
    establishment = forms.ModelChoiceField(queryset=None, label=_("Establishment"))
    production_model = forms.ChoiceField(
        choices=ProductionModel.choices, label=_("Production model")
    )
    workers_on_site = forms.IntegerField(
        min_value=0, max_value=PEOPLE_MAX, label=_("Workers on site")
    )
    test_every_days = forms.IntegerField(
        min_value=TEST_EVERY_MIN,
        max_value=TEST_EVERY_MAX,
        initial=TEST_EVERY_MAX,
        label=_("Test everyone every … days (QĐ 2787: 5–7)"),
    )
    responsible_person = forms.CharField(max_length=NAME_MAX, label=_("Responsible person"))
    responsible_phone = forms.CharField(max_length=20, required=False, label=_("Phone"))

    def __init__(self, *args, establishments, scheme: workplace.Scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments
        self.scheme = scheme
        vietnamese = translation.get_language() == "vi"
        high = workplace.MAXIMUM_LIMIT if scheme.method == workplace.TOTAL else scheme.points_max
        for key, name, name_vi in workplace.answer_fields(scheme):
            self.fields[ANSWER_PREFIX + key] = forms.IntegerField(
                min_value=0, max_value=high, label=name_vi if vietnamese else name
            )

    def answers(self) -> dict[str, int]:
        return {
            name.removeprefix(ANSWER_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ANSWER_PREFIX)
        }

    def answer_fields(self):
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]


class TestRecordForm(forms.Form):
    __test__ = False

    day = DayField(label=_("Day"), widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}))
    people_tested = forms.IntegerField(min_value=0, max_value=PEOPLE_MAX, label=_("People tested"))
    positives = forms.IntegerField(min_value=0, max_value=PEOPLE_MAX, label=_("Positives"))


class ApplicationForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=None, label=_("Safety plan"))
    kind = forms.ChoiceField(choices=PermitKind.choices, label=_("Kind of application"))
    first_day = DayField(
        label=_("From"), widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    last_day = DayField(
        label=_("Until (empty: until further notice)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    max_people = forms.IntegerField(
        min_value=1, max_value=PEOPLE_MAX, required=False, label=_("At most (people at work)")
    )
    description = forms.CharField(
        max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), label=_("What you ask")
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda p: (
            f"{p.establishment.name} · {p.created_at:%d/%m/%Y} · {p.percent}%"
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(k, k) for k in DECISIONS])
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason or conditions (the applicant reads them)"),
    )
    description = forms.CharField(
        max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
