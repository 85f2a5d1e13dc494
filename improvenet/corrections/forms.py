from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why: the reason is shown with the record."},
                             help_text="Shown with the record, so that everyone sees why it changed.")
