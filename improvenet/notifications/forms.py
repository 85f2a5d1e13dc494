from django import forms


class DigestForm(forms.Form):
    weekly = forms.BooleanField(
        label="E-mail me a weekly digest of my notifications", required=False,
        help_text="One e-mail a week, only when there is something new; each has a link to stop it.",
    )
