"""Partnership health: a versioned rubric per cluster, assessment rounds, and partners' self-assessments.

The rules (what a valid rubric and a valid assessment are, trends, gaps) live in
`improvenet.partnership.health`; these models store them and translate the lib's plain-word
problems into form errors. A rubric is never changed in place: editing it saves a new version, and
each self-assessment keeps the version it was made with, so old ratings keep their meaning.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, Organization, ShownManager, WithdrawableRecord, refuse_duplicate
from improvenet.partnership import health as ph


def rubric_to_data(rubric: ph.Rubric) -> list[dict]:
    """The rubric's dimensions as JSON-ready data (the form, the API and the database store this)."""
    return [
        {"key": d.key, "label": d.label, "question": d.question,
         "levels": [{"key": level.key, "label": level.label, "descriptor": level.descriptor} for level in d.levels]}
        for d in rubric.dimensions
    ]


def rubric_from_data(title: str, data) -> ph.Rubric:
    """Read dimensions written as `rubric_to_data` writes them; RubricError names what is malformed."""
    if not isinstance(data, list):
        raise ph.RubricError(["The dimensions must be a list, one entry per dimension."])
    problems, dimensions = [], []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("levels"), list):
            problems.append(f"Dimension {number} must have a key, a label, a question and a list of levels.")
            continue
        levels = []
        for place, level in enumerate(item["levels"], start=1):
            if not isinstance(level, dict):
                problems.append(f"Level {place} of dimension {number} must have a key, a label and a descriptor.")
                continue
            levels.append(ph.Level(str(level.get("key", "")), str(level.get("label", "")),
                                   str(level.get("descriptor", ""))))
        dimensions.append(ph.Dimension(str(item.get("key", "")), str(item.get("label", "")),
                                       str(item.get("question", "")), tuple(levels)))
    texts = [text for d in dimensions for text in (d.key, d.label, d.question)] + [
        text for d in dimensions for level in d.levels for text in (level.key, level.label, level.descriptor)]
    if any("\x00" in text for text in texts):
        # PostgreSQL cannot store a NUL character, even written as \u0000 in JSON.
        problems.append("The rubric contains a NUL character (\\u0000), which is not text; remove it.")
    if problems:
        raise ph.RubricError(problems)
    return ph.Rubric(title, tuple(dimensions))


class Rubric(models.Model):
    """One version of a cluster's partnership-health rubric; the highest version is the current one."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="partnership_rubrics")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, default=ph.DEFAULT_RUBRIC.title)
    dimensions = models.JSONField(
        help_text="Each dimension with its key, label, question and levels (lowest first), each level with its "
                  "key, label and descriptor."
    )
    gap_threshold = models.PositiveSmallIntegerField(
        default=ph.DEFAULT_GAP_THRESHOLD,
        help_text="Partners' ratings of one dimension in one round that differ by this many levels or more are "
                  "highlighted as a gap.",
    )
    change_note = models.CharField(max_length=300, blank=True, help_text="What changed from the previous version.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["cluster", "version"], name="one_rubric_version_per_number")]

    def __str__(self) -> str:
        return f"{self.title}, version {self.version}" if self.version else self.title

    @classmethod
    def current_for(cls, cluster: Cluster) -> "Rubric":
        """The latest saved version, or (unsaved) version 1 made from the default rubric."""
        latest = cls.objects.filter(cluster=cluster).order_by("-version").first()
        if latest is not None:
            return latest
        return cls(cluster=cluster, version=1, title=ph.DEFAULT_RUBRIC.title,
                   dimensions=rubric_to_data(ph.DEFAULT_RUBRIC), change_note="The default rubric.")

    def next_version(self, user=None) -> "Rubric":
        """An unsaved copy numbered after the cluster's latest version, to edit and save."""
        latest = Rubric.objects.filter(cluster_id=self.cluster_id).order_by("-version").values_list(
            "version", flat=True).first() or 0
        return Rubric(cluster_id=self.cluster_id, version=latest + 1, title=self.title,
                      dimensions=self.dimensions, gap_threshold=self.gap_threshold, created_by=user)

    def as_rubric(self) -> ph.Rubric:
        return rubric_from_data(self.title, self.dimensions)

    def clean(self) -> None:
        try:
            ph.validate_rubric(self.as_rubric())
        except ph.RubricError as error:
            raise ValidationError({"dimensions": error.problems}) from error
        if self.gap_threshold is not None and self.gap_threshold < 1:
            raise ValidationError({"gap_threshold": "The gap threshold is a number of levels, at least 1."})

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Rubric.objects.filter(cluster_id=self.cluster_id, version=self.version),
            lambda existing: f"Someone saved version {existing.version} of the rubric meanwhile; reload the page "
                             "and make your changes on top of it.",
        )


class Round(models.Model):
    """A round of self-assessment: every partner organization rates the partnership as of this date."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="partnership_rounds")
    held_on = models.DateField("date", help_text="The day the round's self-assessments describe.")
    title = models.CharField(max_length=200, help_text="For example “Fall 2025 self-assessment”.")
    notes = models.TextField(blank=True, help_text="How the round is run: who meets, by when ratings are due.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["held_on"]
        constraints = [models.UniqueConstraint(fields=["cluster", "held_on"], name="one_partnership_round_per_day")]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%B %-d, %Y})"

    @property
    def number(self) -> int:
        """Rounds are numbered from 1 in date order, so adding a forgotten earlier round renumbers the rest."""
        return Round.objects.filter(cluster_id=self.cluster_id, held_on__lt=self.held_on).count() + 1

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Round.objects.filter(cluster_id=self.cluster_id, held_on=self.held_on),
            lambda existing: f"The cluster already has a round on {existing.held_on:%B %-d, %Y}: “{existing.title}”. "
                             "Choose another day or change that round.",
        )


class SelfAssessment(WithdrawableRecord):
    """One partner organization's ratings in one round, made with one version of the rubric."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="partnership_assessments")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assessments")
    notes = models.TextField(blank=True, help_text="Who took part in the self-assessment, and anything to add.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="round__cluster", _manager_class=ShownManager)
    with_withdrawn = ScopedManager(cluster="round__cluster")

    class Meta:
        ordering = ["round__held_on", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="one_self_assessment_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}, {self.round}"

    def clean(self) -> None:
        errors = {}
        if self.round_id and self.organization_id:
            organization = self.organization
            if organization.cluster_id != self.round.cluster_id or organization.kind == Organization.Kind.SCHOOL:
                errors["organization"] = "The organization must be one of this cluster's partner organizations."
        if self.round_id and self.rubric_id and self.rubric.cluster_id != self.round.cluster_id:
            errors["rubric"] = "The rubric must be a version of this cluster's rubric."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, SelfAssessment.with_withdrawn.filter(round_id=self.round_id, organization_id=self.organization_id),
            lambda existing: f"{existing.organization.name} already has a self-assessment in this round; "
                             + ("it was withdrawn: restore it instead." if existing.is_withdrawn
                                else "change that one instead."),
        )


class Rating(models.Model):
    """A level on one dimension, with the evidence that shows the partnership is there."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.CharField(max_length=100, help_text="The key of a dimension of the assessment's rubric.")
    level = models.CharField(max_length=100, help_text="The key of one of the dimension's levels.")
    evidence = models.TextField(help_text="What shows the partnership is at this level: meetings, documents, data.")

    objects = ScopedManager(cluster="assessment__round__cluster")

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "dimension"], name="one_rating_per_dimension")]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.level}"
