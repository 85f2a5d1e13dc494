"""Product pilots: an ed-tech product of a partner company tried in some of the cluster's schools.

A `Product` is what a company offers the cluster: its name and version, its price per student, and the
privacy (data-processing) agreement the company signed, kept in the partner registry
(`improvenet.partners.models.Agreement`, with the company among its parties).

A `Pilot` moves through its stages as a PDSA cycle does, each step refused (`GateRefused`, naming
what is missing) until its stage is written: identify the need, discover and select, plan (the
success statement and the dosage the company claims), train, implement (the company's usage,
uploaded whole or not at all, kept only as counts per school and week: `UsageWeek`), analyze (the
effect estimate with its standard error and source), decide (adopt, adapt or abandon, with the
reason). Each move is kept (`PilotMove`). The cost arithmetic is `pilots/costs.py`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, EndableRecord, Organization, School, StepRefused
from improvenet.partners.dates import Status
from improvenet.partners.models import Agreement
from improvenet.pilots import costs
from improvenet.pilots.usage import CheckedUsage

# The kinds of partner organization that make and sell products to schools.
MAKER_KINDS = (Organization.Kind.COMPANY, Organization.Kind.NONPROFIT)


class Product(EndableRecord):
    class PriceUnit(models.TextChoices):
        PER_YEAR = "per_year", "per student per school year"
        PER_MONTH = "per_month", "per student per month"
        ONE_TIME = "one_time", "per student, paid once"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="products")
    company = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products",
        help_text="The partner company (or nonprofit) that makes the product.",
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True, help_text="As the company names it, for example “4.2”.")
    description = models.TextField(blank=True, help_text="What the product does, in a few sentences.")
    price_per_student = models.DecimalField(
        "price per student", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))],
        help_text="What one student's use costs the district, in the currency and unit below.",
    )
    currency = models.CharField(
        max_length=3, default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Give the currency as its three-letter code, for example USD.")],
        help_text="Three-letter currency code, for example USD or EUR.",
    )
    price_unit = models.CharField("the price is", max_length=20, choices=PriceUnit.choices,
                                  default=PriceUnit.PER_YEAR)
    privacy_agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="products",
        verbose_name="privacy agreement",
        help_text="The privacy or data-processing agreement the company signed, from the agreement registry.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name", "version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "company", "name", "version"], name="one_product_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    @property
    def price_label(self) -> str:
        """The price in plain words, for example “12.50 USD per student per school year”."""
        return f"{self.price_per_student} {self.currency} {self.get_price_unit_display()}"

    def clean(self) -> None:
        errors = {}
        if self.company_id:
            if self.company.cluster_id != self.cluster_id:
                errors["company"] = "The company must be a partner organization of this cluster."
            elif self.company.kind not in MAKER_KINDS:
                errors["company"] = (
                    f"{self.company.name} is a {self.company.get_kind_display().lower()}; "
                    "a product's maker is a company or a nonprofit partner."
                )
        if self.privacy_agreement_id:
            agreement = self.privacy_agreement
            if agreement.cluster_id != self.cluster_id:
                errors["privacy_agreement"] = "The agreement must be one of this cluster's agreements."
            elif self.company_id and not agreement.parties.filter(pk=self.company_id).exists():
                errors["privacy_agreement"] = (
                    f"{self.company.name} is not a party to “{agreement.title}”: "
                    "choose an agreement the company signed."
                )
        if errors:
            raise ValidationError(errors)


class GateRefused(StepRefused):
    """A step of the pilot was refused: the message says what is missing, under the field it concerns."""


class Pilot(models.Model):
    class Stage(models.TextChoices):
        NEED = "need", "Identify the need"
        SELECT = "select", "Discover and select"
        PLAN = "plan", "Plan"
        TRAIN = "train", "Train"
        IMPLEMENT = "implement", "Implement"
        ANALYZE = "analyze", "Analyze"
        DECIDE = "decide", "Decide"
        DONE = "done", "Decided"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    # The fields each stage writes; once the pilot has moved on they stay as they were.
    STAGE_FIELDS = {
        Stage.NEED: ("need",),
        Stage.SELECT: ("alternatives", "selection_reason"),
        Stage.PLAN: ("success_statement", "claimed_minutes_per_week", "claimed_weeks", "students", "starts_on",
                     "ends_on", "other_costs"),
        Stage.TRAIN: ("training",),
        Stage.IMPLEMENT: (),
        Stage.ANALYZE: ("effect_size", "effect_standard_error", "effect_outcome", "effect_source"),
        Stage.DECIDE: ("decision_reason",),
    }

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="pilots")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="pilots")
    title = models.CharField(max_length=200, help_text="For example “Reading Coach in three elementary schools”.")
    schools = models.ManyToManyField(School, related_name="pilots", help_text="The schools that try the product.")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.NEED)

    need = models.TextField("the need", blank=True,
                            help_text="The problem of students or teachers the product should help with.")
    alternatives = models.TextField("alternatives considered", blank=True,
                                    help_text="Other products or ways of meeting the need that were looked at.")
    selection_reason = models.TextField("why this product", blank=True,
                                        help_text="Why this product was chosen over the alternatives.")
    success_statement = models.TextField(
        "success statement", blank=True,
        help_text="What would count as success, with a number, e.g. “Grade 3 readers gain 0.2 SD on the spring "
                  "benchmark”.",
    )
    claimed_minutes_per_week = models.DecimalField(
        "claimed dosage (minutes per student per week)", max_digits=6, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="The use the company says the product needs to work, in minutes per student per week.",
    )
    claimed_weeks = models.PositiveSmallIntegerField(
        "claimed dosage (weeks)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text="For how many weeks the company says students need that use.",
    )
    students = models.PositiveIntegerField("students in the pilot", null=True, blank=True,
                                           validators=[MinValueValidator(1)],
                                           help_text="How many students the pilot covers (for the cost per student).")
    starts_on = models.DateField("starts on", null=True, blank=True, help_text="When students start using it.")
    ends_on = models.DateField("ends on", null=True, blank=True, help_text="When the pilot's use ends.")
    other_costs = models.DecimalField(
        "other costs", max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Training, devices and staff time for the whole pilot, in the product's currency.",
    )
    training = models.TextField("training", blank=True,
                                help_text="Who was trained, by whom, when and for how long.")
    effect_size = models.FloatField(
        "effect size (SD)", null=True, blank=True, validators=[MinValueValidator(-5), MaxValueValidator(5)],
        help_text="The effect on the outcome in standard deviations (Hedges' g); positive means better.",
    )
    effect_standard_error = models.FloatField(
        "standard error (SD)", null=True, blank=True, validators=[MinValueValidator(0.0001), MaxValueValidator(5)],
        help_text="The standard error of the effect size, in standard deviations.",
    )
    effect_outcome = models.CharField("outcome", max_length=200, blank=True,
                                      help_text="What the effect was measured on, e.g. “spring reading benchmark”.")
    effect_source = models.TextField(
        "where the estimate comes from", blank=True,
        help_text="The analysis or report that gives it: who ran it, on which students, with which design.",
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("reason for the decision", blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.product_id and self.product.cluster_id != self.cluster_id:
            errors["product"] = "The product must be one of this cluster's products."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The pilot cannot end before it starts."
        if self.decision and not self.decision_reason.strip():
            errors["decision_reason"] = "Say why: the reason is kept with the decision."
        if errors:
            raise ValidationError(errors)

    # Reading ------------------------------------------------------------------------------------

    @property
    def company(self) -> Organization:
        return self.product.company

    def stage_of(self, name: str) -> str | None:
        return next((stage for stage, names in self.STAGE_FIELDS.items() if name in names), None)

    def stage_fields(self) -> tuple[str, ...]:
        return self.STAGE_FIELDS.get(self.stage, ())

    def check_changeable(self, fields) -> None:
        """Refuse changes to fields of a stage the pilot has left or not reached yet, as PDSA cycles do."""
        order = list(self.Stage.values)
        errors = {}
        for name in fields:
            stage = self.stage_of(name)
            if stage is None or stage == self.stage:
                continue
            label = self._meta.get_field(name).verbose_name
            if order.index(stage) < order.index(self.stage):
                errors[name] = (f"“{label}” belongs to {self.Stage(stage).label}, which this pilot has finished; it "
                                "stays as it was so that the record shows what was known at the time.")
            else:
                errors[name] = (f"“{label}” is written in {self.Stage(stage).label}; this pilot is at "
                                f"{self.get_stage_display()}.")
        if "schools" in fields and order.index(self.stage) >= order.index(self.Stage.IMPLEMENT):
            errors["schools"] = "The schools are fixed once students use the product: the usage is counted by school."
        if errors:
            raise ValidationError(errors)

    def months(self) -> int | None:
        """The calendar months the pilot's use touches (a started month counts), or None before it is planned."""
        if not (self.starts_on and self.ends_on):
            return None
        return (self.ends_on.year - self.starts_on.year) * 12 + self.ends_on.month - self.starts_on.month + 1

    def cost_per_student(self) -> costs.Money | None:
        """What one student of the pilot costs: the price over its months plus the other costs shared."""
        months = self.months()
        if months is None or not self.students:
            return None
        product = self.product
        return costs.cost_per_student(product.price_per_student, product.price_unit, months, product.currency,
                                      self.other_costs or Decimal("0"), self.students)

    def cost_per_tenth_sd(self) -> costs.Money | None:
        """The cost per student for each 0.1 SD of effect; None without a cost or a positive effect."""
        cost = self.cost_per_student()
        if cost is None or self.effect_size is None:
            return None
        return costs.cost_per_tenth_sd(cost, self.effect_size)

    @property
    def has_estimate(self) -> bool:
        return (self.effect_size is not None and self.effect_standard_error is not None
                and bool(self.effect_outcome.strip()) and bool(self.effect_source.strip()))

    def usage_totals(self) -> dict:
        """The usage uploaded so far: weeks reported, active student-weeks, minutes, minutes per active student."""
        totals = self.usage_weeks.aggregate(student_weeks=Sum("active_students"), minutes=Sum("minutes"))
        student_weeks, minutes = totals["student_weeks"] or 0, totals["minutes"] or 0.0
        return {"weeks": self.usage_weeks.values("week").distinct().count(), "student_weeks": student_weeks,
                "minutes": minutes, "minutes_per_student_week": minutes / student_weeks if student_weeks else None}

    def study_estimates(self) -> list[tuple]:
        """The finished studies of the pilot's product with their overall estimate, as (study, g, standard error),
        latest window first. Reached through the product's reverse relation: pilots do not import the studies app."""
        found = []
        for study in self.product.studies.filter(results__isnull=False).distinct().order_by("-ends_on", "title"):
            estimate = study.overall_estimate()
            if estimate is not None:
                found.append((study, *estimate))
        return found

    def take_study_estimate(self, study_id: int) -> None:
        """At the Analyze stage, make a finished study's overall estimate the pilot's effect, naming the study."""
        if self.stage != self.Stage.ANALYZE:
            raise GateRefused("effect_size", f"The effect is entered at the Analyze stage; this pilot is at "
                                             f"{self.get_stage_display()}.")
        chosen = next((found for found in self.study_estimates() if found[0].pk == study_id), None)
        if chosen is None:
            raise GateRefused("effect_size", f"No finished study of {self.product} with that number: choose one of "
                                             "the studies listed on the pilot's page.")
        study, g, standard_error = chosen
        url = reverse("studies:study", args=[study.cluster.slug, study.pk])
        self.effect_size, self.effect_standard_error = g, standard_error
        self.effect_outcome = study.primary_outcome_label[:200]
        self.effect_source = (f"The overall estimate of the study “{study.title}” (Hedges' g of its cluster-robust "
                              f"impact estimate, {study.get_design_display().lower()}): {url}")
        self.full_clean()
        self.save()

    def agreement_problem(self, on: datetime.date | None = None) -> str | None:
        """Why the product's privacy agreement does not yet allow students to use it, or None when it does."""
        agreement = self.product.privacy_agreement
        if agreement is None:
            return (f"{self.product} has no privacy agreement: record the one {self.company} signed in the "
                    "agreement registry and choose it on the product.")
        if agreement.signed_on is None:
            return f"The privacy agreement “{agreement.title}” is not signed yet."
        if agreement.status(on) not in (Status.ACTIVE, Status.EXPIRING):
            return f"The privacy agreement “{agreement.title}” is not in force ({agreement.status(on).label.lower()})."
        return None

    def missing(self) -> list[str]:
        """What the current stage still needs before the pilot moves on, in plain words."""
        missing = []
        if self.stage == self.Stage.NEED and not self.need.strip():
            missing.append("Write the need the product should meet.")
        elif self.stage == self.Stage.SELECT and not self.selection_reason.strip():
            missing.append("Say why this product was chosen.")
        elif self.stage == self.Stage.PLAN:
            for name in ("success_statement", "claimed_minutes_per_week", "claimed_weeks", "students", "starts_on",
                         "ends_on"):
                if getattr(self, name) in (None, ""):
                    missing.append(f"Give the {self._meta.get_field(name).verbose_name}.")
            if self.pk and not self.schools.exists():
                missing.append("Choose the schools that try the product.")
        elif self.stage == self.Stage.TRAIN:
            if not self.training.strip():
                missing.append("Write who was trained, by whom and when.")
            problem = self.agreement_problem()
            if problem:
                missing.append(problem)
        elif self.stage == self.Stage.IMPLEMENT and not self.usage_weeks.exists():
            missing.append("Upload the company's usage file.")
        elif self.stage == self.Stage.ANALYZE and not self.has_estimate:
            missing.append("Enter the effect estimate: its size and standard error, the outcome and its source.")
        elif self.stage == self.Stage.DECIDE:
            missing.append("Decide: adopt, adapt or abandon the product, with the reason.")
        return missing

    def next_step(self) -> dict:
        """The label of the step that moves the pilot on, and what it still needs ({"label", "missing"})."""
        order = list(self.Stage)
        if self.stage in (self.Stage.DECIDE, self.Stage.DONE):
            return {"label": "Decide" if self.stage == self.Stage.DECIDE else "", "missing": self.missing()}
        following = order[order.index(self.stage) + 1]
        return {"label": f"Move on to {following.label}", "missing": self.missing()}

    # The steps ----------------------------------------------------------------------------------

    def advance(self, user=None, on: datetime.date | None = None) -> "PilotMove":
        """Move the pilot to its next stage, or GateRefused naming what the current stage lacks."""
        if self.stage in (self.Stage.DECIDE, self.Stage.DONE):
            raise GateRefused("stage", "The pilot is at its decision: decide adopt, adapt or abandon with the reason."
                              if self.stage == self.Stage.DECIDE else "The pilot is decided; it moves no further.")
        missing = self.missing()
        if missing:
            field = self.stage_fields()[0] if self.stage_fields() else "stage"
            raise GateRefused(field, f"Before the pilot moves on: {' '.join(missing)}")
        order = list(self.Stage)
        with transaction.atomic():
            self.stage = order[order.index(self.stage) + 1]
            self.save()
            return self._moved(user, on)

    def decide(self, decision: str, reason: str, user=None, on: datetime.date | None = None) -> "PilotMove":
        if self.stage != self.Stage.DECIDE:
            raise GateRefused("decision", f"A pilot is decided at its Decide stage; this one is at "
                                          f"{self.get_stage_display()}.")
        if decision not in self.Decision.values:
            raise GateRefused("decision", "Choose a decision: adopt, adapt or abandon.")
        if not (reason or "").strip():
            raise GateRefused("decision_reason", "Say why: the reason is kept with the decision.")
        with transaction.atomic():
            self.decision, self.decision_reason = decision, reason.strip()
            self.decided_on = on or timezone.localdate()
            self.stage = self.Stage.DONE
            self.full_clean()
            self.save()
            return self._moved(user, self.decided_on)

    def _moved(self, user, on: datetime.date | None) -> "PilotMove":
        return PilotMove.objects.create(pilot=self, stage=self.stage, moved_on=on or timezone.localdate(),
                                        moved_by=user)

    def usage_window(self, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        """The Mondays a usage file may report: from the pilot's start to its end (or today, if earlier)."""
        today = today or timezone.localdate()
        start = self.starts_on or today
        end = min(self.ends_on or today, today)
        return start - datetime.timedelta(days=start.weekday()), end - datetime.timedelta(days=end.weekday())

    def record_usage(self, checked: CheckedUsage, filename: str, user=None) -> "UsageUpload":
        """Save a checked usage file: all of it, replacing the weeks of schools it reports again, or nothing."""
        if self.stage != self.Stage.IMPLEMENT:
            raise GateRefused("file", f"Usage is uploaded while the pilot is at Implement; this one is at "
                                      f"{self.get_stage_display()}.")
        if not checked.ok:
            raise GateRefused("file", "The file has problems: nothing was saved.")
        with transaction.atomic():
            upload = UsageUpload.objects.create(pilot=self, filename=filename[:200], per_student=checked.per_student,
                                                rows_read=checked.rows_read, weeks=len(checked.weeks),
                                                uploaded_by=user)
            for week in checked.weeks:
                UsageWeek.objects.update_or_create(
                    pilot=self, school_id=week.school_id, week=week.week,
                    defaults={"upload": upload, "active_students": week.active_students, "minutes": week.minutes},
                )
        return upload


class PilotMove(models.Model):
    """One move of a pilot to a stage: when, and who moved it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="moves")
    stage = models.CharField(max_length=10, choices=Pilot.Stage.choices)
    moved_on = models.DateField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(cluster="pilot__cluster")

    class Meta:
        ordering = ["pilot_id", "moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.pilot} moved to {self.get_stage_display()} on {self.moved_on:%Y-%m-%d}"


class UsageUpload(models.Model):
    """One usage file the pilot received: its name, its shape, and how many rows and weeks it gave."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=200)
    per_student = models.BooleanField(help_text="One row per student and week, added up on upload.")
    rows_read = models.PositiveIntegerField()
    weeks = models.PositiveIntegerField(help_text="School-weeks saved.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(cluster="pilot__cluster")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class UsageWeek(models.Model):
    """A school's use of the product in one week: how many students used it and their minutes. Never a student."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="usage_weeks")
    upload = models.ForeignKey(UsageUpload, on_delete=models.CASCADE, related_name="usage_weeks")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    week = models.DateField(help_text="The Monday the week starts on.")
    active_students = models.PositiveIntegerField(help_text="Students who used the product that week.")
    minutes = models.FloatField(validators=[MinValueValidator(0)], help_text="Their minutes of use, added up.")

    objects = ScopedManager(cluster="pilot__cluster")

    class Meta:
        ordering = ["week", "school__name"]
        constraints = [models.UniqueConstraint(fields=["pilot", "school", "week"], name="one_usage_per_school_week")]

    def __str__(self) -> str:
        return f"{self.school} week of {self.week:%Y-%m-%d}"
