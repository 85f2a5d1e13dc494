"""The network model: networks of clusters, their organizations, schools, people and teams.

Everything below Cluster is cluster data: its managers are scoped, so a query that does not name
the cluster it works in raises ScopeError instead of silently reading another cluster's records
(see improvenet.network.access for how views and the API enter a cluster's scope).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.lib.errors import Conflict, FieldRefusal


def refuse_duplicate(
    record: models.Model, candidates: models.QuerySet, describe: Callable[[models.Model], str]
) -> None:
    """Raise Conflict naming the first of `candidates` other than `record` itself, if there is one.

    `candidates` is a queryset of possible duplicates of `record`; `describe` takes the existing
    record found and returns the Conflict's message.
    """
    existing = candidates.exclude(pk=record.pk).first()
    if existing:
        raise Conflict(describe(existing), existing)


class EndableRecord(models.Model):
    """A record that is ended, never deleted, so that turnover stays part of the history."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Left empty while current.")

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    def end(self, on: datetime.date | None = None) -> None:
        if not self.is_current:
            raise ValidationError({"ended_on": f"This already ended on {self.ended_on:%B %-d, %Y}."})
        self.ended_on = on or timezone.localdate()
        self.full_clean()
        self.save()

    def refuse_duplicate(self, candidates: models.QuerySet, describe: Callable[[models.Model], str]) -> None:
        """Raise Conflict naming the first of `candidates` other than this record (see refuse_duplicate)."""
        refuse_duplicate(self, candidates, describe)


class StepRefused(FieldRefusal, ValidationError):
    """A step refused for one reason: the message says why, under the field it concerns (the API's `detail`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: [message]})
        self.field = field
        self.message_text = message

    def __str__(self) -> str:
        return self.message_text


class ShownManager(models.Manager):
    """Leaves out withdrawn records: lists, charts, evidence and metrics never see them."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class WithdrawableRecord(models.Model):
    """A record that can be withdrawn when it was entered by mistake, and restored: never deleted.

    Its model keeps two managers: `objects` (a ShownManager under the scope) leaves withdrawn records out
    everywhere, and `with_withdrawn` reads them too, for the record's own page, its correction and the
    archive. Who withdrew and restored it, when and why, is kept by improvenet.corrections.
    """

    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="Left empty while the record counts.")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The database default too: the demo inserts measure values with plain SQL, naming only their numbers.
    withdrawal_reason = models.TextField(blank=True, default="", db_default="",
                                         help_text="Why the record was withdrawn.")

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def withdrawn_by_name(self) -> str:
        """Who withdrew it, for the page: an account may be gone since."""
        if self.withdrawn_by is None:
            return "someone whose account was removed"
        return self.withdrawn_by.get_full_name() or self.withdrawn_by.get_username()

    @staticmethod
    def _require_reason(reason: str, what: str) -> str:
        if not (reason or "").strip():
            raise StepRefused("reason", f"Say why the record is {what}: the reason is shown with it.")
        return reason.strip()

    def withdraw(self, user, reason: str) -> None:
        if self.is_withdrawn:
            raise StepRefused("reason", f"This record was already withdrawn on {self.withdrawn_at:%B %-d, %Y}.")
        self.withdrawal_reason = self._require_reason(reason, "withdrawn")
        self.withdrawn_at, self.withdrawn_by = timezone.now(), user
        self.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])

    def restore(self, reason: str) -> None:
        """Count the record again; the reason is kept in its corrections, the withdrawal's fields are cleared."""
        if not self.is_withdrawn:
            raise StepRefused("reason", "This record is not withdrawn: there is nothing to restore.")
        self._require_reason(reason, "restored")
        self.withdrawn_at, self.withdrawn_by, self.withdrawal_reason = None, None, ""
        self.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])


def current_on(day: datetime.date | None = None, *, via: str = "") -> Q:
    """Records not yet ended on the given day (today by default); `via` reaches a related record."""
    day = day or timezone.localdate()
    return Q(**{f"{via}ended_on__isnull": True}) | Q(**{f"{via}ended_on__gt": day})


class Network(EndableRecord):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_networks"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            Network.objects.filter(slug=self.slug),
            lambda existing: f"The network “{existing.name}” already uses the short name “{self.slug}”.",
        )


class Cluster(EndableRecord):
    class Phase(models.TextChoices):
        EXPLORING = "exploring", "Exploring"
        PREPARING = "preparing", "Preparing"
        LAUNCHED = "launched", "Launched"
        SCALING = "scaling", "Scaling"

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="clusters")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Phase.choices, default=Phase.EXPLORING)
    description = models.TextField(blank=True)
    lead_organization = models.ForeignKey(
        "Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shares_with_network = models.BooleanField(
        default=False,
        help_text="When on, people of the network's other clusters may read this cluster.",
    )
    stale_cycle_days = models.PositiveSmallIntegerField(
        "days before a cycle counts as untouched", default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A running PDSA cycle nobody has changed for this many days is flagged on the home pages.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        lead = self.lead_organization if self.lead_organization_id else None
        if lead and (lead.cluster_id != self.pk or lead.kind == Organization.Kind.SCHOOL):
            raise ValidationError(
                {"lead_organization": "The lead organization must be one of this cluster's partner organizations."}
            )

    def pyramids(self) -> list["Pyramid"]:
        """The current schools as pyramids (a high school and its feeders), by role, then name.

        Schools that belong to no high school's pyramid come last, in a pyramid without a head.
        """
        schools = list(School.objects.filter(cluster=self).filter(current_on()).order_by("name"))
        heads = {s.pk: Pyramid(s, []) for s in schools if s.level == School.Level.HIGH}
        unattached = Pyramid(None, [])
        for school in schools:
            if school.pk not in heads:
                heads.get(school.feeds_into_id, unattached).feeders.append(school)
        for pyramid in [*heads.values(), unattached]:
            pyramid.feeders.sort(key=School.feeder_order)
        role_order = [role for role, _ in School.Role.choices]
        ordered = sorted(heads.values(), key=lambda p: (role_order.index(p.head.role), p.head.name))
        return ordered + ([unattached] if unattached.feeders else [])

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            Cluster.objects.filter(slug=self.slug),
            lambda existing: f"The cluster “{existing.name}” already uses the short name “{self.slug}”.",
        )


@dataclass
class Pyramid:
    head: "School | None"
    feeders: list["School"]

    @property
    def role(self) -> str | None:
        return self.head.role if self.head else None

    @property
    def schools(self) -> list["School"]:
        return ([self.head] if self.head else []) + self.feeders


class ClusterRole(models.Model):
    """What a user account may do in one cluster.

    Deliberately not scoped: deciding which clusters a user may enter has to read it before any
    cluster scope exists.
    """

    class Role(models.TextChoices):
        LEAD = "lead", "Cluster lead"
        MEMBER = "member", "Team member"
        RESEARCHER = "researcher", "Researcher"
        VIEWER = "viewer", "Viewer"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cluster_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "user"], name="one_role_per_cluster")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.cluster}"


class Organization(EndableRecord):
    class Kind(models.TextChoices):
        DISTRICT = "district", "School district"
        SCHOOL = "school", "School"
        UNIVERSITY = "university", "University"
        RESEARCH = "research", "Research organization"
        COMPANY = "company", "Company"
        NONPROFIT = "nonprofit", "Nonprofit"
        FUNDER = "funder", "Funder"
        SCHOOL_BOARD = "school_board", "School board"
        UNION = "union", "Teachers' union"
        COMMUNITY = "community", "Community group"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="organizations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        is_school_row = isinstance(self, School)
        if self.kind == self.Kind.SCHOOL and not is_school_row:
            raise ValidationError({"kind": "Add schools as schools, so they get their level, grades and role."})


class School(Organization):
    """A school of the cluster; a high school with the schools that feed it forms a pyramid."""

    class Level(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary school"
        MIDDLE = "middle", "Middle school"
        HIGH = "high", "High school"
        OTHER = "other", "Other"

    class Role(models.TextChoices):
        INNOVATION = "innovation", "Innovation school"
        AT_LARGE = "at_large", "At-large school"
        COMPARISON = "comparison", "Comparison school"
        FEEDER = "feeder", "Feeder school"

    nces_id = models.CharField("NCES id", max_length=12, blank=True)
    state_id = models.CharField("state id", max_length=40, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    lowest_grade = models.SmallIntegerField(help_text="-1 for pre-kindergarten, 0 for kindergarten, 1 to 12.")
    highest_grade = models.SmallIntegerField(help_text="-1 for pre-kindergarten, 0 for kindergarten, 1 to 12.")
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    role = models.CharField("role in the cluster", max_length=20, choices=Role.choices)
    feeds_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feeders",
        help_text="The high school whose pyramid this school belongs to.",
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = Organization.Kind.SCHOOL

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("lowest_grade", "highest_grade"):
            value = getattr(self, field)
            if value is not None and not -1 <= value <= 12:
                errors[field] = "Grades run from -1 (pre-kindergarten) and 0 (kindergarten) to 12."
        if (
            self.lowest_grade is not None
            and self.highest_grade is not None
            and self.lowest_grade > self.highest_grade
        ):
            errors["highest_grade"] = "The highest grade cannot be below the lowest grade."
        if self.feeds_into_id:
            high_school = self.feeds_into
            if self.level == self.Level.HIGH:
                errors["feeds_into"] = "A high school heads its own pyramid and feeds into no other school."
            elif high_school.pk == self.pk:
                errors["feeds_into"] = "A school cannot feed into itself."
            elif high_school.level != self.Level.HIGH:
                errors["feeds_into"] = f"“{high_school.name}” is not a high school; feeders feed into a high school."
            elif high_school.cluster_id != self.cluster_id:
                errors["feeds_into"] = f"“{high_school.name}” belongs to another cluster."
        if self.role == self.Role.FEEDER and not self.feeds_into_id:
            errors["feeds_into"] = "A feeder school needs the high school it feeds into."
        if self.role == self.Role.FEEDER and self.level == self.Level.HIGH:
            errors["role"] = "A high school is an innovation, at-large or comparison school, not a feeder."
        if self.pk and self.level != self.Level.HIGH:
            feeders = School.objects.filter(current_on(), feeds_into_id=self.pk).count()
            if feeders:
                errors["level"] = (
                    f"{feeders} school{'s feed' if feeders > 1 else ' feeds'} into this high school: "
                    "move them to another pyramid before changing its level."
                )
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        # The ids live on this table and the cluster on the parent's, so no unique constraint can
        # cover them: lock the cluster row instead, so two writes cannot both pass this check.
        Cluster.objects.select_for_update().filter(pk=self.cluster_id).first()
        for field in ("nces_id", "state_id"):
            value = getattr(self, field)
            if not value:
                continue
            label = self._meta.get_field(field).verbose_name
            self.refuse_duplicate(
                School.objects.filter(cluster_id=self.cluster_id, **{field: value}),
                lambda existing, label=label, value=value: (
                    f"The school “{existing.name}” (id {existing.pk}) already has {label} {value} in this cluster."
                ),
            )

    @property
    def grades(self) -> str:
        def label(grade: int) -> str:
            return {-1: "PK", 0: "K"}.get(grade, str(grade))

        return f"{label(self.lowest_grade)}–{label(self.highest_grade)}"

    def feeder_order(self) -> tuple[int, str]:
        """Middle schools before elementary schools, then by name: the way students move up."""
        levels = [self.Level.MIDDLE, self.Level.ELEMENTARY, self.Level.OTHER, self.Level.HIGH]
        return levels.index(self.level), self.name

    def pyramid(self) -> Pyramid:
        """This high school and the current schools that feed into it."""
        feeders = sorted(School.objects.filter(current_on(), feeds_into=self), key=School.feeder_order)
        return Pyramid(self, feeders)

    @property
    def pyramid_head(self) -> "School":
        return self if self.level == self.Level.HIGH else (self.feeds_into or self)


class Person(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="For example “Assistant principal”.")
    home_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def clean(self) -> None:
        if self.home_organization_id and self.home_organization.cluster_id != self.cluster_id:
            raise ValidationError({"home_organization": "The home organization must belong to the same cluster."})

    def end(self, on: datetime.date | None = None) -> None:
        """A person leaving the cluster leaves every team they are still on, the same day."""
        day = on or timezone.localdate()
        for membership in self.memberships.filter(current_on(day)):
            membership.end(day)
        super().end(day)


class Team(EndableRecord):
    class Kind(models.TextChoices):
        DISTRICT_DESIGN = "district_design", "District design team"
        SCHOOL_DESIGN = "school_design", "School design team"
        STANDING_PANEL = "standing_panel", "Standing panel"
        DATA = "data", "Longitudinal data team"
        LEADERSHIP = "leadership", "Cluster leadership"
        OTHER = "other", "Other team"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="teams",
        help_text="The school a school design team works in.",
    )
    purpose = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.SCHOOL_DESIGN and not self.school_id:
            raise ValidationError({"school": "A school design team needs the school it works in."})
        if self.school_id and self.school.cluster_id != self.cluster_id:
            raise ValidationError({"school": "The school must belong to the same cluster."})

    def end(self, on: datetime.date | None = None) -> None:
        """A team that stops meeting ends its current memberships on the same day."""
        day = on or timezone.localdate()
        for membership in self.memberships.filter(current_on(day)):
            membership.end(day)
        super().end(day)


class Membership(EndableRecord):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(
        "role in the team", max_length=100, help_text="For example “Chair”, “Teacher”, “Facilitator”."
    )
    home_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Where the person worked while on the team.",
    )
    started_on = models.DateField()

    objects = ScopedManager(cluster="team__cluster")

    class Meta:
        ordering = ["-started_on", "person__family_name"]

    def __str__(self) -> str:
        return f"{self.person} — {self.role}, {self.team}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        cluster_id = self.team.cluster_id if self.team_id else None
        if self.person_id and self.person.cluster_id != cluster_id:
            errors["person"] = "The person must belong to the team's cluster."
        if self.home_organization_id and self.home_organization.cluster_id != cluster_id:
            errors["home_organization"] = "The home organization must belong to the team's cluster."
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "A membership cannot end before it started."
        if errors:
            raise ValidationError(errors)


# Phases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A dated stretch of a cluster's timeline: `order` is the stage's place in the sequence of stages."""

    label: str
    order: int
    starts_on: datetime.date
    ends_on: datetime.date | None  # None: open, until further notice


def timeline_problems(span: Span, others: list[Span]) -> dict[str, str]:
    """What is wrong with `span` among the cluster's other phases, by field; empty when nothing is.

    Phases follow the order of the stages, each starting after the earlier stages and ending before
    the later ones start; none overlap; only the latest may be left open.
    """
    if span.ends_on is not None and span.ends_on < span.starts_on:
        return {"ends_on": "A phase cannot end before it starts."}
    far = datetime.date.max
    for other in sorted(others, key=lambda o: o.order):
        if other.order < span.order and other.starts_on >= span.starts_on:
            return {"starts_on": f"“{span.label}” comes after “{other.label}”, which starts on "
                                 f"{other.starts_on:%B %-d, %Y}: start it later."}
        if other.order > span.order and other.starts_on <= span.starts_on:
            return {"starts_on": f"“{span.label}” comes before “{other.label}”, which starts on "
                                 f"{other.starts_on:%B %-d, %Y}: start it earlier."}
        if span.starts_on <= (other.ends_on or far) and other.starts_on <= (span.ends_on or far):
            until = f"{other.ends_on:%B %-d, %Y}" if other.ends_on else "no end date yet"
            field = "ends_on" if other.order > span.order else "starts_on"
            return {field: f"This overlaps “{other.label}” ({other.starts_on:%B %-d, %Y} to {until}): "
                           "phases follow one another without overlapping."}
    return {}


class Phase(models.Model):
    """One stage of a cluster's life, with its dates; what each kind of team does in it is a PhaseRole."""

    class Stage(models.TextChoices):
        RESEARCH = "research", "Research"
        DESIGN = "design", "Design and development"
        INITIAL = "initial_implementation", "Initial implementation"
        FULL = "full_implementation", "Full implementation"
        SCALE_OUT = "scale_out", "Scale out"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="phases")
    stage = models.CharField(max_length=30, choices=Stage.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty while the end is not set.")
    summary = models.TextField(blank=True, help_text="What the cluster does in this phase, in a few sentences.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["starts_on"]
        constraints = [models.UniqueConstraint(fields=["cluster", "stage"], name="one_phase_per_stage")]

    def __str__(self) -> str:
        return self.get_stage_display()

    def span(self) -> Span:
        return Span(self.get_stage_display(), self.stage_order, self.starts_on, self.ends_on)

    @property
    def stage_order(self) -> int:
        return list(self.Stage.values).index(self.stage)

    def is_current(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def clean(self) -> None:
        if not (self.cluster_id and self.stage in self.Stage.values and self.starts_on):
            return
        others = Phase.objects.filter(cluster_id=self.cluster_id).exclude(pk=self.pk).exclude(stage=self.stage)
        problems = timeline_problems(self.span(), [other.span() for other in others])
        if problems:
            raise ValidationError(problems)

    def check_conflicts(self) -> None:
        # Lock the cluster row, then check the stage and the timeline again under the lock, so that
        # two writes at once cannot both pass and leave overlapping phases.
        Cluster.objects.select_for_update().filter(pk=self.cluster_id).first()
        refuse_duplicate(
            self,
            Phase.objects.filter(cluster_id=self.cluster_id, stage=self.stage),
            lambda existing: f"The cluster already has a “{existing}” phase (id {existing.pk}); edit that one.",
        )
        self.clean()


class PhaseRole(models.Model):
    """What one kind of team does in a phase (all school design teams share one role)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="roles")
    team_kind = models.CharField(max_length=20, choices=Team.Kind.choices)
    description = models.TextField(help_text="What these teams do in this phase.")

    objects = ScopedManager(cluster="phase__cluster")

    class Meta:
        ordering = ["phase", "team_kind"]
        constraints = [models.UniqueConstraint(fields=["phase", "team_kind"], name="one_role_per_team_kind")]

    def __str__(self) -> str:
        return f"{self.get_team_kind_display()}: {self.description[:60]}"


def cluster_phases() -> list[Phase]:
    """The open cluster's phases in time order, each with its team roles in the order of team kinds."""
    phases = list(Phase.objects.prefetch_related("roles").order_by("starts_on"))
    kinds = [kind for kind, _ in Team.Kind.choices]
    for phase in phases:
        phase.ordered_roles = sorted(phase.roles.all(), key=lambda role: kinds.index(role.team_kind))
    return phases


def current_phase(phases: list[Phase], day: datetime.date | None = None) -> Phase | None:
    return next((phase for phase in phases if phase.is_current(day)), None)


def cluster_schools() -> list[School]:
    """The open cluster's current schools, by their role in the cluster (innovation first), then name."""
    order = {role: i for i, (role, _) in enumerate(School.Role.choices)}
    return sorted(School.objects.filter(current_on()), key=lambda school: (order.get(school.role, 99), school.name))
