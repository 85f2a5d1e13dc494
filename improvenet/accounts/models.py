import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.accounts import tokens
from improvenet.data.models import AppendOnlyError
from improvenet.lib.errors import Conflict
from improvenet.network.models import ClusterRole, refuse_duplicate

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


class Invitation(models.Model):
    """An invitation by e-mail to a cluster, with a role (and a team): a single-use link that expires.

    The link's secret is shown only in the e-mail; the database keeps its SHA-256 digest, so a copy of
    the database accepts no invitation. Sending it again makes a new secret: the old link stops working.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cluster = models.ForeignKey("network.Cluster", on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField("e-mail")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=ClusterRole.Role.choices)
    team = models.ForeignKey(
        "network.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="invitations",
        help_text="The team the person joins on accepting (needed for a team member).",
    )
    school = models.ForeignKey(
        "network.School", on_delete=models.PROTECT, null=True, blank=True, related_name="invitations",
        help_text="Where the person works: their home organization in the cluster.",
    )
    digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    times_sent = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was accepted or withdrawn.")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="accepted_invitations")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"the invitation of {self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        """Pending and unexpired: its link can still be accepted."""
        return self.status == self.Status.PENDING and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.status == self.Status.PENDING and self.is_expired:
            return "Expired"
        return self.get_status_display()

    def clean(self) -> None:
        errors = {}
        if self.team_id and self.team.cluster_id != self.cluster_id:
            errors["team"] = "The team must belong to this cluster."
        elif self.team_id and not self.team.is_current:
            errors["team"] = f"The team “{self.team}” has ended."
        if self.school_id and self.school.cluster_id != self.cluster_id:
            errors["school"] = "The school must belong to this cluster."
        if self.role == ClusterRole.Role.MEMBER and not self.team_id:
            errors["team"] = "A team member joins a team: choose the team."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self,
            Invitation.objects.filter(cluster_id=self.cluster_id, email__iexact=self.email,
                                      status=self.Status.PENDING, expires_at__gt=timezone.now()),
            lambda existing: f"{self.email} already has a pending invitation (id {existing.pk}); send it again "
                             "instead.",
        )
        holder = ClusterRole.objects.filter(cluster_id=self.cluster_id, user__email__iexact=self.email).first()
        if holder is not None:
            raise Conflict(f"{self.email} already holds a role in this cluster ({holder.get_role_display()}); "
                           "change it on the cluster's roles page.", None)


class AppendOnlyLog(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The log of role changes is append-only: its entries are never changed.")

    def delete(self):
        raise AppendOnlyError("The log of role changes is append-only: its entries are never deleted.")


class RoleEvent(models.Model):
    """One entry of a cluster's append-only log of access: who did what to whose role, when and why."""

    class Action(models.TextChoices):
        GRANTED = "granted", "Role granted"
        CHANGED = "changed", "Role changed"
        REVOKED = "revoked", "Role revoked"
        INVITED = "invited", "Invited"
        RESENT = "resent", "Invitation sent again"
        WITHDRAWN = "withdrawn", "Invitation withdrawn"
        ACCEPTED = "accepted", "Invitation accepted"
        DEACTIVATED = "deactivated", "Account deactivated"

    class Channel(models.TextChoices):
        WEB = "web", "Web page"
        API = "api", "API"
        CLI = "cli", "Command line"

    cluster = models.ForeignKey("network.Cluster", on_delete=models.PROTECT, related_name="role_events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(max_length=150, help_text="Kept as written, even if the account changes.")
    subject_name = models.CharField(max_length=254, help_text="The account (or e-mail address) concerned.")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    role_before = models.CharField(max_length=20, blank=True)
    role_after = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    objects = ScopedManager(cluster="cluster", _manager_class=models.Manager.from_queryset(AppendOnlyLog))

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()} {self.subject_name}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The log of role changes is append-only: its entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The log of role changes is append-only: its entries are never deleted.")

    @staticmethod
    def role_label(role: str) -> str:
        return ClusterRole.Role(role).label if role in ClusterRole.Role.values else ""

    @property
    def what(self) -> str:
        """The change in words: “Role changed: Viewer → Researcher”."""
        before, after = self.role_label(self.role_before), self.role_label(self.role_after)
        change = f"{before} → {after}" if before and after else before or after
        return f"{self.get_action_display()}: {change}" if change else self.get_action_display()
