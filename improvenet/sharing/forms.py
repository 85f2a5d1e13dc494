from django import forms

from improvenet.design.models import ChangeIdea
from improvenet.network.models import current_on
from improvenet.sharing.models import EVIDENCE_LEVELS, Publication

EVIDENCE_CHOICES = [("", "Any level"), *EVIDENCE_LEVELS]


class PublishForm(forms.Form):
    change_idea = forms.ModelChoiceField(
        queryset=ChangeIdea.objects.none(), label="Change idea",
        help_text="The idea, its evidence and its decided PDSA cycles are published as they are today.",
    )
    names_schools = forms.BooleanField(
        required=False, label="Name our schools",
        help_text="Off: each cycle shows only its school's level and role (for example “High school, "
                  "innovation school”). On: the school's name too.",
    )

    def __init__(self, *args, **kwargs):
        """Within the cluster scope: the current ideas not already published."""
        super().__init__(*args, **kwargs)
        published = Publication.objects.filter(current_on()).values("change_idea_id")
        self.fields["change_idea"].queryset = (
            ChangeIdea.objects.filter(current_on()).exclude(pk__in=published).order_by("title")
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why it is withdrawn",
        help_text="Shown in the library beside the publication; the clusters that adopted it read it.",
    )


class AdoptForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, label="Title in our shared design",
        help_text="Leave empty to keep the published title.",
    )


class LibraryFilters(forms.Form):
    q = forms.CharField(required=False, label="Title contains")
    evidence_level = forms.ChoiceField(required=False, choices=EVIDENCE_CHOICES, label="Level of evidence")
    cluster = forms.ChoiceField(required=False, label="Published by")
    withdrawn = forms.BooleanField(required=False, label="Also show withdrawn publications")

    def __init__(self, *args, clusters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].choices = [("", "Any cluster"), *((c.slug, c.name) for c in clusters)]
