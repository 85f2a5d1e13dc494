from django import forms
from django.db.models import Q
from django_scopes import scopes_disabled

from improvenet.design.models import DesignChallenge
from improvenet.governance import voting
from improvenet.governance.models import AgendaChange, Constituency, Decision, PanelMember, Proposal, Vote
from improvenet.network.forms import ClusterScopedForm, DateInput, RecordChoices
from improvenet.network.models import Person, current_on

CHECKBOXES = forms.CheckboxSelectMultiple


with scopes_disabled():

    class PanelMemberForm(ClusterScopedForm):
        class Meta:
            model = PanelMember
            fields = ["person", "constituency", "term_starts_on", "term_ends_on", "ended_on"]
            widgets = {"term_starts_on": DateInput, "term_ends_on": DateInput, "ended_on": DateInput}
            labels = {"ended_on": "Left the panel on"}
            help_texts = {"ended_on": "Only when the member left before the term's end; leave empty otherwise."}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["person"].queryset = Person.objects.filter(current_on() | Q(pk=self.instance.person_id))

    class ProposalForm(ClusterScopedForm):
        class Meta:
            model = Proposal
            fields = ["kind", "title", "description", "proposed_by", "proposed_on", "design_challenges"]
            widgets = {"proposed_on": DateInput, "description": forms.Textarea(attrs={"rows": 4}),
                       "design_challenges": CHECKBOXES}
            labels = {"design_challenges": "Linked design challenges"}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["proposed_by"].queryset = Person.objects.filter(
                current_on() | Q(pk=self.instance.proposed_by_id))

    class VoteForm(ClusterScopedForm):
        required_constituencies = forms.MultipleChoiceField(
            choices=Constituency.choices, required=False, widget=CHECKBOXES,
            label="Quorum: constituencies that must have a member voting")

        class Meta:
            model = Vote
            fields = ["title", "method", "held_on", "proposals", "quorum_percent", "quorum_min_count",
                      "required_constituencies", "full_ranking"]
            widgets = {"held_on": DateInput, "proposals": CHECKBOXES}
            labels = {"proposals": "Proposals on the ballot"}

    class DecisionForm(ClusterScopedForm):
        """The decision, and in the same form the change it makes to the research agenda (if any)."""

        agenda_action = forms.ChoiceField(
            label="Change to the research agenda", required=False,
            choices=[("", "No change to the agenda"), *AgendaChange.Action.choices])
        agenda_priority = forms.ChoiceField(label="Priority to change or take off", required=False)
        agenda_title = forms.CharField(label="Priority as the agenda states it", required=False, max_length=200)
        agenda_description = forms.CharField(label="Description of the priority", required=False,
                                             widget=forms.Textarea(attrs={"rows": 3}))
        agenda_challenges = RecordChoices(
            queryset=DesignChallenge.objects.all(), required=False, widget=CHECKBOXES,
            label="Design challenges the priority is linked to")
        agenda_studies = forms.CharField(
            label="Studies of the priority", required=False, widget=forms.Textarea(attrs={"rows": 3}),
            help_text="One study a line: title | link | notes (link and notes may be left out).")

        class Meta:
            model = Decision
            fields = ["decided_on", "result", "rationale"]
            widgets = {"decided_on": DateInput, "result": forms.Textarea(attrs={"rows": 2}),
                       "rationale": forms.Textarea(attrs={"rows": 4})}

        def __init__(self, *args, priorities=(), **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["agenda_priority"].choices = [("", "—"), *((str(c.priority_id), c.title) for c in priorities)]

        def clean(self):
            data = super().clean()
            action = data.get("agenda_action")
            if action in (AgendaChange.Action.CHANGED, AgendaChange.Action.RETIRED) and not data.get("agenda_priority"):
                self.add_error("agenda_priority", "Choose the priority to change or take off the agenda.")
            if action in (AgendaChange.Action.ADDED, AgendaChange.Action.CHANGED) and not data.get("agenda_title"):
                self.add_error("agenda_title", "Say what the priority is.")
            return data

        def studies(self) -> list[dict]:
            studies = []
            for line in self.cleaned_data.get("agenda_studies", "").splitlines():
                if line.strip():
                    title, url, notes = ([part.strip() for part in line.split("|", 2)] + ["", ""])[:3]
                    studies.append({"title": title, "url": url, "notes": notes})
            return studies


class BallotForm(forms.Form):
    """One member's ballot: approvals (tick each approved proposal) or ranks (1 for the first preference)."""

    def __init__(self, *args, vote: Vote, members, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.vote, self.proposals = vote, list(proposals)
        self.fields["member"] = forms.ModelChoiceField(queryset=members, label="Panel member",
                                                       empty_label="Choose the member who votes")
        if vote.method == voting.APPROVAL:
            self.fields["approve"] = forms.MultipleChoiceField(
                choices=[(str(p.pk), p.title) for p in self.proposals], required=False, widget=CHECKBOXES,
                label="Proposals the member approves", help_text="Approving none is an abstention.")
        else:
            ranks = [("", "Not ranked"), *((str(n), str(n)) for n in range(1, len(self.proposals) + 1))]
            for proposal in self.proposals:
                self.fields[f"rank_{proposal.pk}"] = forms.ChoiceField(
                    choices=ranks, required=False, label=f"Rank of “{proposal.title}”")

    def clean(self):
        data = super().clean()
        if self.vote.method == voting.APPROVAL:
            chosen = set(data.get("approve") or [])
            data["choices"] = [p for p in self.proposals if str(p.pk) in chosen]
            return data
        ranked = [(int(data[f"rank_{p.pk}"]), p) for p in self.proposals if data.get(f"rank_{p.pk}")]
        for rank in sorted({r for r, _ in ranked}):
            same = [p.title for r, p in ranked if r == rank]
            if len(same) > 1:
                raise forms.ValidationError(f"{' and '.join(same)} are both ranked {rank}; give each proposal its "
                                            "own rank.")
        data["choices"] = [p for _, p in sorted(ranked, key=lambda pair: pair[0])]
        return data
