"""The sign-in log's entries for what Django signals: every sign-in, failed password and sign-out."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from improvenet.signin import guard
from improvenet.signin.backends import REFUSAL_ATTRIBUTE

# When this session began, for signing out everywhere (improvenet.signin.middleware).
SIGNED_IN_AT = "improvenet.signin.at"
# How this session signed in: "password" or "single sign-on", set by the sign-in views before `login`.
METHOD = "improvenet.signin.method"


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    method = getattr(request, METHOD, "password")
    guard.record(guard.Kind.SIGNED_IN, request, user=user, method=method)


@receiver(user_login_failed)
def failed(sender, credentials, request=None, **kwargs):
    # A refusal by the guard (locked out, passwords off) has its own entry and is not a failure to count.
    if request is not None and hasattr(request, REFUSAL_ATTRIBUTE):
        return
    guard.record(guard.Kind.FAILED, request, username=credentials.get("username", ""), method="password")


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        guard.record(guard.Kind.SIGNED_OUT, request, user=user)
