from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_scopes import scopes_disabled

from improvenet.network.access import MAX_ID
from improvenet.network.models import (
    Cluster,
    Membership,
    Organization,
    Person,
    Phase,
    PhaseRole,
    School,
    Team,
    current_on,
)


class DateInput(forms.DateInput):
    input_type = "date"


class RecordChoices(forms.ModelMultipleChoiceField):
    """Ticked records by id; a number no row can have is refused before the database sees it (it would fail)."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or not 0 < int(pk) <= MAX_ID:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class ClusterScopedForm(forms.ModelForm):
    """A form whose choices of related records come only from the cluster being edited.

    The choice lists are built from the scoped managers when the form is created inside a
    cluster's scope, so another cluster's records can be neither listed nor submitted.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.model.objects.all()
            if type(field) is forms.ModelMultipleChoiceField:
                # Only the id checks differ, so the generated field keeps everything else it was given.
                field.__class__ = RecordChoices


# Form classes are declared outside any scope; their querysets are replaced in __init__ above.
with scopes_disabled():

    class NewClusterForm(forms.ModelForm):
        class Meta:
            model = Cluster
            fields = ["name", "slug", "region", "status", "description", "shares_with_network"]
            labels = {"slug": "Short name"}
            help_texts = {"slug": "Lower-case letters, digits and hyphens; used in the cluster's address."}

    class ClusterForm(ClusterScopedForm):
        class Meta:
            model = Cluster
            fields = ["name", "region", "status", "lead_organization", "description", "shares_with_network",
                      "stale_cycle_days"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["lead_organization"].queryset = Organization.objects.exclude(kind=Organization.Kind.SCHOOL)

    class OrganizationForm(ClusterScopedForm):
        website = forms.URLField(required=False, assume_scheme="https")

        class Meta:
            model = Organization
            fields = ["name", "kind", "website", "notes"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["kind"].choices = [
                choice for choice in self.fields["kind"].choices if choice[0] != Organization.Kind.SCHOOL
            ]

    class SchoolForm(ClusterScopedForm):
        website = forms.URLField(required=False, assume_scheme="https")

        class Meta:
            model = School
            fields = [
                "name", "level", "role", "lowest_grade", "highest_grade", "feeds_into",
                "nces_id", "state_id", "street", "city", "state", "postal_code", "website",
            ]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            current = current_on() | Q(pk=self.instance.feeds_into_id)
            self.fields["feeds_into"].queryset = School.objects.filter(current, level=School.Level.HIGH)

    class PersonForm(ClusterScopedForm):
        class Meta:
            model = Person
            fields = ["given_name", "family_name", "title", "email", "home_organization"]

    class TeamForm(ClusterScopedForm):
        class Meta:
            model = Team
            fields = ["name", "kind", "school", "purpose"]

    class MembershipForm(ClusterScopedForm):
        class Meta:
            model = Membership
            fields = ["person", "role", "home_organization", "started_on", "ended_on"]
            widgets = {"started_on": DateInput, "ended_on": DateInput}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["person"].queryset = Person.objects.filter(current_on() | Q(pk=self.instance.person_id))

    class PhaseForm(forms.ModelForm):
        """A phase with, in the same form, what each kind of team does in it (empty: no role)."""

        class Meta:
            model = Phase
            fields = ["stage", "starts_on", "ends_on", "summary"]
            widgets = {"starts_on": DateInput, "ends_on": DateInput}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            current = {}
            if self.instance.pk:
                current = dict(self.instance.roles.values_list("team_kind", "description"))
            for kind, label in Team.Kind.choices:
                self.fields[f"role_{kind}"] = forms.CharField(
                    label=f"What the {label[0].lower()}{label[1:]} does", required=False, initial=current.get(kind),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="Leave empty when these teams have no part in this phase.",
                )

        def _save_m2m(self):
            super()._save_m2m()
            for kind, _ in Team.Kind.choices:
                text = self.cleaned_data.get(f"role_{kind}", "").strip()
                if text:
                    PhaseRole.objects.update_or_create(phase=self.instance, team_kind=kind,
                                                       defaults={"description": text})
                else:
                    PhaseRole.objects.filter(phase=self.instance, team_kind=kind).delete()


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label="Ended on", required=False, widget=DateInput, help_text="Leave empty for today."
    )

