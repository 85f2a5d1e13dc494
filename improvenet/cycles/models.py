"""Plan-Do-Study-Act cycles: a school team's tests of a change idea."""

from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, School, Team


class PdsaCycle(models.Model):
    class Stage(models.TextChoices):
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        STUDY = "study", "Study"
        ACT = "act", "Act"
        DONE = "done", "Done"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="pdsa_cycles")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pdsa_cycles")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pdsa_cycles")
    change_idea = models.ForeignKey("design.ChangeIdea", on_delete=models.PROTECT, related_name="pdsa_cycles")
    measures = models.ManyToManyField("measures.Measure", blank=True, related_name="pdsa_cycles")
    objective = models.TextField()
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PLAN)
    planned_start = models.DateField()
    do_started_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-planned_start", "id"]

    def __str__(self) -> str:
        return self.objective
