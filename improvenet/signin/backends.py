from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from improvenet.signin import guard

# Why a password sign-in was refused, for the sign-in form to say (Django's form only knows "did not match").
REFUSAL_ATTRIBUTE = "signin_refusal"


class GuardedPasswordBackend(ModelBackend):
    """Django's password check, behind the lock-outs and the single-sign-on-only setting."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        lock = guard.lock_out(request, username or kwargs.get("email") or "")
        if lock is not None:
            guard.record(guard.Kind.LOCKED_OUT, request, username=username or "", method="password")
            self._refuse(request, lock.message)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and settings.SIGNIN_SSO_ONLY and not user.is_superuser:
            # Said only after the right password, so that it tells nobody which usernames exist.
            guard.record(guard.Kind.REFUSED, request, user=user, method="password", detail="passwords are off")
            self._refuse(request, _("Passwords are turned off on this site: sign in with single sign-on."))
        return user

    def get_user(self, user_id):
        """The signed-in user of a session, with the time they last signed out everywhere: the session guard
        reads it on every request, so it comes in the same query."""
        user = get_user_model()._default_manager.select_related("session_cutoff").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _refuse(request, message: str):
        if request is not None:
            setattr(request, REFUSAL_ATTRIBUTE, message)
        # PermissionDenied stops Django from asking any other backend.
        raise PermissionDenied(message)
