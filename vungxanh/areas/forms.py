from django import forms
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.models import SubunitType

MAX_BOUNDARY_BYTES = 20 * 1024 * 1024


class SubunitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    unit_type = forms.ChoiceField(label=_("Type"), choices=SubunitType.choices)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it after the commune's code."),
    )
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)
    reason = forms.CharField(label=_("Reason or decision"), max_length=500, required=False)


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection whose features carry “code” or "
            "“name” properties of the units under this area."
        ),
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    approximate = forms.BooleanField(label=_("These boundaries are approximate"), required=False)
    valid_only = forms.BooleanField(
        label=_("Store the valid features even if others have problems"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BOUNDARY_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
