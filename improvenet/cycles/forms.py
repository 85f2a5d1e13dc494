from django import forms
from django_scopes import scopes_disabled

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.network.forms import ClusterScopedForm, DateInput

with scopes_disabled():

    class CycleForm(ClusterScopedForm):
        """The Plan of a cycle; `team` only when the cycle is new."""

        class Meta:
            model = PdsaCycle
            fields = [
                "team", "change_idea", "objective", "questions", "scale", "who", "where", "planned_start",
                "planned_end", "data_to_collect", "measures",
            ]
            widgets = {
                "planned_start": DateInput, "planned_end": DateInput,
                "objective": forms.Textarea(attrs={"rows": 3}), "questions": forms.Textarea(attrs={"rows": 3}),
                "data_to_collect": forms.Textarea(attrs={"rows": 3}),
            }
            labels = {"team": "School design team", "who": "Who", "where": "Where"}

        def __init__(self, *args, teams=None, **kwargs):
            super().__init__(*args, **kwargs)
            if teams is None:
                del self.fields["team"]
            else:
                self.fields["team"].queryset = teams
            idea = self.fields["change_idea"]
            idea.queryset = idea.queryset.model.objects.filter(ended_on__isnull=True).order_by("title")
            self.fields["measures"].required = False


class DoForm(forms.ModelForm):
    class Meta:
        model = PdsaCycle
        fields = ["what_happened", "observations", "data_collected"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class StudyForm(forms.ModelForm):
    class Meta:
        model = PdsaCycle
        fields = ["learning"]
        widgets = {"learning": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"learning": "Across the predictions: what did this test teach you about the change?"}


class PredictionForm(forms.Form):
    text = forms.CharField(label="Prediction", widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="What you expect to happen, e.g. “At least 20 of 28 students turn in the log”.")
    confirm_criterion = forms.CharField(label="What would confirm it", widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text="What you would see, and count, if the prediction is right.")
    reason = forms.CharField(label="Why it changes", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Do has started: this edit is kept and shown beside the prediction.")

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not locked:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label="Was the prediction confirmed?", choices=Prediction.Outcome.choices,
                                widget=forms.RadioSelect)
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="What you saw, compared with what would have confirmed it.")


class StepForm(forms.Form):
    on = forms.DateField(label="On", required=False, widget=DateInput, help_text="Leave empty for today.")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=PdsaCycle.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose a decision: adopt, adapt or abandon."})
    decision_notes = forms.CharField(label="Why, and what changes", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label="Decided on", required=False, widget=DateInput, help_text="Leave empty for today.")
    next_objective = forms.CharField(
        label="Objective of the next cycle", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: plan the next cycle of this ramp now (after adopt or adapt).",
    )
    next_planned_start = forms.DateField(label="Next cycle starts", required=False, widget=DateInput)


class CopyForm(forms.Form):
    team = forms.ModelChoiceField(label="School design team", queryset=None,
                                  help_text="The team whose school starts its own cycle from this one.")
    planned_start = forms.DateField(label="Planned start", widget=DateInput)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
