import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from improvenet.accounts import tokens

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiToken(models.Model):
    """A bearer token for the HTTP API; the secret itself is shown once and never stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “weekly upload notebook”.")
    shown_start = models.CharField(max_length=12, help_text="The first characters, to recognize the token.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.shown_start}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        secret = tokens.new_token()
        token = cls.objects.create(
            user=user, name=name, shown_start=secret[:12], digest=tokens.digest(secret)
        )
        return token, secret

    @classmethod
    def authenticate(cls, secret: str):
        """The active user a live token belongs to, or None."""
        if not tokens.looks_like_token(secret):
            return None
        token = (
            cls.objects.select_related("user")
            .filter(digest=tokens.digest(secret), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        # Recording every use would turn each API read into a write; once a minute is enough to audit.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
