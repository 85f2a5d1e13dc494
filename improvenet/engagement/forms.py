from django import forms
from django.db.models import Q
from django_scopes import scopes_disabled

from improvenet.engagement.models import Candidate, CommunityInput, EngagementEvent, Objection, SelectionDecision, Tag
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import School, current_on


def _current_schools(form: forms.ModelForm, field: str = "school") -> None:
    """Offer the cluster's current schools, and the one already chosen even if it has left."""
    chosen = getattr(form.instance, f"{field}_id")
    form.fields[field].queryset = School.objects.filter(current_on() | Q(pk=chosen))


# Form classes are declared outside any scope; ClusterScopedForm replaces their querysets in __init__.
with scopes_disabled():

    class EventForm(ClusterScopedForm):
        class Meta:
            model = EngagementEvent
            fields = ["held_on", "kind", "school", "title", "attendance", "notes"]
            widgets = {"held_on": DateInput, "notes": forms.Textarea(attrs={"rows": 4})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _current_schools(self)
            self.fields["school"].empty_label = "District-wide (no one school)"

    class InputForm(ClusterScopedForm):
        tag_names = forms.CharField(
            label="Tags", required=False, max_length=500,
            help_text="Separate tags with commas, for example “transportation, testing time”. "
                      "Tags already used in the cluster are reused.",
        )

        class Meta:
            model = CommunityInput
            fields = ["stance", "summary"]
            widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk:
                self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())

        def clean_tag_names(self) -> list[str]:
            names = [" ".join(name.split()) for name in self.cleaned_data["tag_names"].split(",")]
            too_long = [name for name in names if len(name) > 60]
            if too_long:
                raise forms.ValidationError(f"A tag has at most 60 characters; “{too_long[0][:20]}…” is longer.")
            return [name for name in names if name]

        def _save_m2m(self):
            super()._save_m2m()
            cluster = self.instance.event.cluster
            self.instance.tags.set(Tag.for_names(cluster, self.cleaned_data["tag_names"]))

    class ObjectionForm(ClusterScopedForm):
        class Meta:
            model = Objection
            fields = ["school", "raised_on", "raised_by", "objection", "status", "response", "responded_on"]
            widgets = {"raised_on": DateInput, "responded_on": DateInput,
                       "objection": forms.Textarea(attrs={"rows": 3}), "response": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _current_schools(self)

    class DecisionForm(ClusterScopedForm):
        class Meta:
            model = SelectionDecision
            fields = ["title", "status", "decided_on", "decided_by", "reasons"]
            widgets = {"decided_on": DateInput, "reasons": forms.Textarea(attrs={"rows": 4})}

    class CandidateForm(ClusterScopedForm):
        class Meta:
            model = Candidate
            fields = ["school", "outcome", "reason", "objection"]
            widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _current_schools(self)
            self.fields["objection"].queryset = Objection.objects.select_related("school").order_by(
                "school__name", "raised_on")
            self.fields["objection"].label_from_instance = lambda o: f"{o.school.name}: {o} ({o.get_status_display()})"


class EventFilterForm(forms.Form):
    """The filters of the events list; choices come from the open cluster scope."""

    school = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *EngagementEvent.Kind.choices])
    tag = forms.ChoiceField(required=False, help_text="Events where a concern or support had this tag.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.filter(engagement_events__isnull=False).distinct().order_by("name")
        self.fields["school"].choices = [("", "Any school"), ("district", "District-wide events"),
                                         *((str(s.pk), s.name) for s in schools)]
        self.fields["tag"].choices = [("", "Any tag"), *((t.name, t.name) for t in Tag.objects.order_by("name"))]

    def chosen(self) -> dict[str, str]:
        """The valid filters chosen; an invalid choice is ignored rather than answered with an error."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in self.fields}
