from django import forms
from django_scopes import scopes_disabled

from improvenet.induction.models import Cohort, Induction, Log, Mentor, Milestone, NewTeacher, Placement, Progress
from improvenet.network.forms import ClusterScopedForm, DateInput

TEXT = forms.Textarea(attrs={"rows": 3})
ROSTER_MAX_BYTES = 5 * 1024 * 1024


def _form(form_model: type, form_fields: list[str]) -> type[ClusterScopedForm]:
    dates = {name: DateInput for name in form_fields if name.endswith("_on")}
    texts = {name: TEXT for name in form_fields if name in ("notes", "description")}
    meta = type("Meta", (), {"model": form_model, "fields": form_fields, "widgets": dates | texts})
    return type(f"{form_model.__name__}Form", (ClusterScopedForm,), {"Meta": meta})


# Declared outside any scope; ClusterScopedForm replaces the choice lists inside the cluster's scope.
with scopes_disabled():
    FORMS = {
        "cohorts": _form(Cohort, ["name", "starts_on", "length_years", "notes"]),
        "milestones": _form(Milestone, ["cohort", "title", "year", "due_month", "description"]),
        "mentors": _form(Mentor, ["person", "school", "role_title", "started_on", "ended_on"]),
        "teachers": _form(NewTeacher, ["staff_ref", "hired_on", "first_school", "other_school", "left_on"]),
        "inductions": _form(Induction, ["new_teacher", "person", "cohort", "school", "mentor", "started_on",
                                        "completed_on"]),
        "progress": _form(Progress, ["induction", "milestone", "completed_on", "notes"]),
        "logs": _form(Log, ["induction", "mentor", "held_on", "kind", "minutes", "notes"]),
        "placements": _form(Placement, ["induction", "school_name", "placed_on", "notes"]),
    }


class RosterForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: staff_ref, hired_on, first_school, left_on. Nothing is saved unless every row is right.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; split it.")
        return upload
