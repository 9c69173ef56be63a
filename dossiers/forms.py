from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.metrics import COUNTER_FIELDS, COUNTER_LABELS, REQUIRED_COUNTERS


class MonthForm(forms.Form):
    """One month's counters. Only shapes the input: every rule is checked by the service, whose
    problems are put back next to their fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COUNTER_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=COUNTER_LABELS[name],
                min_value=0,
                required=name in REQUIRED_COUNTERS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
