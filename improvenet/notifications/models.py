"""Notifications: one row per person and event, in the event's cluster; and each person's digest choice.

A notification says what happened in a sentence built from record titles only (a cycle's objective, a
vote's title, an agreement's title): never a value, a note or any student-level data. Its `key` names
the event, and a person has one notification per key, so an event is never notified twice; a
notification sent in a digest keeps `emailed_at`, so it is never e-mailed twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.network.models import Cluster


class Notification(models.Model):
    class Kind(models.TextChoices):
        CYCLE_MOVED = "cycle_moved", "A teammate moved a cycle"
        PREDICTION_WAITING = "prediction_waiting", "Predictions wait for their answer"
        VOTE_OPENED = "vote_opened", "A vote opened"
        IDEA_ADOPTED = "idea_adopted", "An idea of yours was adopted elsewhere"
        AGREEMENT_EXPIRING = "agreement_expiring", "An agreement is expiring"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="The page the notification is about (a path on this site).")
    key = models.CharField(max_length=200, help_text="The event: a person is notified once per key.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When a digest carried it.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DigestChoice(models.Model):
    """A person's choice of the weekly e-mail digest: off until they turn it on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_choice")
    weekly = models.BooleanField("e-mail me a weekly digest", default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {'weekly' if self.weekly else 'no'} digest"
