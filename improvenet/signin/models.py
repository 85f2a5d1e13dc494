import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from improvenet.data.models import AppendOnlyError, AppendOnlyQuerySet


class SignInEvent(models.Model):
    """One sign-in, failure, lock-out, sign-out or password-reset request: the sign-in audit log.

    Append-only, like the data audit log; the lock-outs count its entries.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed-in", "Signed in"
        FAILED = "failed", "Failed sign-in"
        LOCKED_OUT = "locked-out", "Refused: locked out"
        REFUSED = "refused", "Refused"
        SIGNED_OUT = "signed-out", "Signed out"
        SIGNED_OUT_EVERYWHERE = "signed-out-everywhere", "Signed out everywhere"
        TIMED_OUT = "timed-out", "Signed out when idle"
        RESET_REQUESTED = "reset-requested", "Password reset e-mail asked for"
        RESET_LIMITED = "reset-limited", "Password reset e-mail not sent: limit reached"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    username = models.CharField(max_length=254, blank=True,
                                help_text="As typed (the e-mail address of a reset), even if no account has it.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    client = models.CharField(max_length=64, blank=True, help_text="The address the request came from.")
    method = models.CharField(max_length=20, blank=True, help_text="password or single sign-on.")
    detail = models.CharField(max_length=300, blank=True)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name, verbose_name_plural = "sign-in log entry", "sign-in log"
        indexes = [models.Index(fields=["kind", "username", "at"]), models.Index(fields=["kind", "client", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'}: {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The sign-in log is append-only: its entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The sign-in log is append-only: its entries are never deleted.")

    @classmethod
    def recent(cls, kind: str, since: datetime.datetime, **who) -> "AppendOnlyQuerySet":
        return cls.objects.filter(kind=kind, at__gt=since, **who)


class SessionCutoff(models.Model):
    """When a person last signed out everywhere: their sessions begun before then are over."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_cutoff")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} signed out everywhere at {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def set_now(cls, user) -> datetime.datetime:
        now = timezone.now()
        cls.objects.update_or_create(user=user, defaults={"at": now})
        return now

    @classmethod
    def ends(cls, user, signed_in_at: float) -> bool:
        """Whether a session begun at `signed_in_at` (seconds since the epoch) was signed out everywhere."""
        try:
            cutoff = user.session_cutoff  # read with the user by the sign-in backend, so no query of its own
        except cls.DoesNotExist:
            return False
        return signed_in_at < cutoff.at.timestamp()
