from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from improvenet.signin import guard
from improvenet.signin.backends import REFUSAL_ATTRIBUTE


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying why the guard refused when it did (locked out, passwords off)."""

    @property
    def refused(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code="refused")

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
            if refusal:
                raise ValidationError(refusal, code="refused") from None
            raise


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most 3 e-mails an hour to one address; the answer is always the same."""

    email = forms.EmailField(label=_("Your e-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        users = super().get_users(email)
        if settings.SIGNIN_SSO_ONLY:
            # Only superusers have passwords while single sign-on is the only way in.
            users = (user for user in users if user.is_superuser)
        return users

    def save(self, request=None, **kwargs):
        if guard.may_send_reset(request, self.cleaned_data["email"]):
            super().save(request=request, **kwargs)
