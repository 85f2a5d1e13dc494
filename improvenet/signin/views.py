import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from improvenet.accounts import invitations
from improvenet.accounts.models import ApiToken
from improvenet.pages import languages
from improvenet.signin import guard, oidc
from improvenet.signin.forms import SignInForm
from improvenet.signin.models import SessionCutoff
from improvenet.signin.signals import METHOD

# What the start of a single sign-on keeps for its callback: state, nonce, PKCE verifier, where to go next.
OIDC_SESSION_KEY = "improvenet.signin.oidc"
SSO = "single sign-on"


class Translated:
    """A sign-in page in the visitor's language, with the language switcher."""

    def get_context_data(self, **kwargs):
        language = {"LANGUAGE_CODE": get_language(), "languages": languages(self.request)}
        return super().get_context_data(**kwargs) | language


class SignInView(Translated, auth_views.LoginView):
    template_name = "signin/login.html"
    form_class = SignInForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "oidc": settings.SIGNIN_OIDC, "sso_only": settings.SIGNIN_SSO_ONLY,
        }


class PasswordResetView(Translated, auth_views.PasswordResetView):
    """Django's reset, whose e-mail links to the site's configured address when there is one."""

    @property
    def extra_email_context(self):
        return {"site_url": settings.IMPROVENET_SITE_URL}


class PasswordResetSentView(Translated, auth_views.PasswordResetDoneView):
    template_name = "signin/password_reset_sent.html"


class PasswordResetConfirmView(Translated, auth_views.PasswordResetConfirmView):
    template_name = "signin/password_reset_confirm.html"
    success_url = reverse_lazy("signin:password-reset-complete")


class PasswordResetCompleteView(Translated, auth_views.PasswordResetCompleteView):
    template_name = "signin/password_reset_complete.html"


@login_required
def sign_out_everywhere(request):
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    if request.method != "POST":
        return render(request, "signin/sign_out_everywhere.html", {"active_tokens": tokens.count()})
    user = request.user
    SessionCutoff.set_now(user)
    revoked = tokens.update(revoked_at=timezone.now()) if request.POST.get("revoke_tokens") else 0
    guard.record(guard.Kind.SIGNED_OUT_EVERYWHERE, request, user=user, detail=f"{revoked} API tokens revoked")
    logout(request)
    messages.success(request, _("You are signed out of every browser and device.") + (
        " " + _("Your API tokens are revoked.") if revoked else ""))
    return redirect("signin:login")


def _oidc_config() -> dict:
    if settings.SIGNIN_OIDC is None:
        raise Http404("Single sign-on is not configured on this site.")
    return settings.SIGNIN_OIDC


def _callback_url(request) -> str:
    path = reverse("signin:oidc-callback")
    return f"{settings.IMPROVENET_SITE_URL}{path}" if settings.IMPROVENET_SITE_URL else request.build_absolute_uri(path)


def _refused(request, reason: str, status: int = 403, email: str = ""):
    guard.record(guard.Kind.REFUSED, request, username=email, method=SSO, detail=reason)
    return render(request, "signin/refused.html", {"reason": reason}, status=status)


def oidc_start(request):
    config = _oidc_config()
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    try:
        attempt = oidc.start(config, _callback_url(request))
    except oidc.SignInRefused as refusal:
        return _refused(request, str(refusal), status=502)
    request.session[OIDC_SESSION_KEY] = {
        "state": attempt.state, "nonce": attempt.nonce, "verifier": attempt.verifier, "next": next_url,
    }
    return redirect(attempt.url)


def oidc_callback(request):
    config = _oidc_config()
    attempt = request.session.pop(OIDC_SESSION_KEY, None)
    if attempt is None or not secrets.compare_digest(request.GET.get("state", ""), attempt["state"]):
        return _refused(request, _("This sign-in was not started in this browser, or it was already used. "
                                   "Start again from the sign-in page."), status=400)
    if "error" in request.GET:
        problem = request.GET.get("error_description") or request.GET["error"]
        return _refused(request, _("The sign-in provider refused: %(problem)s") % {"problem": problem[:200]})
    try:
        claims = oidc.finish(config, request.GET.get("code", ""), _callback_url(request), attempt["verifier"],
                             attempt["nonce"])
        email = oidc.verified_email(config, claims)
    except oidc.SignInRefused as refusal:
        return _refused(request, str(refusal))
    user = _account_for(request, email)
    if user is None:
        guard.record(guard.Kind.REFUSED, request, username=email, method=SSO, detail="no account for this address")
        return render(request, "signin/no_account.html", {"email": email}, status=403)
    setattr(request, METHOD, SSO)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect(attempt["next"] or settings.LOGIN_REDIRECT_URL)


def _account_for(request, email: str):
    """The invitation this browser is accepting, or else the one active account with this verified address.

    Signing in never grants a role: only an invitation, which someone with the right gave, does.
    """
    if invitations.SESSION_KEY in request.session:
        return invitations.claim(request, email)
    matches = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None
