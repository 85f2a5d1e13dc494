from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from improvenet.accounts.models import ApiToken


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?", max_length=100,
        help_text="For example “weekly upload notebook”. You can revoke it at any time.",
    )


def token_for_user(user, token_id: int) -> ApiToken:
    """The access helper for tokens: a user reads and revokes only their own."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token


@login_required
def tokens_page(request):
    form = NewTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _, new_secret = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = NewTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    status = 422 if form.errors else 200
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret}, status=status
    )


@require_POST
@login_required
def token_revoke(request, token_id: int):
    token = token_for_user(request.user, token_id)
    token.revoke()
    messages.success(request, f"Revoked the token “{token.name}”. Scripts using it can no longer sign in.")
    return redirect("accounts:tokens")
