"""Convenings: the quarterly meetings where a cluster's school teams share what they learned.

A convening covers the time since the cluster's previous convening (the latest one before it):
its packets (see `improvenet.convenings.packets`) gather the PDSA cycles, chart signals,
adaptations and spread of that window, for each school design team and for the whole cluster.
"""

import datetime

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, refuse_duplicate


class Convening(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="convenings")
    held_on = models.DateField("date", help_text="The day of the convening; its packets cover the time since the "
                                                 "previous convening, up to and including this day.")
    title = models.CharField(max_length=200, help_text="For example “Spring convening of the school teams”.")
    place = models.CharField(max_length=200, blank=True, help_text="Where the teams meet.")
    notes = models.TextField(blank=True, help_text="The agenda, or anything the teams should know beforehand.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kept_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text="The day the evidence levels and pooled estimates were kept as the convening saw them "
                  "(`improvenet.convenings.keeping`); empty until then.",
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "held_on"], name="one_convening_per_cluster_day"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%B %-d, %Y})"

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Convening.objects.filter(cluster_id=self.cluster_id, held_on=self.held_on),
            lambda existing: f"The cluster already has a convening on {existing.held_on:%B %-d, %Y}: "
                             f"“{existing.title}”. Choose another day or change that convening.",
        )

    def previous(self) -> "Convening | None":
        return (Convening.objects.filter(cluster_id=self.cluster_id, held_on__lt=self.held_on)
                .order_by("-held_on").first())

    def window(self) -> tuple[datetime.date | None, datetime.date]:
        """(since, until): after the previous convening's day (None: from the start), up to this day."""
        previous = self.previous()
        return (previous.held_on if previous else None), self.held_on

    def file_stem(self, suffix: str = "") -> str:
        """The start of a download's file name: riverside-convening-2026-03-12[-suffix]."""
        stem = f"{self.cluster.slug}-convening-{self.held_on.isoformat()}"
        return f"{stem}-{suffix}" if suffix else stem
