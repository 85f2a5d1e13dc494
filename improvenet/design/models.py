"""The shared design of a cluster: design challenges, aims, and the change ideas they lead to."""

from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, EndableRecord


class DesignChallenge(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="design_challenges")
    title = models.CharField(max_length=200)
    problem_of_practice = models.TextField()
    evidence = models.TextField(blank=True, help_text="What shows the problem is real and worth the effort.")
    people_affected = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Aim(EndableRecord):
    """What will improve, for whom, by how much, by when: "from 62% to 75% of 9th graders on track by June 2027"."""

    challenge = models.ForeignKey(DesignChallenge, on_delete=models.PROTECT, related_name="aims")
    statement = models.TextField()
    population = models.CharField(max_length=200, help_text="Who the aim is for, e.g. “9th graders”.")
    baseline = models.FloatField()
    target = models.FloatField()
    unit = models.CharField(max_length=50, help_text="For example “%” or “days”.")
    target_date = models.DateField()

    objects = ScopedManager(cluster="challenge__cluster")

    class Meta:
        ordering = ["target_date"]

    def __str__(self) -> str:
        return self.statement


class ChangeIdea(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="change_ideas")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
