from django import forms
from django.db.models import Q
from django_scopes import scopes_disabled

from improvenet.network.access import partner_organizations
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import current_on
from improvenet.partners.documents import ALLOWED_TEXT, MAX_DOCUMENT_BYTES
from improvenet.partners.models import Agreement

with scopes_disabled():

    class AgreementForm(ClusterScopedForm):
        class Meta:
            model = Agreement
            fields = ["title", "kind", "parties", "scope", "starts_on", "renews_on", "expires_on", "signed_on"]
            widgets = {
                "parties": forms.CheckboxSelectMultiple, "scope": forms.Textarea(attrs={"rows": 4}),
                "starts_on": DateInput, "renews_on": DateInput, "expires_on": DateInput, "signed_on": DateInput,
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Current partners, and the ones this agreement already names even if they have left since.
            named = self.instance.parties.all() if self.instance.pk else []
            self.fields["parties"].queryset = partner_organizations().filter(
                current_on() | Q(pk__in=[party.pk for party in named])
            ).order_by("name")


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Document", allow_empty_file=False,
        help_text=f"One of {ALLOWED_TEXT}; at most {MAX_DOCUMENT_BYTES // 1024 // 1024} MB.",
    )
    description = forms.CharField(max_length=200, required=False,
                                  help_text="For example “Signed copy” or “Amendment of 2026”.")
