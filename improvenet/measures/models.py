"""Measures of an aim's family and their data per school per period.

A measure is shared design (the district design team defines it for the whole cluster); its
values are school work (each school's design team enters its own). The rules a value must follow
live here and in `improvenet.measures.upload`, which the form, the upload, the API and the
command line all use.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.measures.upload import UploadRules, period_problem, value_problems
from improvenet.network.models import (
    Cluster,
    EndableRecord,
    School,
    ShownManager,
    WithdrawableRecord,
    refuse_duplicate,
)
from improvenet.spc import CHART_TYPES

CHART_LABELS = {
    "run": "Run chart", "i": "I chart (individual values)", "mr": "MR chart (moving ranges)",
    "xbar": "Xbar chart (subgroup averages)", "s": "S chart (subgroup spread)", "t": "T chart (time between events)",
    "p": "P chart (proportions)", "pp": "P′ chart (Laney proportions)", "c": "C chart (counts)",
    "u": "U chart (rates)", "up": "U′ chart (Laney rates)", "g": "G chart (opportunities between events)",
}  # fmt: skip
# Charts that need a denominator, and charts that chart a single count or value only.
NEEDS_DENOMINATOR = {"p", "pp", "u", "up"}
SINGLE_VALUE_ONLY = {"c", "g", "t", "mr", "xbar", "s"}
# Charts of rates may count more events than their denominator (referrals per student).
RATE_CHARTS = {"u", "up"}


class Measure(EndableRecord):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome measure"
        DRIVER = "driver", "Driver measure"
        PROCESS = "process", "Process measure"
        BALANCING = "balancing", "Balancing measure"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly (periods start on Monday)"
        MONTHLY = "monthly", "Monthly (periods start on the 1st)"
        TERM = "term", "Per term or other period (any start day)"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="measures")
    aim = models.ForeignKey("design.Aim", on_delete=models.PROTECT, null=True, blank=True, related_name="measures")
    slug = models.SlugField(help_text="Lower-case letters, digits and hyphens; used in addresses and files.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    operational_definition = models.TextField(
        help_text="Exactly what is counted, from which source, by whom, and when, so every school counts alike."
    )
    numerator_label = models.CharField(
        max_length=200, help_text="What the number counts, e.g. “9th graders on track”, or the single value."
    )
    denominator_label = models.CharField(
        max_length=200, blank=True,
        help_text="What the count is out of, e.g. “9th graders enrolled”; empty for a measure with a single value.",
    )
    unit = models.CharField(max_length=50, help_text="For example “%”, “days” or “referrals per 100 students”.")
    multiply = models.FloatField(default=1, help_text="Multiply the ratio for the chart, e.g. 100 for percent.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    improvement_direction = models.CharField(max_length=10, choices=Direction.choices)
    target = models.FloatField(null=True, blank=True, help_text="The value to reach, in the chart's unit.")
    chart_type = models.CharField(
        max_length=10, choices=[(c, CHART_LABELS[c]) for c in CHART_TYPES],
        help_text="The SPC chart type, as improvenet.spc names it.",
    )
    first_period = models.DateField(help_text="The first period data may be entered for.")
    last_period = models.DateField(null=True, blank=True, help_text="The last period; empty while open.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["cluster", "slug"], name="measure_slug_unique_in_cluster")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_denominator(self) -> bool:
        return bool(self.denominator_label)

    @property
    def count_at_most_denominator(self) -> bool:
        return self.has_denominator and self.chart_type not in RATE_CHARTS

    def upload_rules(self) -> UploadRules:
        return UploadRules(
            first_period=self.first_period,
            last_period=self.last_period,
            frequency=self.frequency,
            has_denominator=self.has_denominator,
            count_at_most_denominator=self.count_at_most_denominator,
        )

    def clean(self) -> None:
        errors = {}
        if self.chart_type in NEEDS_DENOMINATOR and not self.denominator_label:
            errors["denominator_label"] = (
                f"A {CHART_LABELS[self.chart_type]} needs a denominator: say what is counted out of."
            )
        if self.chart_type in SINGLE_VALUE_ONLY and self.denominator_label:
            errors["denominator_label"] = f"A {CHART_LABELS[self.chart_type]} charts a single value: leave this empty."
        if self.slug == "new":
            errors["slug"] = "“new” is reserved; choose another short name."
        if self.first_period and self.last_period and self.last_period < self.first_period:
            errors["last_period"] = "The last period must not come before the first."
        if self.first_period:
            rules = UploadRules(first_period=None, last_period=None, frequency=self.frequency)
            problem = period_problem(self.first_period, rules)
            if problem:
                errors["first_period"] = f"The first {problem.removeprefix('period ')}."
        if self.multiply is not None and self.multiply <= 0:
            errors["multiply"] = "Multiply by a number above zero."
        if self.aim_id and self.cluster_id and self.aim.challenge.cluster_id != self.cluster_id:
            errors["aim"] = "The aim must be one of this cluster's aims."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            Measure.objects.filter(cluster_id=self.cluster_id, slug=self.slug),
            lambda existing: f"The measure “{existing.name}” already uses the short name “{self.slug}”.",
        )


class MeasureValue(WithdrawableRecord):
    """One school's value of a measure for one period (numerator over denominator, or a single value)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="measure_values")
    period = models.DateField(help_text="The first day of the period (week, month, term).")
    numerator = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="measure__cluster", _manager_class=ShownManager)
    with_withdrawn = ScopedManager(cluster="measure__cluster")

    class Meta:
        ordering = ["measure", "school", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "school", "period"], name="one_value_per_school_and_period")
        ]

    def __str__(self) -> str:
        if self.denominator is None:
            return f"{self.period}: {self.numerator:g}"
        return f"{self.period}: {self.numerator:g} of {self.denominator:g}"

    def clean(self) -> None:
        if not self.measure_id:
            return
        measure = self.measure
        errors: dict[str, list[str]] = {}
        if self.school_id and self.school.cluster_id != measure.cluster_id:
            errors["school"] = ["The school must be one of this cluster's schools."]
        if isinstance(self.period, datetime.date):
            problem = period_problem(self.period, measure.upload_rules())
            if problem:
                errors["period"] = [problem[0].upper() + problem[1:] + "."]
        if self.numerator is not None:
            for problem in value_problems(self.numerator, self.denominator, measure.upload_rules()):
                field = "numerator" if "negative" in problem else "denominator"
                errors.setdefault(field, []).append(problem[0].upper() + problem[1:] + ".")
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self,
            MeasureValue.with_withdrawn.filter(measure_id=self.measure_id, school_id=self.school_id,
                                               period=self.period),
            lambda existing: f"{self.school} already has a value for {self.period}: {existing}"
                             + (" (withdrawn: restore it instead)." if existing.is_withdrawn else "."),
        )


class ImportLog(models.Model):
    """One saved upload or command-line import: who (None: the operator at the command line), what, when."""

    class Source(models.TextChoices):
        PAGE = "page", "Upload page"
        API = "api", "API"
        CLI = "cli", "Command line"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="imports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    filename = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    changed = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="measure__cluster")

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.filename}: {self.rows} rows"


class ChartBreak(models.Model):
    """A new part of one school's chart of a measure, set by hand with a reason: the limits start
    again at the first period on or after `starts_on`. Removing one keeps it in the history."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="chart_breaks")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="chart_breaks")
    starts_on = models.DateField(help_text="The new part starts at the first period on or after this day.")
    reason = models.TextField(
        help_text="Why the process changed here, e.g. “New attendance system from this week: absences are "
                  "counted per period, not per day.”"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)

    objects = ScopedManager(cluster="measure__cluster")

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return f"New part from {self.starts_on}: {self.reason}"

    @property
    def is_current(self) -> bool:
        return self.removed_at is None

    def clean(self) -> None:
        errors = {}
        if self.measure_id and self.school_id and self.school.cluster_id != self.measure.cluster_id:
            errors["school"] = "The school must be one of this cluster's schools."
        if self.measure_id and self.starts_on and self.starts_on <= self.measure.first_period:
            errors["starts_on"] = (
                f"A new part must start after the measure's first period ({self.measure.first_period:%B %-d, %Y})."
            )
        if self.reason is not None and not self.reason.strip():
            errors["reason"] = "Say why the chart starts a new part here."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self,
            ChartBreak.objects.filter(measure_id=self.measure_id, school_id=self.school_id, starts_on=self.starts_on,
                                      removed_at__isnull=True),
            lambda existing: f"A new part already starts on {self.starts_on}: “{existing.reason}”.",
        )

    def remove(self, user, reason: str = "") -> None:
        """Take the break off the chart; it stays in the history with who removed it, when and why."""
        if not self.is_current:
            raise ValidationError({"removed_at": f"This break was already removed on {self.removed_at:%B %-d, %Y}."})
        self.removed_by = user if user is not None and user.is_authenticated else None
        self.removed_at = timezone.now()
        self.removal_reason = reason
        self.save(update_fields=["removed_by", "removed_at", "removal_reason"])
