from django import forms
from django_scopes import scopes_disabled

from improvenet.learning.models import EvidenceThresholds, SpreadStage
from improvenet.network.forms import DateInput

with scopes_disabled():

    class SpreadStageForm(forms.ModelForm):
        """A stage change of one change idea in one of the schools the user may change."""

        class Meta:
            model = SpreadStage
            fields = ["school", "stage", "started_on", "reason"]
            widgets = {"started_on": DateInput, "reason": forms.Textarea(attrs={"rows": 3})}
            labels = {"started_on": "From"}

        def __init__(self, *args, schools=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["school"].queryset = schools


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = EvidenceThresholds
        fields = list(EvidenceThresholds.THRESHOLD_FIELDS)
        labels = {
            "promising_min_schools": "Promising: schools that adopted the idea",
            "promising_min_cycles": "Promising: cycles with a confirmed prediction",
            "supported_min_schools": "Supported: schools with a sustained signal after adoption",
            "not_supported_min_abandoned": "Not supported: schools that abandoned the idea (and none adopted it)",
            "supported_needs_pooled_effect": "Supported also needs a pooled effect above zero (evidence ledger)",
            "supported_min_effect_sites": "Supported: sites in that pooled effect",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (as before the criterion existed), the number of sites keeps its value.
        self.fields["supported_min_effect_sites"].required = False

    def clean_supported_min_effect_sites(self):
        sites = self.cleaned_data.get("supported_min_effect_sites")
        return self.instance.supported_min_effect_sites if sites is None else sites
