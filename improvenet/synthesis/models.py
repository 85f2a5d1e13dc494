"""The evidence ledger's own records: effect estimates from external studies, the per-school
difference-in-differences estimates a team chose to include, and the pooled estimate of each change idea
as it stood at each convening (so the next packet can name what changed). docs/synthesis.md.

An estimate is about exactly one change idea, innovation or product. A positive effect means
the change did better than the comparison: teams enter effects so that, as the evidence rules read them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from improvenet.convenings.models import Convening
from improvenet.design.models import ChangeIdea, Innovation
from improvenet.network.models import Cluster, EndableRecord, School
from improvenet.pilots.models import Product
from improvenet.synthesis.entry import SCALES
from improvenet.synthesis.sources import SUBJECT_KINDS

SCALE_CHOICES = list(SCALES.items())
LEVEL_CHOICES = School.Level.choices


class LedgerEstimate(EndableRecord):
    """What external studies and school estimates share: the subject, the effect and the site's characteristics.
    Ending an estimate takes it out of the ledger; it stays in the history."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=200, help_text="What was measured, for example “Grade 9 math score”.")
    effect = models.FloatField(help_text="Positive when the change did better than the comparison.")
    standard_error = models.FloatField(help_text="The effect's standard error (its sampling variance is its square).")
    scale = models.CharField(max_length=10, choices=SCALE_CHOICES, default="smd")
    poverty_share = models.FloatField(
        "share of students in poverty", null=True, blank=True,
        help_text="From 0 to 1, for the moderator view; leave empty when unknown.",
    )
    dosage = models.FloatField(
        null=True, blank=True, help_text="How much of the change the students received (for example hours); optional.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def variance(self) -> float:
        return self.standard_error ** 2

    @property
    def subject_kind(self) -> str:
        return next(kind for kind in SUBJECT_KINDS if getattr(self, f"{kind}_id"))

    @property
    def subject(self):
        return getattr(self, self.subject_kind)

    def clean(self) -> None:
        problems: dict[str, str] = {}
        if sum(1 for kind in SUBJECT_KINDS if getattr(self, f"{kind}_id")) != 1:
            problems["change_idea"] = "Choose the one change idea, innovation or product the estimate is about."
        for subject in SUBJECT_KINDS:
            record = getattr(self, subject) if getattr(self, f"{subject}_id") else None
            if record is not None and record.cluster_id != self.cluster_id:
                problems[subject] = f"The {subject.replace('_', ' ')} must belong to the same cluster."
        if self.standard_error is not None and not self.standard_error > 0:
            problems["standard_error"] = f"The standard error is {self.standard_error:g}; it must be greater than 0."
        if self.poverty_share is not None and not 0 <= self.poverty_share <= 1:
            problems["poverty_share"] = f"{self.poverty_share:g} is not a share: give a number from 0 to 1."
        if self.dosage is not None and self.dosage < 0:
            problems["dosage"] = "The dosage cannot be negative."
        if problems:
            raise ValidationError(problems)


class ExternalStudy(LedgerEstimate):
    """A published or outside study's estimate, entered by hand or from a CSV file."""

    class Rating(models.TextChoices):
        WITHOUT_RESERVATIONS = "without_reservations", "Meets WWC standards without reservations"
        WITH_RESERVATIONS = "with_reservations", "Meets WWC standards with reservations"
        DOES_NOT_MEET = "does_not_meet", "Does not meet WWC standards"
        NOT_REVIEWED = "not_reviewed", "Not reviewed by the WWC"

    citation = models.CharField(max_length=500, help_text="Authors, year, title: enough to find the study.")
    url = models.URLField("address", max_length=500, blank=True, help_text="Where the study can be read.")
    wwc_rating = models.CharField("WWC rating", max_length=30, choices=Rating.choices, default=Rating.NOT_REVIEWED)
    sample = models.CharField(max_length=300, blank=True,
                              help_text="Who was studied, for example “1,240 students in 14 middle schools”.")
    school_level = models.CharField(max_length=20, choices=LEVEL_CHOICES, blank=True)
    computed_from = models.CharField(max_length=300, blank=True, help_text="How the effect was computed.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["citation", "pk"]
        verbose_name_plural = "external studies"

    def __str__(self) -> str:
        return self.citation


class SchoolEstimate(LedgerEstimate):
    """One school's difference-in-differences estimate, and the team's choice to include it in the ledger."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    start_year = models.PositiveSmallIntegerField(help_text="The school year the school started the change.")
    comparison = models.CharField(
        max_length=300, blank=True,
        help_text="What the school was compared with, for example “6 comparison schools, 2021 to 2026”.",
    )
    computed_from = models.CharField(
        max_length=300, blank=True,
        help_text="Empty when typed in; else how it was computed from the cluster's analytics store.",
    )
    included = models.BooleanField(default=True, help_text="Whether the team counts this estimate in the ledger.")
    inclusion_reason = models.TextField(blank=True, help_text="Why the team includes it, or leaves it out.")
    shared_with_network = models.BooleanField(
        default=False,
        help_text="When on, the network's clusters that hold the same change idea (its source and its adopters) "
                  "count this estimate, with the school named only by its level and its cluster.",
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["school__name", "pk"]

    def __str__(self) -> str:
        return f"{self.school}: {self.outcome}"

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.school.cluster_id != self.cluster_id:
            raise ValidationError({"school": "The school must belong to the same cluster."})
        if not (self.inclusion_reason or "").strip():
            raise ValidationError({"inclusion_reason": "Say why the team includes this estimate or leaves it out."})


class PooledSnapshot(models.Model):
    """A change idea's pooled estimate as it stood at a convening: the next convening's packet compares with it."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="pooled_snapshots")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.CASCADE, related_name="+")
    scale = models.CharField(max_length=10, choices=SCALE_CHOICES, default="smd")
    sites = models.PositiveIntegerField()
    estimate = models.FloatField()
    ci_low = models.FloatField()
    ci_high = models.FloatField()
    tau2 = models.FloatField()
    # [label, effect, sampling variance] of each estimate pooled: the packet draws its forest plot as it stood.
    rows = models.JSONField(default=list)
    taken_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["convening", "change_idea", "scale"]
        constraints = [models.UniqueConstraint(fields=["convening", "change_idea", "scale"],
                                               name="one_snapshot_per_convening_idea_scale")]

    def __str__(self) -> str:
        return f"{self.change_idea} at {self.convening}"
