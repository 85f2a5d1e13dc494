"""Forms of the shared design; lists (causes, elements, the driver diagram) are typed as plain lines."""

from django import forms
from django_scopes import scopes_disabled

from improvenet.design import driver_graph as dg
from improvenet.design.models import Adaptation, Aim, DesignChallenge, Innovation, InnovationElement, SchoolEnactment
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import School, current_on


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


with scopes_disabled():

    class ChallengeForm(ClusterScopedForm):
        causes = forms.CharField(
            label="Root causes (fishbone)", required=False, widget=forms.Textarea(attrs={"rows": 8}),
            help_text="One cause a line, as “Category: cause”, for example “Students: Many give up after a low "
                      "grade”.",
        )

        class Meta:
            model = DesignChallenge
            fields = ["title", "problem_of_practice", "evidence", "people_affected"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk and not self.is_bound:
                self.initial["causes"] = "\n".join(f"{c['category']}: {c['cause']}" for c in self.instance.fishbone)

        def clean_causes(self) -> list[dict]:
            causes = []
            for number, line in enumerate(_lines(self.cleaned_data["causes"]), start=1):
                category, colon, cause = line.partition(":")
                if not colon or not category.strip() or not cause.strip():
                    raise forms.ValidationError(f"Line {number} (“{line}”) needs a category, a colon and the cause.")
                causes.append({"category": category.strip(), "cause": cause.strip()})
            return causes

        def save(self, commit=True):
            self.instance.fishbone = self.cleaned_data["causes"]
            return super().save(commit)

    class AimForm(ClusterScopedForm):
        class Meta:
            model = Aim
            fields = ["statement", "measure", "population", "baseline", "target", "unit", "target_date"]
            widgets = {"target_date": DateInput, "statement": forms.Textarea(attrs={"rows": 2})}
            help_texts = {"statement": "For example “From 62% to 75% of 9th graders on track by June 2027”."}

    class DiagramForm(forms.Form):
        outline = forms.CharField(
            label="Drivers and change ideas", widget=forms.Textarea(attrs={"rows": 24, "cols": 80}),
            help_text="One line each. Primary drivers start at the left; indent secondary drivers under their "
                      "primary driver with two spaces, and change ideas under their secondary driver with four. "
                      "A change idea listed under two drivers serves both.",
        )
        note = forms.CharField(
            label="What changed and why", widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Kept with the version, for example “Added peer tutoring after the first PDSA cycles”.",
        )
        based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

        def clean_outline(self) -> dg.Graph:
            try:
                graph = dg.parse_outline(self.cleaned_data["outline"])
            except dg.GraphError as error:
                raise forms.ValidationError(error.problems) from error
            found = dg.problems(graph)
            if found:
                raise forms.ValidationError(found)
            return graph

    class InnovationForm(ClusterScopedForm):
        core_elements = forms.CharField(
            label="Core elements (non-negotiable)", required=False, widget=forms.Textarea(attrs={"rows": 5}),
            help_text="One element a line, as “Name: what every school does”.",
        )
        adaptable_elements = forms.CharField(
            label="Adaptable elements", required=False, widget=forms.Textarea(attrs={"rows": 5}),
            help_text="One element a line, as “Name: what a school may change”.",
        )

        class Meta:
            model = Innovation
            fields = ["name", "description", "aim", "change_ideas"]
            widgets = {"change_ideas": forms.CheckboxSelectMultiple}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["change_ideas"].queryset = self.fields["change_ideas"].queryset.filter(current_on())
            if self.instance.pk and not self.is_bound:
                for kind, field in (("core", "core_elements"), ("adaptable", "adaptable_elements")):
                    elements = self.instance.elements.filter(current_on(), kind=kind)
                    self.initial[field] = "\n".join(f"{e.name}: {e.description}" for e in elements)

        def _elements(self, field: str) -> list[tuple[str, str]]:
            elements = []
            for line in _lines(self.cleaned_data[field]):
                name, _, description = line.partition(":")
                if not name.strip():
                    raise forms.ValidationError(f"“{line}” needs a name before the colon.")
                elements.append((name.strip()[:200], description.strip()))
            return elements

        def clean_core_elements(self):
            return self._elements("core_elements")

        def clean_adaptable_elements(self):
            return self._elements("adaptable_elements")

        def clean(self):
            data = super().clean()
            names = [n.casefold() for n, _ in data.get("core_elements", []) + data.get("adaptable_elements", [])]
            if len(names) != len(set(names)):
                self.add_error("adaptable_elements", "Each element needs its own name.")
            return data

        def _save_m2m(self):
            """Save the change ideas, then the elements: kept by name (adaptations refer to them), unlisted ended."""
            super()._save_m2m()
            innovation = self.instance
            current = {e.name.casefold(): e for e in innovation.elements.filter(current_on())}
            listed = set()
            for kind, field in (("core", "core_elements"), ("adaptable", "adaptable_elements")):
                for name, description in self.cleaned_data[field]:
                    element = current.get(name.casefold()) or InnovationElement(innovation=innovation)
                    element.kind, element.name, element.description = kind, name, description
                    element.save()
                    listed.add(name.casefold())
            for name, element in current.items():
                if name not in listed:
                    element.end()

    class EnactmentForm(ClusterScopedForm):
        class Meta:
            model = SchoolEnactment
            fields = ["school", "started_on", "notes"]
            widgets = {"started_on": DateInput}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["school"].queryset = School.objects.filter(current_on())

    class AdaptationForm(ClusterScopedForm):
        class Meta:
            model = Adaptation
            fields = ["element", "description", "rationale", "proposed_wording", "adapted_on"]
            widgets = {"adapted_on": DateInput, "description": forms.Textarea(attrs={"rows": 3}),
                       "rationale": forms.Textarea(attrs={"rows": 3})}
            labels = {"element": "Element of the innovation that changed", "rationale": "Why the school changed it"}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            innovation_id = self.instance.enactment.innovation_id
            elements = InnovationElement.objects.filter(current_on(), innovation_id=innovation_id)
            self.fields["element"].queryset = elements
            self.fields["element"].label_from_instance = lambda e: f"{e.name} ({e.get_kind_display().lower()})"
            self.fields["element"].help_text = "Changing a core element puts the adaptation outside the boundary: " \
                                               "the district design team then decides about it."


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Adaptation.Decision.choices, widget=forms.RadioSelect,
                                 label="Decision")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason",
                             help_text="Required; kept with the adaptation.")
