from django import forms
from django_scopes import scopes_disabled

from improvenet.measures.models import Measure
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import Cluster, School, current_on
from improvenet.studies import power
from improvenet.studies.models import MEASURE_PREFIX, Study, outcome_label

# The PowerUp! parameters a study form asks for, with the words a design team uses.
POWER_FIELDS = {
    "n": ("Students per unit (n)", "Average number of students per school (or classroom) analysed."),
    "J": ("Schools (J)", "Schools in the study; per block when blocked."),
    "K": ("Blocks or level-3 units (K)", "Pyramids, districts or clusters; for three-level designs."),
    "rho2": ("ρ₂: share of the outcome's variance between schools", "Often 0.05 to 0.25."),
    "rho3": ("ρ₃: share between level-3 units", "For three-level designs."),
    "omega3": ("ω₃: effect variation across blocks, relative to ρ₃", "For bcra3r2."),
    "R1": ("R²₁: share of student-level variance explained by covariates", "0 without a pretest."),
    "R2": ("R²₂: share of school-level variance explained by covariates", ""),
    "R3": ("R²₃: share of level-3 variance explained by covariates", ""),
    "RT3": ("R²T₃: share of the effect's variation across blocks explained", ""),
    "g": ("Covariates at the level of assignment (g)", ""),
    "P": ("Share assigned to the change (P)", "0.5 when half the units get it."),
    "alpha": ("Significance level (α)", "0.05 is usual."),
    "power": ("Power", "0.80 is usual."),
}
POWER_DEFAULTS = {"P": 0.5, "alpha": 0.05, "power": 0.8}


def outcome_choices(access) -> list[tuple[str, str]]:
    """The store's student outcomes and the cluster's current measures, as outcomes a study may name."""
    # Imported here: the store loads pandas, which starting the site (its URLs) must not pay for.
    from improvenet.studies import store

    from_store = [(chosen.key, f"{chosen.label.capitalize()} ({chosen.unit})")
                  for chosen in store.outcome_choices(access)]
    measures = [(f"{MEASURE_PREFIX}{pk}", f"Measure: {name}")
                for pk, name in Measure.objects.filter(current_on()).values_list("pk", "name")]
    return from_store + measures


def design_label(code: str) -> str:
    return f"{code}: {power.RULES[code].label}"


class PowerFields(forms.Form):
    """The power inputs of a study; `parameters()` gives them as the study stores them."""

    power_design = forms.ChoiceField(label="Power design", required=False,
                                     choices=[("", "Not chosen yet")] + [(c, design_label(c)) for c in power.DESIGNS])
    two_tailed = forms.BooleanField(label="Two-tailed test", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in POWER_FIELDS.items():
            self.fields[name] = forms.FloatField(
                label=label, help_text=help_text, required=False, initial=POWER_DEFAULTS.get(name),
                widget=forms.NumberInput(attrs={"step": "any", "min": 0}),
            )

    def parameters(self) -> dict:
        data = self.cleaned_data
        chosen = {name: data[name] for name in POWER_FIELDS if data.get(name) is not None}
        if "g" in chosen:
            chosen["g"] = int(chosen["g"])
        if not data.get("two_tailed"):
            chosen["two_tailed"] = False
        return chosen


with scopes_disabled():

    class StudyForm(ClusterScopedForm, PowerFields):
        secondary_outcomes = forms.MultipleChoiceField(
            required=False, widget=forms.CheckboxSelectMultiple, help_text="At most two.",
        )
        revision_reason = forms.CharField(
            label="Why the registered design changes", required=False, widget=forms.Textarea(attrs={"rows": 2}),
            help_text="The study is pre-registered: the change and this reason are kept and shown on its page.",
        )

        class Meta:
            model = Study
            fields = ["title", "question", "agenda_priority", "change_idea", "innovation", "product", "design",
                      "assignment_level", "block_level", "primary_outcome", "smallest_effect", "starts_on",
                      "ends_on", "agreement", "shared_with"]
            widgets = {"starts_on": DateInput, "ends_on": DateInput, "question": forms.Textarea(attrs={"rows": 3}),
                       "primary_outcome": forms.Select, "shared_with": forms.CheckboxSelectMultiple,
                       "smallest_effect": forms.NumberInput(attrs={"step": "any", "min": 0})}

        def __init__(self, *args, access, **kwargs):
            super().__init__(*args, **kwargs)
            study = self.instance
            choices = outcome_choices(access)
            # A study's own outcomes stay choosable even when the store no longer lists them.
            offered = {key for key, _ in choices}
            choices += [(key, outcome_label(key)) for key in study.outcomes if key and key not in offered]
            self.fields["primary_outcome"].widget.choices = [("", "Choose an outcome")] + choices
            self.fields["secondary_outcomes"].choices = choices
            self.fields["shared_with"].queryset = study.cluster.network.clusters.exclude(pk=study.cluster_id)
            self.fields["shared_with"].help_text = "Other clusters of the network that take part and read it."
            if not study.is_registered:
                del self.fields["revision_reason"]
            if study.pk:
                self.initial.update(study.power_parameters, power_design=study.power_design,
                                    secondary_outcomes=study.secondary_outcomes,
                                    two_tailed=study.power_parameters.get("two_tailed", True))

        def _update_errors(self, errors):
            # The model names the parameters as one field; the form shows them under the design's choice.
            moved = getattr(errors, "error_dict", {}).pop("power_parameters", None)
            if moved:
                errors.error_dict.setdefault("power_design", []).extend(moved)
            super()._update_errors(errors)

        def _post_clean(self):
            study = self.instance
            data = self.cleaned_data
            study.secondary_outcomes = list(data.get("secondary_outcomes") or [])
            study.power_design = data.get("power_design") or ""
            study.power_parameters = self.parameters()
            study.revision_reason = data.get("revision_reason") or ""
            super()._post_clean()

    class DrawFields(forms.Form):
        """How any allocation is drawn: the share assigned, a balance rule, the seed, and why a new one."""

        proportion = forms.FloatField(label="Share assigned to the change", initial=0.5, min_value=0.01,
                                      max_value=0.99, widget=forms.NumberInput(attrs={"step": "any"}))
        acceptance = forms.FloatField(
            label="Re-randomize until balanced: acceptance probability", required=False, min_value=0.001,
            max_value=1, widget=forms.NumberInput(attrs={"step": "any"}),
            help_text="Declared beforehand (Morgan & Rubin 2012): e.g. 0.1 keeps the best-balanced tenth of draws.",
        )
        seed = forms.IntegerField(required=False, min_value=0, max_value=2**62,
                                  help_text="Leave empty for a new random seed; the accepted seed is recorded.")
        reason = forms.CharField(label="Why a new allocation", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="Needed once an allocation is saved; kept with the new one.")

    class AllocationForm(DrawFields):
        """The units of an allocation (schools, or the study's clusters) and how they are drawn; the baseline lets
        the preview check balance."""

        field_order = ["schools", "clusters", "proportion", "baseline_name", "baseline", "match_pairs"]

        schools = forms.ModelMultipleChoiceField(
            queryset=School.objects.none(), widget=forms.CheckboxSelectMultiple,
            help_text="The schools to assign. With blocks, each block needs at least two.",
        )
        clusters = forms.ModelMultipleChoiceField(
            queryset=Cluster.objects.none(), widget=forms.CheckboxSelectMultiple,
            help_text="The clusters to assign: the study's own and those it is shared with.",
        )
        baseline_name = forms.CharField(label="Baseline measure", required=False, max_length=80,
                                        help_text="What the baseline values are, e.g. “on-track rate 2025”.")
        baseline = forms.CharField(
            label="Baseline values", required=False, widget=forms.Textarea(attrs={"rows": 4}),
            help_text="One line per school: its name, a comma, its value (a school-level figure, never a student's).",
        )
        match_pairs = forms.BooleanField(label="Pair schools on the baseline and assign one of each pair",
                                         required=False)

        def __init__(self, *args, clusters=None, **kwargs):
            super().__init__(*args, **kwargs)
            if clusters is None:
                del self.fields["clusters"]
                self.fields["schools"].queryset = School.objects.filter(current_on()).order_by("name")
            else:
                # A study that assigns clusters: its own and those it is shared with, never blocked.
                del self.fields["schools"]
                self.fields["clusters"].queryset = clusters.order_by("name")
                self.fields["baseline"].help_text = "One line per cluster: its name, a comma, its value."
                self.fields["match_pairs"].label = "Pair clusters on the baseline and assign one of each pair"

        @property
        def units_field(self) -> str:
            return "schools" if "schools" in self.fields else "clusters"

        def clean(self):
            data = super().clean()
            schools = data.get(self.units_field) or []
            names = {school.name.casefold(): school for school in schools}
            values: dict[int, float] = {}
            for number, line in enumerate((data.get("baseline") or "").splitlines(), start=1):
                if not line.strip():
                    continue
                name, comma, value = line.rpartition(",")
                school = names.get(name.strip().casefold())
                if not comma or school is None:
                    self.add_error("baseline", f"Line {number}: “{line.strip()[:60]}” names none of the chosen "
                                               "schools; write the school's name, a comma, the value.")
                    return data
                try:
                    values[school.pk] = float(value)
                except ValueError:
                    self.add_error("baseline", f"Line {number}: “{value.strip()}” is not a number.")
                    return data
            needs_baseline = data.get("match_pairs") or data.get("acceptance")
            if (values or needs_baseline) and len(values) != len(schools):
                missing = [school.name for school in schools if school.pk not in values]
                self.add_error("baseline", f"Give a baseline value for every chosen {self.units_field[:-1]}; "
                                           f"missing: {', '.join(missing[:5])}.")
            data["baseline_values"] = values
            return data

    class StudentAllocationForm(DrawFields):
        """Whose students a student allocation draws (a school year, schools, grades) and how: within the study's
        blocks, balanced on the prior year's primary outcome when asked. Nothing here names a student."""

        field_order = ["schools", "school_year", "lowest_grade", "highest_grade", "proportion", "baseline",
                       "match_pairs"]

        schools = forms.ModelMultipleChoiceField(
            queryset=School.objects.none(), widget=forms.CheckboxSelectMultiple,
            help_text="The schools whose students are assigned.",
        )
        school_year = forms.IntegerField(
            label="School year, by the year it ends", min_value=2000, max_value=2100,
            help_text="E.g. 2026 for 2025–26: the students enrolled in these schools at some time of that year.",
        )
        lowest_grade = forms.IntegerField(label="Lowest grade", required=False, min_value=0, max_value=12,
                                          help_text="0 for kindergarten; leave both grades empty for every grade.")
        highest_grade = forms.IntegerField(label="Highest grade", required=False, min_value=0, max_value=12)
        baseline = forms.BooleanField(
            label="Use last year's outcome as the baseline", required=False,
            help_text="The study's primary outcome in the school year before, from the store: the preview checks "
                      "the groups' balance on it, and pairing or re-randomizing use it.",
        )
        match_pairs = forms.BooleanField(
            label="Pair students on the baseline within each block and assign one of each pair", required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["schools"].queryset = School.objects.filter(current_on()).order_by("name")

        def clean(self):
            data = super().clean()
            low, high = data.get("lowest_grade"), data.get("highest_grade")
            if low is None and high is None:
                data["grades"] = None
            elif (low if low is not None else 0) > (high if high is not None else 12):
                self.add_error("highest_grade", f"The highest grade must not be below the lowest ({low}).")
            else:
                data["grades"] = (low if low is not None else 0, high if high is not None else 12)
            return data

    class ClassroomAllocationForm(StudentAllocationForm):
        """Whose class sections a classroom allocation draws: those of the chosen schools' students in a school
        year (of some grades), each section with its students' mean baseline."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["schools"].help_text = "The schools whose class sections are assigned."
            self.fields["school_year"].help_text = ("E.g. 2026 for 2025–26: the class sections of that year, from the "
                                                    "store's class roster.")
            self.fields["baseline"].help_text = ("The study's primary outcome in the school year before, from the "
                                                 "store: each section's baseline is its students' mean.")
            self.fields["match_pairs"].label = ("Pair class sections on their baseline within each block and assign "
                                                "one of each pair")
