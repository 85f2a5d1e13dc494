from django import forms

from improvenet.convenings.models import Convening
from improvenet.network.forms import ClusterScopedForm, DateInput


class ConveningForm(ClusterScopedForm):
    class Meta:
        model = Convening
        fields = ["held_on", "title", "place", "notes"]
        widgets = {"held_on": DateInput, "notes": forms.Textarea(attrs={"rows": 4})}
