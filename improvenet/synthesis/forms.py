from django import forms
from django_scopes import scopes_disabled

from improvenet.data.forms import ComparisonForm
from improvenet.network.forms import ClusterScopedForm
from improvenet.network.models import School, current_on
from improvenet.synthesis.entry import EFFECT_TYPES, EVENTS, MEANS, EntryError, effect_from
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate

FIGURE_LABELS = {
    "mean_treatment": "Mean with the change", "sd_treatment": "Standard deviation with the change",
    "n_treatment": "Students with the change", "mean_comparison": "Mean of the comparison group",
    "sd_comparison": "Standard deviation of the comparison group", "n_comparison": "Students in the comparison group",
    "events_treatment": "Students with the outcome (yes), with the change",
    "events_comparison": "Students with the outcome (yes), comparison group",
}

# The figures of a school's estimate that the store computed: editing one makes it a typed estimate.
COMPUTED_FIGURES = {"school", "outcome", "start_year", "effect", "standard_error", "scale"}


class ExternalStudyForm(forms.ModelForm):
    """The study and its effect: given directly, or computed from the groups' means or events."""

    effect_type = forms.ChoiceField(
        label="How the effect is given", choices=list(EFFECT_TYPES.items()), required=False,
        help_text="Give the effect and its standard error, or the groups' figures to compute it from.",
    )
    effect = forms.CharField(required=False, help_text="Positive when the change did better than the comparison.")
    standard_error = forms.CharField(required=False)
    url = forms.URLField(label="Address", max_length=500, required=False, assume_scheme="https",
                         help_text="Where the study can be read.")

    class Meta:
        model = ExternalStudy
        fields = ["citation", "url", "outcome", "wwc_rating", "sample", "school_level", "poverty_share", "dosage",
                  "scale"]
        labels = {"scale": "Scale of the effect (when given directly)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in dict.fromkeys([*MEANS, *EVENTS]):
            self.fields[name] = forms.CharField(label=FIGURE_LABELS[name], required=False)
        if self.instance.pk and not self.is_bound:
            self.initial.update(effect=self.instance.effect, standard_error=self.instance.standard_error)

    def clean(self):
        data = super().clean()
        try:
            found = effect_from(data)
        except EntryError as error:
            for name, message in error.problems.items():
                self.add_error(name if name in self.fields else None, message)
            return data
        self.instance.effect, self.instance.standard_error = found.effect, found.standard_error
        self.instance.scale, self.instance.computed_from = found.scale, found.computed_from
        return data


class StudiesUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="One row per study; the columns are listed above. Nothing is saved unless every row is right.",
    )


with scopes_disabled():

    class SchoolEstimateForm(ClusterScopedForm):
        class Meta:
            model = SchoolEstimate
            fields = ["school", "outcome", "start_year", "comparison", "effect", "standard_error", "scale",
                      "poverty_share", "dosage", "included", "inclusion_reason", "shared_with_network"]
            labels = {"included": "Include this estimate in the ledger",
                      "shared_with_network": "Share it with the clusters that hold the same idea"}
            widgets = {"inclusion_reason": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["school"].queryset = School.objects.filter(current_on()).order_by("name")

        def clean(self):
            data = super().clean()
            # A computed estimate whose figures are edited by hand is no longer the one computed from the store.
            if self.instance.computed_from and COMPUTED_FIGURES & set(self.changed_data):
                self.instance.computed_from = ""
            return data


class ComputedEstimatesForm(ComparisonForm):
    """Which rate and start year to compute each innovation school's estimate for (against the comparison schools)."""

    treated_role = None


def chosen_schools(data, estimates) -> tuple[list, dict[str, str]]:
    """([(estimate, the inclusion reason)] for the ticked schools, {field: problem}) from a posted choice."""
    chosen, problems = [], {}
    for estimate in estimates:
        if estimate.effect is None or not data.get(f"include_{estimate.school.pk}"):
            continue
        reason = (data.get(f"reason_{estimate.school.pk}") or "").strip()
        if not reason:
            problems[f"reason_{estimate.school.pk}"] = (f"Say why {estimate.school.name}'s estimate is included, for "
                                                        "example that the years before the start moved in parallel.")
        chosen.append((estimate, reason))
    if not chosen and not problems:
        problems["include"] = "Tick at least one school to include its estimate."
    return chosen, problems
