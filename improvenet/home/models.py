from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.learning.evidence import Level


class HomeVisit(models.Model):
    """When a person last opened their home, so that it can show what is new in the network since.

    Not scoped: it belongs to the account, across every cluster the account reads.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit")
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} last opened their home at {self.seen_at:%Y-%m-%d %H:%M}"

    @classmethod
    def previous_and_record(cls, user, now=None):
        """The previous visit's time (None on the first visit), and record this visit."""
        now = now or timezone.now()
        visit, created = cls.objects.get_or_create(user=user, defaults={"seen_at": now})
        previous = None if created else visit.seen_at
        if not created:
            visit.seen_at = now
            visit.save(update_fields=["seen_at"])
        return previous


class EvidenceLevelSeen(models.Model):
    """A change idea's evidence level as the cluster saw it at a convening (kept by `home.overview.keep_levels`).

    A row is written only when the level differs from the latest one kept, so the level the cluster saw at any
    past convening is the latest row on or before its day. The level cannot be computed again for a past day
    from dated records: the network's thresholds, answered predictions and the effect-based rules change
    without a dated history, so the levels as they stood are kept instead.
    """

    cluster = models.ForeignKey("network.Cluster", on_delete=models.PROTECT, related_name="+")
    change_idea = models.ForeignKey("design.ChangeIdea", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, choices=[(level.value, level.label) for level in Level])
    seen_on = models.DateField()

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["change_idea_id", "seen_on"]
        constraints = [models.UniqueConstraint(fields=["change_idea", "seen_on"], name="one_level_per_idea_day")]

    def __str__(self) -> str:
        return f"{self.change_idea_id}: {Level(self.level).label} on {self.seen_on}"
