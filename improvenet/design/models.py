"""The shared design of a cluster: design challenges, aims, driver diagrams, change ideas and innovations.

The district design team owns the shared design. A driver diagram is kept as numbered versions
that never change once saved; editing saves a new version. An innovation names its core
(non-negotiable) and adaptable elements; when a school's adaptation touches a core element it is
"outside the boundary" and waits for the design team's decision.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager, scopes_disabled

from improvenet.design import driver_graph as dg
from improvenet.lib.errors import Conflict
from improvenet.network.models import Cluster, EndableRecord, School, current_on


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

    # The fishbone is read and written as a list of {"category", "cause"}, saved with the challenge.
    @property
    def fishbone(self) -> list[dict]:
        pending = getattr(self, "_pending_fishbone", None)
        if pending is not None:
            return pending
        if not self.pk:
            return []
        with scopes_disabled():  # only this challenge's causes; the API serializes after leaving the scope
            return [{"category": c.category, "cause": c.cause} for c in self.causes.all()]

    @fishbone.setter
    def fishbone(self, causes: list[dict]) -> None:
        self._pending_fishbone = [
            {"category": str(c.get("category", "")).strip(), "cause": str(c.get("cause", "")).strip()}
            for c in causes
        ]

    def causes_by_category(self) -> list[tuple[str, list[str]]]:
        grouped: dict[str, list[str]] = {}
        for cause in self.fishbone:
            grouped.setdefault(cause["category"], []).append(cause["cause"])
        return list(grouped.items())

    def clean(self) -> None:
        for cause in getattr(self, "_pending_fishbone", None) or []:
            if not cause["category"] or not cause["cause"]:
                raise ValidationError({"fishbone": "Each cause needs a category and the cause itself."})
            if len(cause["category"]) > 100 or len(cause["cause"]) > 500:
                raise ValidationError({"fishbone": "Keep a category under 100 characters and a cause under 500."})

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            DesignChallenge.objects.filter(current_on(), cluster_id=self.cluster_id, title__iexact=self.title),
            lambda existing: f"The cluster already has a design challenge called “{existing.title}”.",
        )

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        pending = getattr(self, "_pending_fishbone", None)
        if pending is not None:
            self.causes.all().delete()
            FishboneCause.objects.bulk_create(
                FishboneCause(challenge=self, category=c["category"], cause=c["cause"], position=i)
                for i, c in enumerate(pending)
            )
            self._pending_fishbone = None


class FishboneCause(models.Model):
    """One cause of the root-cause analysis, under its category (the bones of the fishbone)."""

    challenge = models.ForeignKey(DesignChallenge, on_delete=models.CASCADE, related_name="causes")
    category = models.CharField(max_length=100, help_text="For example “Students”, “Instruction”, “School systems”.")
    cause = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(cluster="challenge__cluster")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.cause}"


class Aim(EndableRecord):
    """What will improve, for whom, by how much, by when: "from 62% to 75% of 9th graders on track by June 2027"."""

    challenge = models.ForeignKey(DesignChallenge, on_delete=models.PROTECT, related_name="aims")
    statement = models.TextField()
    measure = models.CharField(
        "what is measured", max_length=200, blank=True, help_text="For example “on track at the end of 9th grade”."
    )
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

    def clean(self) -> None:
        errors = {}
        if self.baseline is not None and self.target is not None and self.baseline == self.target:
            errors["target"] = "The target has to differ from the baseline: an aim says how much will improve."
        if (self.unit or "").strip() == "%":
            for name in ("baseline", "target"):
                value = getattr(self, name)
                if value is not None and not 0 <= value <= 100:
                    errors[name] = "A percentage runs from 0 to 100."
        if errors:
            raise ValidationError(errors)

    @property
    def cluster(self) -> Cluster:
        return self.challenge.cluster

    @property
    def summary(self) -> str:
        def number(value: float) -> str:
            text = f"{value:g}"
            return f"{text}%" if self.unit.strip() == "%" else f"{text} {self.unit}".strip()

        what = f" {self.measure}" if self.measure else ""
        return (f"From {number(self.baseline)} to {number(self.target)} of {self.population}{what} "
                f"by {self.target_date:%B %Y}")

    def diagram(self) -> "DriverDiagram":
        diagram, _ = DriverDiagram.objects.get_or_create(aim=self, defaults={"cluster_id": self.challenge.cluster_id})
        return diagram


class ChangeIdea(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="change_ideas")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            ChangeIdea.objects.filter(current_on(), cluster_id=self.cluster_id, title__iexact=self.title),
            lambda existing: f"The cluster already has the change idea “{existing.title}”.",
        )


# Driver diagrams ---------------------------------------------------------------------------------


class VersionIsImmutable(Exception):
    """A saved driver diagram version is never changed; save a new version instead."""


class DriverDiagram(models.Model):
    """The theory of improvement of one aim, kept as numbered versions."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="driver_diagrams")
    aim = models.OneToOneField(Aim, on_delete=models.PROTECT, related_name="driver_diagram")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    def __str__(self) -> str:
        return f"Driver diagram of “{self.aim}”"

    def current(self) -> "DriverDiagramVersion | None":
        return self.versions.order_by("-number").first()

    def version(self, number: int) -> "DriverDiagramVersion | None":
        return self.versions.filter(number=number).first()

    def save_version(
        self, graph: dg.Graph, *, user, note: str, based_on: int | None = None, saved_at=None,
        adaptation: "Adaptation | None" = None, keep_keys: bool = False,
    ) -> "DriverDiagramVersion":
        """Check the graph and save it as the next version; the previous versions stay as they were.

        Unless `keep_keys`, the nodes continue the previous version's nodes by wording (see
        driver_graph.carry_keys), so that a reworded driver shows as reworded. `based_on` is the
        version the editor started from: when someone saved a newer one meanwhile, Conflict.
        """
        if not note.strip():
            raise ValidationError({"note": "Say in a few words what changed in this version and why."})
        current = self.current()
        if based_on is not None and current is not None and based_on != current.number:
            raise Conflict(
                f"Version {current.number} was saved by {current.saved_by_name} on {current.saved_at:%B %-d, %Y} "
                f"after the version {based_on} you started from. Reload it and make your change again.",
                current,
            )
        if not keep_keys:
            graph = dg.carry_keys(current.graph() if current else dg.Graph(), graph)
        found = dg.problems(graph)
        if not graph.nodes:
            found.append("A driver diagram needs at least one primary driver.")
        if found:
            raise ValidationError({"graph": found})
        ideas = self._change_ideas(graph, current)
        version = DriverDiagramVersion(
            diagram=self, number=(current.number + 1) if current else 1, saved_by=user, note=note.strip(),
            adaptation=adaptation,
        )
        if saved_at is not None:
            version.saved_at = saved_at
        version.save()
        nodes = DiagramNode.objects.bulk_create(
            DiagramNode(version=version, key=node.key, kind=node.kind, text=node.text, position=index,
                        change_idea=ideas.get(node.key))
            for index, node in enumerate(graph.nodes)
        )
        by_key = {node.key: node for node in nodes}
        DiagramLink.objects.bulk_create(
            DiagramLink(version=version, parent=by_key[parent], child=by_key[child]) for parent, child in graph.links
        )
        return version

    def _change_ideas(self, graph: dg.Graph, current: "DriverDiagramVersion | None") -> dict[str, ChangeIdea]:
        """The cluster's change idea for each change idea node: kept by key, found by title, or added."""
        previous = {n.key: n.change_idea for n in current.nodes.select_related("change_idea")} if current else {}
        ideas = {}
        for node in graph.nodes:
            if node.kind != dg.CHANGE_IDEA:
                continue
            idea = previous.get(node.key)
            if idea is None:
                idea = ChangeIdea.objects.filter(cluster_id=self.cluster_id, title__iexact=node.text).first()
            if idea is None:
                idea = ChangeIdea.objects.create(cluster_id=self.cluster_id, title=node.text[:200])
            elif idea.title != node.text[:200]:
                idea.title = node.text[:200]
                idea.save(update_fields=["title", "updated_at"])
            ideas[node.key] = idea
        return ideas


class DriverDiagramVersion(models.Model):
    diagram = models.ForeignKey(DriverDiagram, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(help_text="What changed in this version and why.")
    adaptation = models.ForeignKey(
        "Adaptation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The school adaptation whose acceptance into the shared design made this version.",
    )

    objects = ScopedManager(cluster="diagram__cluster")

    class Meta:
        ordering = ["diagram", "-number"]
        constraints = [models.UniqueConstraint(fields=["diagram", "number"], name="one_version_number_per_diagram")]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise VersionIsImmutable("A saved version of a driver diagram is never changed; save a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise VersionIsImmutable("Versions of a driver diagram are kept; they cannot be deleted.")

    @property
    def saved_by_name(self) -> str:
        user = self.saved_by
        return user.get_full_name() or user.get_username()

    def graph(self) -> dg.Graph:
        nodes = list(self.nodes.order_by("position", "id"))
        keys = {node.pk: node.key for node in nodes}
        links = self.links.values_list("parent_id", "child_id")
        return dg.Graph(
            tuple(dg.Node(n.key, n.kind, n.text) for n in nodes),
            frozenset((keys[p], keys[c]) for p, c in links),
        )


class _Immutable(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise VersionIsImmutable("A saved version of a driver diagram is never changed; save a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise VersionIsImmutable("Versions of a driver diagram are kept; they cannot be deleted.")


class DiagramNode(_Immutable):
    class Kind(models.TextChoices):
        PRIMARY = dg.PRIMARY, "Primary driver"
        SECONDARY = dg.SECONDARY, "Secondary driver"
        CHANGE_IDEA = dg.CHANGE_IDEA, "Change idea"

    version = models.ForeignKey(DriverDiagramVersion, on_delete=models.PROTECT, related_name="nodes")
    key = models.CharField(max_length=40, help_text="Stays the same for the same driver from version to version.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, null=True, blank=True, related_name="nodes")

    objects = ScopedManager(cluster="version__diagram__cluster")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_node_per_key_per_version")]

    def __str__(self) -> str:
        return self.text


class DiagramLink(_Immutable):
    version = models.ForeignKey(DriverDiagramVersion, on_delete=models.PROTECT, related_name="links")
    parent = models.ForeignKey(DiagramNode, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(DiagramNode, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(cluster="version__diagram__cluster")

    def __str__(self) -> str:
        return f"{self.parent} → {self.child}"


# Innovations and their boundaries --------------------------------------------------------------


class Innovation(EndableRecord):
    """A set of change ideas the schools enact, with the elements that must stay and those that may be adapted."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="innovations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    aim = models.ForeignKey(
        Aim, on_delete=models.PROTECT, null=True, blank=True, related_name="innovations",
        help_text="The aim whose driver diagram changes when an adaptation is accepted into the shared design.",
    )
    change_ideas = models.ManyToManyField(ChangeIdea, blank=True, related_name="innovations")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.aim_id and self.aim.challenge.cluster_id != self.cluster_id:
            raise ValidationError({"aim": "The aim must belong to the same cluster."})
        pending = getattr(self, "_pending_change_ideas", None)
        if pending is not None:
            found = set(ChangeIdea.objects.filter(pk__in=pending).values_list("pk", flat=True))
            missing = [str(pk) for pk in pending if pk not in found]
            if missing:
                raise ValidationError({"change_idea_ids": f"There is no change idea with id {', '.join(missing)} "
                                                          "in this cluster."})

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            Innovation.objects.filter(current_on(), cluster_id=self.cluster_id, name__iexact=self.name),
            lambda existing: f"The cluster already has an innovation called “{existing.name}”.",
        )

    @property
    def change_idea_ids(self) -> list[int]:
        pending = getattr(self, "_pending_change_ideas", None)
        if pending is not None:
            return pending
        if not self.pk:
            return []
        with scopes_disabled():  # only this innovation's change ideas, as for DesignChallenge.fishbone
            return list(self.change_ideas.values_list("pk", flat=True))

    @change_idea_ids.setter
    def change_idea_ids(self, ids: list[int]) -> None:
        self._pending_change_ideas = list(dict.fromkeys(ids))

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        pending = getattr(self, "_pending_change_ideas", None)
        if pending is not None:
            self.change_ideas.set(pending)
            self._pending_change_ideas = None

    def core_elements(self):
        return self.elements.filter(current_on(), kind=InnovationElement.Kind.CORE)

    def adaptable_elements(self):
        return self.elements.filter(current_on(), kind=InnovationElement.Kind.ADAPTABLE)


class InnovationElement(EndableRecord):
    class Kind(models.TextChoices):
        CORE = "core", "Core element (non-negotiable)"
        ADAPTABLE = "adaptable", "Adaptable element"

    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, related_name="elements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    change_idea = models.ForeignKey(
        ChangeIdea, on_delete=models.PROTECT, null=True, blank=True, related_name="elements",
        help_text="The change idea of the driver diagram this element belongs to, if any.",
    )

    objects = ScopedManager(cluster="innovation__cluster")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_core(self) -> bool:
        return self.kind == self.Kind.CORE

    def clean(self) -> None:
        if self.change_idea_id and self.innovation_id and self.change_idea.cluster_id != self.innovation.cluster_id:
            raise ValidationError({"change_idea": "The change idea must belong to the same cluster."})

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            InnovationElement.objects.filter(current_on(), innovation_id=self.innovation_id, name__iexact=self.name),
            lambda existing: f"The innovation already has an element called “{existing.name}”.",
        )


class SchoolEnactment(EndableRecord):
    """One school enacting an innovation, with the adaptations it makes to fit the school."""

    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, related_name="enactments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enactments")
    started_on = models.DateField()
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="innovation__cluster")

    class Meta:
        ordering = ["school__name"]

    def __str__(self) -> str:
        return f"{self.innovation} in {self.school}"

    def clean(self) -> None:
        if self.school_id and self.innovation_id and self.school.cluster_id != self.innovation.cluster_id:
            raise ValidationError({"school": "The school must belong to the innovation's cluster."})

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            SchoolEnactment.objects.filter(current_on(), innovation_id=self.innovation_id, school_id=self.school_id),
            lambda existing: f"{existing.school} already enacts {existing.innovation}.",
        )


class Adaptation(models.Model):
    """What a school changed in an element of the innovation, and, outside the boundary, the decision."""

    class Status(models.TextChoices):
        WITHIN = "within_bounds", "Within the boundary"
        AWAITING = "awaiting_decision", "Outside the boundary: awaiting a decision"
        ACCEPTED = "accepted", "Accepted into the shared design"
        BROUGHT_BACK = "brought_back", "Brought back within bounds"

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept into the shared design"
        BRING_BACK = "bring_back", "Bring back within bounds"

    enactment = models.ForeignKey(SchoolEnactment, on_delete=models.PROTECT, related_name="adaptations")
    element = models.ForeignKey(InnovationElement, on_delete=models.PROTECT, related_name="adaptations")
    description = models.TextField(help_text="What the school changed, and how.")
    rationale = models.TextField(blank=True, help_text="Why the school needed the change.")
    proposed_wording = models.CharField(
        max_length=200, blank=True,
        help_text="If accepted, the new wording of the element's change idea in the driver diagram.",
    )
    adapted_on = models.DateField(default=datetime.date.today)
    outside_boundary = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WITHIN, editable=False)
    decision_reason = models.TextField(blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="enactment__innovation__cluster")

    class Meta:
        ordering = ["-adapted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enactment.school}: {self.description[:60]}"

    def save(self, *args, **kwargs) -> None:
        if not self.pk:
            self.outside_boundary = self.element.is_core
            self.status = self.Status.AWAITING if self.outside_boundary else self.Status.WITHIN
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.element_id and self.enactment_id and self.element.innovation_id != self.enactment.innovation_id:
            raise ValidationError({"element": "The element must be one of the enacted innovation's elements."})

    @property
    def awaiting_decision(self) -> bool:
        return self.status == self.Status.AWAITING

    @property
    def decided_by_name(self) -> str:
        user = self.decided_by
        return (user.get_full_name() or user.get_username()) if user else ""

    def decide(self, decision: str, reason: str, user, *, when=None) -> "DriverDiagramVersion | None":
        """Record the design team's decision; accepting saves a new driver diagram version citing this adaptation."""
        if not self.outside_boundary:
            raise ValidationError({"decision": "This adaptation stays within the boundary; it needs no decision."})
        if self.status != self.Status.AWAITING:
            raise Conflict(
                f"This adaptation was already decided ({self.get_status_display().lower()}) "
                f"by {self.decided_by_name} on {self.decided_at:%B %-d, %Y}.", self,
            )
        if decision not in self.Decision.values:
            raise ValidationError({"decision": "Choose to accept it into the shared design or bring it back within "
                                               "bounds."})
        if not (reason or "").strip():
            raise ValidationError({"reason": "Give the reason for the decision; it is kept with the adaptation."})
        when = when or timezone.now()
        version = None
        if decision == self.Decision.ACCEPT:
            version = self._accept(user, reason.strip(), when)
            self.status = self.Status.ACCEPTED
        else:
            self.status = self.Status.BROUGHT_BACK
        self.decision_reason, self.decided_by, self.decided_at = reason.strip(), user, when
        super().save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        return version

    def _accept(self, user, reason: str, when) -> "DriverDiagramVersion":
        aim = self.enactment.innovation.aim
        if aim is None:
            raise ValidationError({"decision": "The innovation has no aim, so there is no driver diagram to change. "
                                               "Choose the innovation's aim first."})
        diagram = aim.diagram()
        current = diagram.current()
        graph = current.graph() if current else dg.Graph()
        idea = self.element.change_idea
        if idea is not None and self.proposed_wording.strip() and current is not None:
            keys = set(current.nodes.filter(change_idea=idea).values_list("key", flat=True))
            graph = dg.Graph(
                tuple(dg.Node(n.key, n.kind, self.proposed_wording.strip()) if n.key in keys else n
                      for n in graph.nodes),
                graph.links,
            )
        note = (f"Accepted into the shared design: the adaptation of “{self.element}” by {self.enactment.school} "
                f"(adaptation {self.pk}: {self.description}). Reason: {reason}")
        return diagram.save_version(graph, user=user, note=note, saved_at=when, adaptation=self, keep_keys=True)
