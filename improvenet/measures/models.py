"""Measures of an aim's family and their data per school per period."""

from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, EndableRecord, School


class Measure(EndableRecord):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome measure"
        DRIVER = "driver", "Driver measure"
        PROCESS = "process", "Process measure"
        BALANCING = "balancing", "Balancing measure"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="measures")
    aim = models.ForeignKey("design.Aim", on_delete=models.PROTECT, null=True, blank=True, related_name="measures")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    operational_definition = models.TextField()
    unit = models.CharField(max_length=50)
    improvement_direction = models.CharField(max_length=10, choices=Direction.choices)
    chart_type = models.CharField(max_length=10, help_text="The SPC chart type, as improvenet.spc names it.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["cluster", "slug"], name="measure_slug_unique_in_cluster")]

    def __str__(self) -> str:
        return self.name


class MeasureValue(models.Model):
    """One school's value of a measure for one period (numerator over denominator, or a single value)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="measure_values")
    period = models.DateField(help_text="The first day of the period (week, month, term).")
    numerator = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)

    objects = ScopedManager(cluster="measure__cluster")

    class Meta:
        ordering = ["measure", "school", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "school", "period"], name="one_value_per_school_and_period")
        ]
