"""Forms of partnership health: a round, a new version of the rubric, and a self-assessment."""

import json

from django import forms
from django.core.exceptions import ValidationError

from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.partnership import health as ph
from improvenet.partnership.models import Round, Rubric, rubric_from_data, rubric_to_data

NOT_RATED = ""


class RoundForm(ClusterScopedForm):
    class Meta:
        model = Round
        fields = ["held_on", "title", "notes"]
        widgets = {"held_on": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}


class RubricForm(forms.ModelForm):
    """A new version of the rubric; the dimensions are edited as JSON, checked by the lib's rules."""

    dimensions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text="A list of dimensions. Each has a “key” (short, without spaces; keep it when you only reword), "
                  "a “label”, a “question”, and “levels” from the lowest to the highest, each with a “key”, a "
                  "“label” and a “descriptor”. At least two levels per dimension.",
    )

    class Meta:
        model = Rubric
        fields = ["title", "gap_threshold", "change_note", "dimensions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["dimensions"] = json.dumps(self.instance.dimensions, indent=2, ensure_ascii=False)

    def clean_dimensions(self):
        text = self.cleaned_data["dimensions"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"This is not valid JSON: {error.msg} on line {error.lineno}, column "
                                  f"{error.colno}.") from error
        except RecursionError as error:
            # Python's parser gives up on lists or objects nested thousands deep; a rubric nests four levels.
            raise ValidationError("The JSON is nested far too deep to be a rubric: dimensions hold levels, "
                                  "nothing deeper.") from error
        try:
            return rubric_to_data(rubric_from_data(self.cleaned_data.get("title", ""), data))
        except ph.RubricError as error:
            raise ValidationError(error.problems) from error


class AssessmentForm(forms.Form):
    """A level and its evidence for every dimension of the rubric; a dimension may be left unrated."""

    def __init__(self, *args, rubric: ph.Rubric, organizations=None, initial_ratings=None, notes="", **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                organizations, label="Partner organization", help_text="Whose self-assessment this is.")
        ratings = initial_ratings or {}
        for dimension in rubric.dimensions:
            level, evidence = ratings.get(dimension.key, (NOT_RATED, ""))
            self.fields[f"level_{dimension.key}"] = forms.ChoiceField(
                label=f"{dimension.label}: level", required=False, initial=level, widget=forms.RadioSelect,
                help_text=dimension.question,
                choices=[(NOT_RATED, "Not rated this round")]
                + [(lvl.key, f"{n}. {lvl.label} — {lvl.descriptor}") for n, lvl in enumerate(dimension.levels, 1)],
            )
            self.fields[f"evidence_{dimension.key}"] = forms.CharField(
                label=f"{dimension.label}: evidence", required=False, initial=evidence,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Required with a rating: what shows the partnership is at this level.",
            )
        self.fields["notes"] = forms.CharField(
            required=False, initial=notes, widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Who took part in the self-assessment, and anything to add.")

    def ratings(self) -> dict[str, tuple[str, str]]:
        """The rated dimensions (after is_valid()); evidence typed without a level counts as a rating."""
        found = {}
        for dimension in self.rubric.dimensions:
            level = self.cleaned_data.get(f"level_{dimension.key}") or NOT_RATED
            evidence = self.cleaned_data.get(f"evidence_{dimension.key}", "")
            if level != NOT_RATED or evidence.strip():
                found[dimension.key] = (level, evidence)
        return found

    def add_problems(self, error: ValidationError) -> None:
        """Put the model's and the lib's problems next to the fields they concern."""
        for name, problems in error.message_dict.items():
            key = name.removeprefix("ratings.")
            if name.startswith("ratings.") and key in {d.key for d in self.rubric.dimensions}:
                level = self.cleaned_data.get(f"level_{key}")
                field = f"evidence_{key}" if level else f"level_{key}"
            else:
                field = name if name in self.fields else None
            for problem in problems:
                self.add_error(field, problem)
