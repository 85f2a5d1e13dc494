from django import forms
from django_scopes import scopes_disabled

from improvenet.accounts.models import Invitation
from improvenet.network.forms import ClusterScopedForm
from improvenet.network.models import ClusterRole, School, Team, current_on

REASON_HELP = "Why: it is kept in the cluster's log of role changes."


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=500, help_text=REASON_HELP,
                             widget=forms.TextInput(attrs={"size": 50}))


class RoleForm(ReasonForm):
    role = forms.ChoiceField(label="Role", choices=ClusterRole.Role.choices)
    field_order = ["role", "reason"]


class GrantForm(RoleForm):
    user = forms.ModelChoiceField(
        label="Person", queryset=None, empty_label=None,
        help_text="People of the cluster who have an account and no role here yet; invite the others.",
    )
    field_order = ["user", "role", "reason"]

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts
        self.fields["user"].label_from_instance = account_label


def account_label(user) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


with scopes_disabled():

    class InvitationForm(ClusterScopedForm):
        class Meta:
            model = Invitation
            fields = ["given_name", "family_name", "email", "role", "team", "school"]
            help_texts = {"email": "The invitation is sent here; the link in it works once."}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["team"].queryset = Team.objects.filter(current_on()).order_by("name")
            self.fields["school"].queryset = School.objects.filter(current_on()).order_by("name")


class BulkInvitationForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Columns: name, email, role and, where it applies, team and school. Nothing is sent unless "
                  "every row is right.",
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label="Choose a password", widget=forms.PasswordInput(attrs={
        "autocomplete": "new-password"}), help_text="At least 10 characters, not only digits, not a common password.")
    again = forms.CharField(label="The same password again", widget=forms.PasswordInput(attrs={
        "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("again") and data["password"] != data["again"]:
            self.add_error("again", "The two passwords differ; type the same one twice.")
        return data
