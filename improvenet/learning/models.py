"""Spread and scale of change ideas, and the network's evidence thresholds.

A `SpreadStage` records that, from a given day, a change idea is at a stage in a school (not
started, testing, implementing, sustained, abandoned) and why. The stage of an idea in a school
on any day is the latest record dated on or before that day; records are never edited away, so the
history is the list of records. The evidence rules themselves are pure functions in
improvenet/learning/evidence.py; `EvidenceThresholds` holds the numbers a network admin may adjust.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from improvenet.learning.evidence import Thresholds
from improvenet.network.models import Cluster, Network, School, refuse_duplicate


class SpreadStage(models.Model):
    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        TESTING = "testing", "Testing"
        IMPLEMENTING = "implementing", "Implementing"
        SUSTAINED = "sustained", "Sustained"
        ABANDONED = "abandoned", "Abandoned"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="spread_stages")
    change_idea = models.ForeignKey("design.ChangeIdea", on_delete=models.PROTECT, related_name="spread_stages")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="spread_stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    started_on = models.DateField(help_text="The day the school reached this stage.")
    reason = models.TextField(help_text="Why the school moved to this stage, in the team's words.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["change_idea_id", "school_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_idea", "school", "started_on"], name="one_spread_stage_per_idea_school_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_idea} in {self.school}: {self.get_stage_display()} from {self.started_on}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.school_id and self.school.cluster_id != self.cluster_id:
            errors["school"] = "The school must belong to the cluster."
        if self.change_idea_id and self.change_idea.cluster_id != self.cluster_id:
            errors["change_idea"] = "The change idea must belong to the cluster."
        if self.started_on and self.started_on > datetime.date.today() + datetime.timedelta(days=366):
            errors["started_on"] = "The date is more than a year ahead; check the year."
        if not (self.reason or "").strip():
            errors["reason"] = "Say why the school moved to this stage."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self,
            SpreadStage.objects.filter(change_idea_id=self.change_idea_id, school_id=self.school_id,
                                       started_on=self.started_on),
            lambda existing: f"{existing.school} already has a stage for this idea on {existing.started_on}: "
                             f"{existing.get_stage_display()}. Record the change on another day.",
        )

    @property
    def letter(self) -> str:
        """The stage's letter in the grid, so that its meaning does not rest on colour alone."""
        return STAGE_LETTERS[self.stage]


STAGE_LETTERS = {
    SpreadStage.Stage.NOT_STARTED: "N", SpreadStage.Stage.TESTING: "T", SpreadStage.Stage.IMPLEMENTING: "I",
    SpreadStage.Stage.SUSTAINED: "S", SpreadStage.Stage.ABANDONED: "A",
}


class EvidenceThresholds(models.Model):
    """The numbers in the evidence rules (docs/learning.md), one row per network, adjusted by its admins."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="evidence_thresholds")
    promising_min_schools = models.PositiveSmallIntegerField(
        default=2, help_text="Promising: adopted in at least this many schools…"
    )
    promising_min_cycles = models.PositiveSmallIntegerField(
        default=3, help_text="…after at least this many cycles with confirmed predictions."
    )
    supported_min_schools = models.PositiveSmallIntegerField(
        default=3, help_text="Supported: a sustained signal in a linked measure after adoption in this many schools."
    )
    not_supported_min_abandoned = models.PositiveSmallIntegerField(
        default=2, help_text="Not supported: abandoned in at least this many schools…"
    )
    supported_needs_pooled_effect = models.BooleanField(
        "supported also needs a pooled effect", default=False,
        help_text="Supported also needs a pooled effect in the evidence ledger whose Hartung–Knapp 95% interval "
                  "lies above zero…",
    )
    supported_min_effect_sites = models.PositiveSmallIntegerField(
        default=3, help_text="…from at least this many sites (schools or studies)."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "evidence thresholds"

    def __str__(self) -> str:
        return f"Evidence thresholds of {self.network}"

    THRESHOLD_FIELDS = (
        "promising_min_schools", "promising_min_cycles", "supported_min_schools", "not_supported_min_abandoned",
        "supported_needs_pooled_effect", "supported_min_effect_sites",
    )

    def clean(self) -> None:
        problems = self.as_rules().problems()
        if problems:
            raise ValidationError(problems)

    def as_rules(self) -> Thresholds:
        """The numbers as improvenet.learning.evidence takes them."""
        return Thresholds(**{name: getattr(self, name) for name in self.THRESHOLD_FIELDS})

    @classmethod
    def for_network(cls, network: Network) -> "EvidenceThresholds":
        """The network's thresholds, or the defaults (unsaved) when its admins never changed them."""
        return cls.objects.filter(network=network).first() or cls(network=network)
