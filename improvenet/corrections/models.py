"""The history of corrections: every withdrawal and restoration of a record, with who, when and why.

The record itself carries its current withdrawal (improvenet.network.models.WithdrawableRecord); these
rows keep every step, so that a record withdrawn, restored and withdrawn again shows all three.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.network.models import Cluster


class Correction(models.Model):
    class Action(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTORED = "restored", "Restored"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=40, help_text="The kind of record, e.g. `cycles` or `measure-values`.")
    record_id = models.PositiveBigIntegerField()
    record_label = models.CharField(max_length=300, help_text="The record as it was named when corrected.")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "record_id"], name="correction_of_record")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_label} on {self.at:%Y-%m-%d}"

    @property
    def by_name(self) -> str:
        if self.by is None:
            return "someone whose account was removed"
        return self.by.get_full_name() or self.by.get_username()
