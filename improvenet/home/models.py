from django.conf import settings
from django.db import models
from django.utils import timezone


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
