"""Ends a session that was signed out everywhere, or that stayed idle longer than the timeout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from improvenet.signin import guard
from improvenet.signin.models import SessionCutoff
from improvenet.signin.signals import SIGNED_IN_AT

LAST_SEEN = "improvenet.signin.seen"
# The last request's time is written at most once a minute, so that reading pages does not write the session.
SEEN_PRECISION = 60


class SessionGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, user, now = request.session, request.user, time.time()
        if SessionCutoff.ends(user, session.get(SIGNED_IN_AT, 0)):
            logout(request)
            messages.info(request, _("You signed out everywhere, so this browser was signed out too. Sign in again."))
            return
        timeout, seen = settings.SIGNIN_IDLE_TIMEOUT, session.get(LAST_SEEN)
        if timeout and seen is not None and now - seen > timeout + SEEN_PRECISION:
            guard.record(guard.Kind.TIMED_OUT, request, user=user)
            logout(request)
            messages.info(request, _(
                "You were signed out because you were inactive for longer than this site allows (%(minutes)s min). "
                "Sign in again."
            ) % {"minutes": timeout // 60})
            return
        if seen is None or now - seen >= SEEN_PRECISION:
            session[LAST_SEEN] = now
