from django import forms
from django_scopes import scopes_disabled

from improvenet.measures.models import ChartBreak, Measure, MeasureValue
from improvenet.network.forms import ClusterScopedForm, DateInput

with scopes_disabled():

    class MeasureForm(ClusterScopedForm):
        class Meta:
            model = Measure
            fields = [
                "name", "slug", "kind", "aim", "operational_definition", "numerator_label", "denominator_label",
                "unit", "multiply", "frequency", "improvement_direction", "target", "chart_type",
                "first_period", "last_period",
            ]
            labels = {"slug": "Short name", "improvement_direction": "Direction of improvement",
                      "chart_type": "Chart", "numerator_label": "Numerator (or the single value)"}
            widgets = {"first_period": DateInput, "last_period": DateInput,
                       "operational_definition": forms.Textarea(attrs={"rows": 4})}

    class ValueForm(forms.ModelForm):
        class Meta:
            model = MeasureValue
            fields = ["period", "numerator", "denominator"]
            widgets = {"period": DateInput}

        def __init__(self, *args, measure: Measure, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["numerator"].label = measure.numerator_label or "Value"
            if measure.has_denominator:
                self.fields["denominator"].label = measure.denominator_label
                self.fields["denominator"].required = True
            else:
                del self.fields["denominator"]


    class ChartBreakForm(forms.ModelForm):
        class Meta:
            model = ChartBreak
            fields = ["starts_on", "reason"]
            labels = {"starts_on": "New part starts on", "reason": "Why the process changed here"}
            widgets = {"starts_on": DateInput, "reason": forms.Textarea(attrs={"rows": 3})}


class BreakRemovalForm(forms.Form):
    reason = forms.CharField(label="Why remove it", required=False, max_length=2000,
                             widget=forms.TextInput(attrs={"placeholder": "e.g. entered on the wrong week"}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Columns: school, period, numerator and denominator (or value). Nothing is saved "
                  "unless every row is right; uploading the same file again changes nothing.",
    )

    def clean_file(self):
        # Its size and its cells are checked by improvenet.measures.upload.read_table, for every channel.
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload
