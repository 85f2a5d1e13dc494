"""Teacher induction in cluster schools: cohorts, mentors, plans, logs, placements and retention.

New teachers of the district are recorded as they are hired (a district staff reference, no name);
those placed in a cluster school with an induction are named people of the cluster (network.Person).
The others are the comparison group of the outcomes (improvenet.analytics.induction). Every record
carries its cluster, so the scoped managers keep clusters apart and forms and the API only offer the
cluster's own records.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, EndableRecord, Person, School, refuse_duplicate


def _same_cluster(record, errors: dict, *fields: str) -> None:
    for name in fields:
        related = getattr(record, name, None) if getattr(record, f"{name}_id", None) else None
        if related is not None and related.cluster_id != record.cluster_id:
            errors[name] = f"“{related}” belongs to another cluster."


def _day(value: datetime.date) -> str:
    return f"{value:%B %-d, %Y}"


class Cohort(models.Model):
    """The new teachers who start their two-year induction together."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="induction_cohorts")
    name = models.CharField(max_length=100, help_text="For example “2024 cohort”.")
    starts_on = models.DateField("starts on", help_text="The first day of the induction.")
    length_years = models.PositiveSmallIntegerField("length (years)", default=2)
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [models.UniqueConstraint(fields=["cluster", "name"], name="one_induction_cohort_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.length_years is not None and not 1 <= self.length_years <= 3:
            raise ValidationError({"length_years": "An induction lasts 1 to 3 years (usually 2)."})

    def check_conflicts(self) -> None:
        refuse_duplicate(self, Cohort.objects.filter(cluster_id=self.cluster_id, name=self.name),
                         lambda existing: f"The cluster already has a cohort named “{existing.name}”.")

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on.replace(year=self.starts_on.year + self.length_years)


class Milestone(models.Model):
    """A step of a cohort's induction plan, due in a month of year 1 or year 2."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200, help_text="For example “First observation cycle with the mentor”.")
    year = models.PositiveSmallIntegerField(help_text="The induction year it belongs to: 1 or 2.")
    due_month = models.PositiveSmallIntegerField(
        "due month", help_text="The month of that induction year it is due in: 1 (the first month) to 12.")
    description = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["cohort", "year", "due_month", "title"]

    def __str__(self) -> str:
        return f"{self.title} (year {self.year}, month {self.due_month})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "cohort")
        if self.year is not None and self.cohort_id and not 1 <= self.year <= self.cohort.length_years:
            errors["year"] = f"The cohort's induction lasts {self.cohort.length_years} years: choose 1 to " \
                             f"{self.cohort.length_years}."
        if self.due_month is not None and not 1 <= self.due_month <= 12:
            errors["due_month"] = "The due month is 1 to 12, counted from the start of the induction year."
        if errors:
            raise ValidationError(errors)

    @property
    def due_on(self) -> datetime.date:
        """The first day of the month it is due in."""
        months = (self.year - 1) * 12 + self.due_month - 1 + self.cohort.starts_on.month - 1
        return datetime.date(self.cohort.starts_on.year + months // 12, months % 12 + 1, 1)


class NewTeacher(models.Model):
    """A teacher newly hired by the district: inducted in a cluster school, or one of the comparison group."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="new_teachers")
    staff_ref = models.CharField("district staff reference", max_length=60,
                                 help_text="The district's staff id, so records can be matched; no name needed.")
    hired_on = models.DateField("hired on")
    first_school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     help_text="Their first school, when it is a school of the cluster.")
    other_school = models.CharField("other district school", max_length=200, blank=True,
                                    help_text="Their first school's name, when it is not a school of the cluster.")
    left_on = models.DateField("left the district on", null=True, blank=True,
                               help_text="Empty while they work in the district.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["hired_on", "staff_ref"]
        constraints = [models.UniqueConstraint(fields=["cluster", "staff_ref"], name="one_new_teacher_per_ref")]

    def __str__(self) -> str:
        return f"New teacher {self.staff_ref} (hired {_day(self.hired_on)})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "first_school")
        if bool(self.first_school_id) == bool(self.other_school.strip()):
            errors["other_school"] = "Give either a cluster school or the name of another district school, not both."
        if self.left_on and self.hired_on and self.left_on < self.hired_on:
            errors["left_on"] = f"They cannot leave before they were hired ({_day(self.hired_on)})."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(self, NewTeacher.objects.filter(cluster_id=self.cluster_id, staff_ref=self.staff_ref),
                         lambda existing: f"The district staff reference {existing.staff_ref} is already recorded "
                                          f"(hired {_day(existing.hired_on)}).")

    @property
    def school_name(self) -> str:
        return self.first_school.name if self.first_school_id else self.other_school


class Mentor(EndableRecord):
    """A master teacher in a premium mentor role at a cluster school; ended when the role ends."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="induction_mentors")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentor_roles")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    role_title = models.CharField("role title", max_length=200, help_text="For example “Master teacher, mathematics”.")
    started_on = models.DateField("started on")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["person__family_name", "started_on"]

    def __str__(self) -> str:
        return f"{self.person} ({self.role_title})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "person", "school")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = f"The role cannot end before it started ({_day(self.started_on)})."
        if errors:
            raise ValidationError(errors)


class Induction(models.Model):
    """A new teacher's two-year induction in a cluster school, with a mentor."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="inductions")
    new_teacher = models.OneToOneField(NewTeacher, on_delete=models.PROTECT, related_name="induction")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="inductions",
                               help_text="The new teacher as a person of the cluster (their name).")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="inductions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, null=True, blank=True, related_name="mentees")
    started_on = models.DateField("started on")
    completed_on = models.DateField("completed on", null=True, blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["cohort__starts_on", "person__family_name", "person__given_name"]

    def __str__(self) -> str:
        return f"Induction of {self.person}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "new_teacher", "person", "cohort", "school", "mentor")
        if errors:
            raise ValidationError(errors)
        teacher = self.new_teacher if self.new_teacher_id else None
        if teacher and self.school_id and teacher.first_school_id != self.school_id:
            errors["school"] = f"Inductions take place in the teacher's first school, “{teacher.school_name}”."
        if teacher and self.started_on and self.started_on < teacher.hired_on:
            errors["started_on"] = f"The induction cannot start before the hire date ({_day(teacher.hired_on)})."
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            errors["completed_on"] = "The induction cannot be completed before it started."
        if errors:
            raise ValidationError(errors)


class Progress(models.Model):
    """An inducted teacher's completion of a milestone of their cohort's plan."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    induction = models.ForeignKey(Induction, on_delete=models.PROTECT, related_name="progress")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="progress")
    completed_on = models.DateField("completed on")
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["milestone__year", "milestone__due_month"]
        verbose_name_plural = "progress"
        constraints = [models.UniqueConstraint(fields=["induction", "milestone"], name="one_progress_per_milestone")]

    def __str__(self) -> str:
        return f"{self.milestone.title} done on {_day(self.completed_on)}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "induction", "milestone")
        if not errors and self.induction_id and self.milestone_id \
                and self.milestone.cohort_id != self.induction.cohort_id:
            errors["milestone"] = f"This milestone belongs to the plan of “{self.milestone.cohort}”, not the " \
                                  f"teacher's cohort “{self.induction.cohort}”."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(self, Progress.objects.filter(induction_id=self.induction_id, milestone_id=self.milestone_id),
                         lambda existing: f"This milestone is already recorded as done on "
                                          f"{_day(existing.completed_on)}.")


class Log(models.Model):
    """A mentoring conversation or a classroom observation, recorded by the mentor."""

    class Kind(models.TextChoices):
        MENTORING = "mentoring", "Mentoring conversation"
        OBSERVATION = "observation", "Classroom observation"
        CO_TEACHING = "co_teaching", "Co-teaching"
        DEBRIEF = "debrief", "Observation debrief"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    induction = models.ForeignKey(Induction, on_delete=models.PROTECT, related_name="logs")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="logs")
    held_on = models.DateField("date")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    minutes = models.PositiveSmallIntegerField(help_text="How long it lasted, in minutes.")
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {_day(self.held_on)}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "induction", "mentor")
        if self.minutes is not None and not 1 <= self.minutes <= 600:
            errors["minutes"] = "Give the length in minutes, 1 to 600."
        if not errors and self.induction_id and self.held_on and self.held_on < self.induction.started_on:
            errors["held_on"] = f"The induction started on {_day(self.induction.started_on)}; the log cannot be " \
                                "earlier."
        if errors:
            raise ValidationError(errors)


class Placement(models.Model):
    """Where an inducted teacher was placed in the district after the induction."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    induction = models.OneToOneField(Induction, on_delete=models.PROTECT, related_name="placement")
    school_name = models.CharField("school", max_length=200, help_text="The district school they moved to.")
    placed_on = models.DateField("placed on")
    notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-placed_on"]

    def __str__(self) -> str:
        return f"Placed at {self.school_name} on {_day(self.placed_on)}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_cluster(self, errors, "induction")
        if not errors and self.induction_id and self.placed_on and self.placed_on < self.induction.started_on:
            errors["placed_on"] = f"The induction started on {_day(self.induction.started_on)}; a placement " \
                                  "after it cannot be earlier."
        if not errors and self.induction_id and self.school_name.strip() == self.induction.school.name:
            errors["school_name"] = "This is the teacher's cluster school; a placement is elsewhere in the district."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(self, Placement.objects.filter(induction_id=self.induction_id),
                         lambda existing: f"This teacher already has a placement: {existing}.")
