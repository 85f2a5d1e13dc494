"""Study records: what a study tests, how, on which outcome, under which data use agreement; its
pre-registration, which locks the design so that later edits are kept and shown; and its allocations, stored
append-only (the model refuses changes and a database trigger refuses them from any other code).

Student-level rows never come here: an allocation of schools or clusters lists its units, one of students keeps
only its counts per block and arm, its balance and the SHA-256 digest of its roster, a file beside the analytics
store (studies/rosters.py); the analytic sample is read from the store under the study's agreement.
"""

from __future__ import annotations

import datetime
import math
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.analytics import outcomes
from improvenet.data.models import AppendOnlyError, AuditEvent, DataUseAgreement
from improvenet.design.models import ChangeIdea, Innovation
from improvenet.governance.models import AgendaPriority
from improvenet.measures.models import Measure
from improvenet.network.models import Cluster
from improvenet.pilots.models import Product
from improvenet.sharing.models import NetworkPublication
from improvenet.studies import power
from improvenet.studies.attrition import Arm, Attrition
from improvenet.studies.impact import Impact
from improvenet.studies.statement import Findings

MAX_SECONDARY_OUTCOMES = 2
# An effect of several standard deviations is not a smallest effect that matters but a typing error.
LARGEST_SMALLEST_EFFECT = 2.0
# A measure of the cluster is named "measure:<id>" among outcomes; a student outcome of the store by its key
# (improvenet.analytics.outcomes: absence-rate, gpa, chronic-absenteeism, on-track, assessment/<name>/<subject>).
MEASURE_PREFIX = "measure:"


class StudyError(ValidationError):
    """A step on a study refused for one reason, naming the field concerned."""


def outcome_label(key: str) -> str:
    """The plain name of an outcome key, for pages: the store outcome's label or the measure's name."""
    if key.startswith(MEASURE_PREFIX):
        measure = Measure.objects.filter(pk=_measure_id(key)).first()
        return f"{measure.name} (a measure)" if measure else key
    if not outcomes.is_outcome(key):
        return key
    chosen = outcomes.outcome(key)
    return f"{chosen.label} ({chosen.unit})"


def _measure_id(key: str) -> int | None:
    number = key.removeprefix(MEASURE_PREFIX)
    return int(number) if number.isdigit() else None


class Study(models.Model):
    class Design(models.TextChoices):
        RANDOMIZED = "randomized", "Randomized trial"
        MATCHED = "matched", "Matched comparison"
        DIFFERENCE_IN_DIFFERENCES = "did", "Difference-in-differences"

    class Level(models.TextChoices):
        STUDENT = "student", "Students"
        CLASSROOM = "classroom", "Classrooms"
        SCHOOL = "school", "Schools"
        CLUSTER = "cluster", "Clusters"

    class BlockLevel(models.TextChoices):
        NONE = "", "Not blocked"
        SCHOOL = "school", "Within schools"
        PYRAMID = "pyramid", "Within feeder pyramids"
        CLUSTER = "cluster", "Within clusters"

    # The fields pre-registration locks: after it, a change is a revision with a reason.
    LOCKED_FIELDS = (
        "agenda_priority", "change_idea", "innovation", "product", "design", "assignment_level", "block_level",
        "primary_outcome", "secondary_outcomes", "smallest_effect", "starts_on", "ends_on", "agreement",
        "power_design", "power_parameters",
    )
    SUBJECT_FIELDS = ("agenda_priority", "change_idea", "innovation", "product")

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="studies")
    shared_with = models.ManyToManyField(
        Cluster, blank=True, related_name="shared_studies",
        help_text="Other clusters of the network that take part in the study and read it.",
    )
    title = models.CharField(max_length=200)
    question = models.TextField(blank=True, help_text="The question the study answers, in plain words.")
    agenda_priority = models.ForeignKey(AgendaPriority, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="studies", verbose_name="research-agenda priority")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="studies")
    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="studies")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="studies")
    design = models.CharField(max_length=20, choices=Design.choices, default=Design.RANDOMIZED)
    assignment_level = models.CharField(
        "unit of assignment", max_length=20, choices=Level.choices, default=Level.SCHOOL,
        help_text="Who is assigned to the change (or compared): students, classrooms, schools or clusters.",
    )
    block_level = models.CharField(
        "blocks", max_length=20, choices=BlockLevel.choices, blank=True, default=BlockLevel.NONE,
        help_text="Assign within groups of similar units, so that each group has treated and control units.",
    )
    primary_outcome = models.CharField(
        max_length=120, help_text="A student outcome of the analytics store, or a measure of the cluster.",
    )
    secondary_outcomes = models.JSONField(default=list, blank=True,
                                          help_text="At most two further outcomes.")
    smallest_effect = models.FloatField(
        "smallest effect that matters", help_text="In standard deviations of the outcome, e.g. 0.20.",
    )
    starts_on = models.DateField("window starts")
    ends_on = models.DateField("window ends")
    agreement = models.ForeignKey(
        DataUseAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="studies",
        verbose_name="data use agreement", help_text="The agreement under which the study reads student data.",
    )
    power_design = models.CharField(
        "power design", max_length=10, choices=[(code, code) for code in power.DESIGNS], blank=True,
        help_text="The PowerUp! design the power calculation uses.",
    )
    power_parameters = models.JSONField(
        default=dict, blank=True, help_text="The PowerUp! parameters: n, J, K, ρ, R², P, α, power.",
    )
    registered_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name_plural = "studies"

    # Set by whoever changes a registered study: the reason its revision records.
    revision_reason = ""
    revised_by = None

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        changes = self.locked_changes() if self.is_registered else {}
        if changes and not self.revision_reason.strip():
            raise StudyError({"revision_reason": "A pre-registered study's design changes only with a reason."})
        with transaction.atomic():
            super().save(*args, **kwargs)
            if changes:
                StudyRevision.objects.create(
                    study=self, edited_by=self.revised_by, reason=self.revision_reason.strip(),
                    changes={name: list(pair) for name, pair in changes.items()},
                )
        self.revision_reason = ""

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None

    @property
    def subject(self) -> models.Model | None:
        return next((getattr(self, name) for name in self.SUBJECT_FIELDS if getattr(self, name + "_id")), None)

    @property
    def outcomes(self) -> list[str]:
        return [self.primary_outcome, *self.secondary_outcomes]

    @property
    def is_finished(self) -> bool:
        return self.results.exists()

    def current_allocation(self) -> Allocation | None:
        return self.allocations.order_by("-number").first()

    def overall_estimate(self) -> tuple[float, float] | None:
        """The latest result's overall effect (the CR2 estimate): Hedges' g and its standard error, both in
        standard deviations of the outcome; None before a result (or for an estimate of exactly 0 in the outcome's
        units, whose standard error cannot be put on the scale of g)."""
        result = self.results.first()
        if result is None or not result.g_per_outcome_unit:
            return None
        return result.impact.hedges_g, result.impact.se * abs(result.g_per_outcome_unit)

    @property
    def design_summary(self) -> str:
        """The design in plain words: "Randomized trial: schools assigned, within feeder pyramids"."""
        if self.design != self.Design.RANDOMIZED:
            return self.get_design_display()
        blocks = f", {self.get_block_level_display().lower()}" if self.block_level else ""
        return f"{self.get_design_display()}: {self.get_assignment_level_display().lower()} assigned{blocks}"

    @property
    def primary_outcome_label(self) -> str:
        return outcome_label(self.primary_outcome)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        subjects = [name for name in self.SUBJECT_FIELDS if getattr(self, name + "_id")]
        if len(subjects) != 1:
            errors["change_idea" if not subjects else subjects[1]] = (
                "Choose exactly one thing the study is about: a research-agenda priority, a change idea, an "
                "innovation or a product."
            )
        for name in subjects:
            record = getattr(self, name)
            if record.cluster_id != self.cluster_id:
                errors[name] = "Choose one of this cluster's records."
        if self.design == self.Design.RANDOMIZED:
            if self.block_level and self.block_level == self.assignment_level:
                errors["block_level"] = "Blocks must be larger than the unit assigned (schools within pyramids)."
        elif self.block_level:
            errors["block_level"] = "Blocks belong to randomized designs; leave them empty."
        self._clean_outcomes(errors)
        if self.smallest_effect is not None and not (
            math.isfinite(self.smallest_effect) and 0 < self.smallest_effect <= LARGEST_SMALLEST_EFFECT
        ):
            errors["smallest_effect"] = (
                f"Give the smallest effect that matters in standard deviations, above 0 and at most "
                f"{LARGEST_SMALLEST_EFFECT:g} (0.20 is common)."
            )
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The window must end after it starts."
        if self.agreement_id and self.agreement.cluster_id != self.cluster_id:
            errors["agreement"] = "Choose one of this cluster's data use agreements."
        if self.power_design or self.power_parameters:
            problem = self.power_problem()
            if problem:
                errors["power_parameters"] = problem
        if self.is_registered and not errors and self.locked_changes() and not self.revision_reason.strip():
            errors["revision_reason"] = (
                "This study is pre-registered: say why its registered design changes; the change is kept and "
                "shown."
            )
        if errors:
            raise ValidationError(errors)

    def _clean_outcomes(self, errors: dict[str, str]) -> None:
        if not isinstance(self.secondary_outcomes, list) or not all(
            isinstance(key, str) for key in self.secondary_outcomes
        ):
            errors["secondary_outcomes"] = "List the secondary outcomes by name."
            return
        if len(self.secondary_outcomes) > MAX_SECONDARY_OUTCOMES:
            errors["secondary_outcomes"] = (
                f"At most {MAX_SECONDARY_OUTCOMES} secondary outcomes: choose the ones that matter most."
            )
        elif self.primary_outcome in self.secondary_outcomes or len(set(self.secondary_outcomes)) < len(
            self.secondary_outcomes
        ):
            errors["secondary_outcomes"] = "Name each outcome once; the primary outcome is not also secondary."
        named = (("primary_outcome", [self.primary_outcome]), ("secondary_outcomes", self.secondary_outcomes))
        for field, keys in named:
            unknown = [key for key in keys if not self._outcome_is_known(key)]
            if unknown and field not in errors:
                errors[field] = (
                    f"No outcome “{unknown[0]}”: choose a student outcome of the store ({', '.join(outcomes.FIXED)} "
                    "or assessment/<assessment>/<subject>) or one of this cluster's measures."
                )

    def _outcome_is_known(self, key: str) -> bool:
        if key.startswith(MEASURE_PREFIX):
            number = _measure_id(key)
            return number is not None and Measure.objects.filter(pk=number, cluster_id=self.cluster_id).exists()
        return outcomes.is_outcome(key)

    def power_design_record(self) -> power.Design:
        """The power calculation's input, from the stored design and parameters."""
        known = {name: value for name, value in self.power_parameters.items() if name in power.PARAMETERS}
        return power.Design(design=self.power_design, **known)

    def power_problem(self) -> str:
        """What is wrong with the power parameters, or "" when the MDES can be computed from them."""
        if not isinstance(self.power_parameters, dict):
            return "Give the power parameters as names and numbers."
        unknown = sorted(set(self.power_parameters) - set(power.PARAMETERS) - {"design"})
        if unknown:
            return f"No power parameter “{unknown[0]}”: use {', '.join(power.PARAMETERS[1:])}."
        if not self.power_design:
            return "Choose the power design (ira1r1, cra2r2, cra3r3, bcra3r2 or bcra3f2)."
        try:
            power.mdes(self.power_design_record())
        except (power.PowerError, TypeError, ValueError) as error:
            return str(error)
        return ""

    def stored_values(self) -> dict[str, object]:
        """The locked fields as they are in the database."""
        if self.pk is None:
            return {}
        row = type(self).objects.filter(pk=self.pk).values(*[_column(name) for name in self.LOCKED_FIELDS]).first()
        return {name: row[_column(name)] for name in self.LOCKED_FIELDS} if row else {}

    def locked_changes(self) -> dict[str, tuple[object, object]]:
        """The locked fields this save changes: {field: (before, after)}, as stored (ids, ISO days)."""
        before = self.stored_values()
        changes = {}
        for name in self.LOCKED_FIELDS:
            after = getattr(self, _column(name))
            if name in before and _comparable(before[name]) != _comparable(after):
                changes[name] = (_comparable(before[name]), _comparable(after))
        return changes

    def register(self, user) -> None:
        """Pre-register: lock the design, the outcomes, the smallest effect, the window and the agreement."""
        if self.is_registered:
            raise StudyError({"registered_at": f"This study was registered on {self.registered_at:%B %-d, %Y}."})
        missing = [label for field, label in (("agreement_id", "the data use agreement"),
                                             ("power_design", "the power design")) if not getattr(self, field)]
        if missing:
            raise StudyError({"registered_at": f"Before registering, give {' and '.join(missing)}."})
        self.full_clean()
        self.registered_at = timezone.now()
        self.registered_by = user
        self.save(update_fields=["registered_at", "registered_by", "updated_at"])


def _column(name: str) -> str:
    return name + "_id" if name in ("agenda_priority", "change_idea", "innovation", "product", "agreement") else name


def _comparable(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class StudyRevision(models.Model):
    """A change to a registered study's locked fields: kept and shown, with who, when, before, after and why."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="revisions")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    changes = models.JSONField(help_text="{field: [before, after]} for each locked field changed.")

    objects = ScopedManager(cluster="study__cluster")

    class Meta:
        ordering = ["study_id", "edited_at", "id"]

    def __str__(self) -> str:
        return f"Revision of {self.study} on {self.edited_at:%Y-%m-%d}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """Each change as (the field's label, before, after), for the page."""
        return [(str(Study._meta.get_field(name).verbose_name).capitalize(), before, after)
                for name, (before, after) in self.changes.items()]

    @property
    def editor_name(self) -> str:
        if self.edited_by is None:
            return "a team member"
        return self.edited_by.get_full_name() or self.edited_by.get_username()


class AllocationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Allocations are append-only: a saved allocation is never changed.")

    def delete(self):
        raise AppendOnlyError("Allocations are append-only: a saved allocation is never deleted.")


class Allocation(models.Model):
    """One saved random assignment of a study's units: append-only, audited; a later one needs a reason."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="allocations")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_by_name = models.CharField(max_length=150, help_text="Kept as written, even if the account changes.")
    seed = models.BigIntegerField(
        help_text="The accepted seed: re-running the procedure with it gives this allocation.",
    )
    draws = models.PositiveIntegerField(help_text="Draws made until one met the balance rule (1 without a rule).")
    distance = models.FloatField(null=True, blank=True, help_text="The accepted draw's Mahalanobis distance.")
    proportion = models.FloatField(help_text="The share of units assigned to the change.")
    balance_rule = models.JSONField(
        default=dict, blank=True,
        help_text="The rule declared beforehand: covariates, and an acceptance probability or a threshold.",
    )
    units = models.JSONField(help_text="Each unit: its id, name, block, baseline values and whether treated.")
    reason = models.TextField(blank=True, help_text="Why a new allocation replaces the previous one.")
    level = models.CharField(max_length=20, choices=Study.Level.choices, default=Study.Level.SCHOOL,
                             help_text="What was assigned: schools, clusters or students.")
    # A student allocation: its students stay in the roster file; the web database keeps what the page shows.
    counts = models.JSONField(default=list, blank=True,
                              help_text="Students per block and arm: [{block, treated, control}].")
    equivalence = models.JSONField(default=list, blank=True,
                                   help_text="The arms' baseline equivalence at allocation: [{covariate, g, verdict}].")
    selection = models.JSONField(default=dict, blank=True,
                                 help_text="Whose students: school_year, grades, schools (ids), baseline outcome.")
    roster_file = models.CharField(max_length=200, blank=True,
                                   help_text="The roster's file name in the store's allocations folder.")
    roster_sha256 = models.CharField("roster's SHA-256", max_length=64, blank=True,
                                     help_text="The roster file's digest: a changed file is refused.")

    objects = ScopedManager(cluster="study__cluster", _manager_class=models.Manager.from_queryset(AllocationQuerySet))

    class Meta:
        ordering = ["study_id", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="one_allocation_number_per_study")]

    def __str__(self) -> str:
        return f"Allocation {self.number} of {self.study}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Allocations are append-only: a saved allocation is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Allocations are append-only: a saved allocation is never deleted.")

    @property
    def treated_count(self) -> int:
        """Units treated: schools or clusters, students, or class sections."""
        if self.level == Study.Level.STUDENT:
            return sum(block["treated"] for block in self.counts)
        if self.level == Study.Level.CLASSROOM:
            return sum(block["sections_treated"] for block in self.counts)
        return sum(1 for unit in self.units if unit["treated"])

    @property
    def unit_count(self) -> int:
        if self.level == Study.Level.STUDENT:
            return sum(block["treated"] + block["control"] for block in self.counts)
        if self.level == Study.Level.CLASSROOM:
            return sum(block["sections_treated"] + block["sections_control"] for block in self.counts)
        return len(self.units)

    @property
    def has_roster(self) -> bool:
        """Whether its students are kept in a roster file (students or classrooms assigned)."""
        return self.level in (Study.Level.STUDENT, Study.Level.CLASSROOM)

    @classmethod
    def record(cls, study: Study, drawn, units: list[dict], proportion: float, balance_rule: dict, user,
               channel: str, reason: str = "", *, level: str = Study.Level.SCHOOL, students=None) -> Allocation:
        """Save `drawn` (a randomization.Allocation of `units`) as the study's next allocation, and audit it.

        A student allocation gives no `units` but `students`: its counts, equivalence and selection, and
        `write(number)`, which writes its roster once for the allocation's number and gives the file's name and
        SHA-256 digest (studies.services.save_student_allocation).

        Refused before registration (the assignment must follow the registered design), for designs that are
        not randomized, and, once an allocation is saved, without a reason for the new one."""
        if not study.is_registered:
            raise StudyError({"allocation": "Register the study first: the allocation follows the registered design."})
        if study.design != Study.Design.RANDOMIZED:
            raise StudyError({"allocation": "Only a randomized trial has a random allocation."})
        with transaction.atomic():
            previous = study.allocations.select_for_update().order_by("-number").first()
            if previous is not None and not reason.strip():
                raise StudyError({"reason": (
                    f"Allocation {previous.number} was saved on {previous.created_at:%B %-d, %Y}: running it again "
                    "is refused. A new allocation needs a recorded reason."
                )})
            assigned = drawn.as_dict()
            rows = [{**unit, "treated": assigned[unit["unit"]]} for unit in units]
            number = previous.number + 1 if previous else 1
            kept = {}
            if students is not None:
                roster_file, roster_sha256 = students.write(number)
                kept = {"counts": students.counts, "equivalence": students.equivalence,
                        "selection": students.selection, "roster_file": roster_file, "roster_sha256": roster_sha256}
            allocation = cls.objects.create(
                study=study, number=number, created_by=user,
                created_by_name=user.get_username() if user else "", seed=drawn.seed, draws=drawn.draws,
                distance=drawn.distance, proportion=proportion, balance_rule=balance_rule, units=rows,
                reason=reason.strip(), level=level, **kept,
            )
            AuditEvent.objects.create(
                cluster=study.cluster, user=user, username=allocation.created_by_name, channel=channel,
                action=f"study allocation saved: {study.title}",
                detail={"study": study.pk, "allocation": allocation.number, "seed": drawn.seed, "level": level,
                        "units": allocation.unit_count, "treated": allocation.treated_count,
                        "reason": allocation.reason, **({"roster_sha256": allocation.roster_sha256}
                                                        if allocation.roster_sha256 else {})},
                agreement=study.agreement,
            )
        return allocation


class StudyResult(models.Model):
    """The impact figures of a finished study: aggregates only (estimates, per-site effects, attrition)."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(max_length=120)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    figures = models.JSONField(help_text="CR2 and mixed estimates, randomization p-value, attrition and its judgement.")
    sites = models.JSONField(default=list, help_text="Per site: its name, Hedges' g and its variance, counts.")

    objects = ScopedManager(cluster="study__cluster")

    class Meta:
        ordering = ["study_id", "-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Results of {self.study} ({self.outcome})"

    # The figures are read through the typed properties below, never by key: the JSON is what
    # studies.analysis.analyse stores.
    @cached_property
    def impact(self) -> Impact:
        """The study's impact: the cluster-robust (CR2) estimate."""
        return _stored_impact(self.figures["cr2"])

    @cached_property
    def mixed_impact(self) -> Impact:
        """The same impact by the mixed model (random school intercepts), shown beside it."""
        return _stored_impact(self.figures["mixed"])

    @cached_property
    def school_attrition(self) -> Attrition | None:
        """The assigned schools' attrition; None when students were assigned (each student is a unit)."""
        counts = self.figures.get("schools")
        return _stored_attrition(counts) if counts else None

    @cached_property
    def student_attrition(self) -> Attrition:
        return _stored_attrition(self.figures["students"])

    @cached_property
    def findings(self) -> Findings:
        """What the evidence statement is made from (studies.statement): the findings kept when the impact was
        estimated, with the impact and the attrition."""
        return Findings(**self.figures["statement"], impact=self.impact, students=self.student_attrition,
                        clusters=self.school_attrition)

    @property
    def g_per_outcome_unit(self) -> float:
        """Hedges' g over the CR2 estimate in the outcome's units (ω / S): turns the estimate's standard error and
        interval into standard deviations; 0 when the estimate is exactly 0."""
        return self.impact.hedges_g / self.impact.estimate if self.impact.estimate else 0.0


# The figures of an estimate that a result keeps (studies.analysis stores Impact.summary(), the method and the
# improvement index).
STORED_IMPACT_FIGURES = ("method", "estimate", "se", "df", "ci_low", "ci_high", "p_value", "hedges_g",
                         "improvement_index", "n_analyzed", "clusters")


def _stored_impact(figures: dict) -> Impact:
    return Impact(**{name: figures[name] for name in STORED_IMPACT_FIGURES})


def _stored_attrition(counts: dict) -> Attrition:
    """Attrition stored as {"unit", "treated": [randomized, analyzed], "control": [randomized, analyzed]}."""
    return Attrition(Arm(*counts["treated"]), Arm(*counts["control"]), counts["unit"])


class StudyPublication(NetworkPublication):
    """A finished study published to its network's library: what the network reads is frozen in `snapshot` when it
    is published (the evidence statement, the headline numbers and the estimates by site; aggregates only).
    Withdrawing or re-publishing after a new analysis ends it (`ended_on`, `withdrawn_by`); it is never deleted.

    Like sharing.Publication it has two managers: `objects` under the study's cluster scope, and `in_network`
    under the network's (`scope(network=...)`), through which the library reads across clusters."""

    REASON_NEEDED = "Say why the study is withdrawn from the library; its readers see it."

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="publications")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="study_publications")
    result = models.ForeignKey(StudyResult, on_delete=models.PROTECT, related_name="publications",
                               help_text="The result whose figures were frozen.")
    title = models.CharField(max_length=200, help_text="The study's title when it was published.")
    design = models.CharField(max_length=200, help_text="The design in plain words when it was published.")
    outcome = models.CharField(max_length=200, help_text="The primary outcome's name and unit.")
    tier = models.TextField(help_text="The statement's verdict on the highest ESSA tier whose criteria are met.")
    snapshot = models.JSONField(help_text="What the network reads: the fields listed in docs/studies.md.")

    objects = ScopedManager(cluster="cluster")
    in_network = ScopedManager(network="cluster__network")

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_publication_per_study"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def computed_on(self) -> datetime.date:
        """The day the published result was computed."""
        return datetime.date.fromisoformat(self.snapshot["computed_on"])

