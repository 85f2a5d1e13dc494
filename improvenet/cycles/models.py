"""Plan-Do-Study-Act cycles: a school team's tests of a change idea.

The disciplined way is the easy way: the rules live here, as methods that views and API routes
call, and a refused step raises `GateRefused` (a ValidationError naming what is missing):

- a cycle moves to Do only with at least one prediction, each saying what would confirm it;
- predictions are locked once Do starts: a later edit keeps a `PredictionEdit` (who, when, before,
  after, why) and is shown as an edit, never silently overwriting the prediction;
- Study closes only when every prediction is answered (confirmed, not confirmed or unclear, and
  what happened) and the team has written what it learned;
- Act needs a decision (adopt, adapt or abandon) and may start the next cycle of the ramp.

Cycles chain into ramps (`previous`, `next_cycles`); a school may copy another school's cycle as
the start of its own, and `copied_from` keeps the lineage both ways.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, School, ShownManager, StepRefused, Team, WithdrawableRecord
from improvenet.notifications import events as notify


class GateRefused(StepRefused):
    """A step of the cycle was refused: the message says what is missing, under the field it concerns."""


class PdsaCycle(WithdrawableRecord):
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

    class Scale(models.TextChoices):
        STUDENT_GROUP = "student_group", "One student group"
        CLASSROOM = "classroom", "One classroom"
        TEACHER = "teacher", "One teacher"
        GRADE_TEAM = "grade_team", "A grade team"
        SCHOOL = "school", "The whole school"

    # Which fields each stage writes; a field of an earlier stage is fixed once the cycle has moved on.
    PLAN_FIELDS = (
        "objective", "questions", "change_idea", "measures", "who", "where", "planned_start", "planned_end",
        "scale", "data_to_collect",
    )
    DO_FIELDS = ("what_happened", "observations", "data_collected")
    STUDY_FIELDS = ("learning",)
    ACT_FIELDS = ("decision_notes",)

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="pdsa_cycles")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pdsa_cycles")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="pdsa_cycles", help_text="The team that runs the test."
    )
    change_idea = models.ForeignKey(
        "design.ChangeIdea", on_delete=models.PROTECT, related_name="pdsa_cycles",
        help_text="The change idea of the shared design this cycle tests.",
    )
    measures = models.ManyToManyField(
        "measures.Measure", blank=True, related_name="pdsa_cycles",
        help_text="The measures whose charts show this cycle's dates.",
    )
    objective = models.TextField(help_text="What this test is for, in one or two sentences.")
    questions = models.TextField(blank=True, help_text="What you want to learn from this test.")
    who = models.CharField(max_length=300, blank=True, help_text="Who carries out the test.")
    where = models.CharField(max_length=300, blank=True, help_text="Where: which classes, rooms or groups.")
    scale = models.CharField(
        "scale of the test", max_length=20, choices=Scale.choices, default=Scale.CLASSROOM,
        help_text="Start small: one student group or classroom before a grade team or the school.",
    )
    data_to_collect = models.TextField(blank=True, help_text="What data you will collect, how and by whom.")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PLAN)
    planned_start = models.DateField(help_text="When the test is to start.")
    planned_end = models.DateField(null=True, blank=True, help_text="When the test is to end.")

    do_started_on = models.DateField(null=True, blank=True)
    what_happened = models.TextField(blank=True, help_text="What happened when you ran the test.")
    observations = models.TextField(blank=True, help_text="What you noticed that you did not expect.")
    data_collected = models.TextField(blank=True, help_text="The data you collected, or where it is kept.")

    study_started_on = models.DateField(null=True, blank=True)
    learning = models.TextField("what we learned", blank=True)
    study_closed_on = models.DateField(null=True, blank=True)

    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_notes = models.TextField(blank=True, help_text="Why, and what changes for the next test.")

    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_cycles",
        help_text="The cycle before this one in the ramp.",
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies",
        help_text="Another school's cycle this one started from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster", _manager_class=ShownManager)
    with_withdrawn = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-planned_start", "id"]
        verbose_name = "PDSA cycle"

    def __str__(self) -> str:
        return self.objective

    def save(self, *args, **kwargs) -> None:
        if self.team_id and not self.school_id:
            self.school_id = self.team.school_id
        super().save(*args, **kwargs)

    # Rules on the record itself ---------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.team_id:
            team = self.team
            if team.cluster_id != self.cluster_id:
                errors["team"] = "The team must belong to the cycle's cluster."
            elif not team.school_id:
                errors["team"] = f"“{team}” works in no school; choose a school design team."
            elif self.school_id and team.school_id != self.school_id:
                errors["team"] = f"“{team}” works in another school than this cycle."
        if self.school_id and self.school.cluster_id != self.cluster_id:
            errors["school"] = "The school must belong to the cycle's cluster."
        if self.change_idea_id and self.change_idea.cluster_id != self.cluster_id:
            errors["change_idea"] = "The change idea must be one of the cluster's shared design."
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = "The planned end cannot be before the planned start."
        if self.previous_id:
            previous = self.previous
            if previous.pk == self.pk:
                errors["previous"] = "A cycle cannot follow itself."
            elif previous.school_id != self.school_id:
                errors["previous"] = "A ramp stays in one school: the previous cycle is another school's."
            elif previous.stage != self.Stage.DONE:
                errors["previous"] = "The previous cycle needs its decision before the next one follows it."
            elif previous.decision == self.Decision.ABANDON:
                errors["previous"] = "The previous cycle was abandoned, which ends its ramp; start a new cycle."
            elif previous.next_cycles.exclude(pk=self.pk).exists():
                errors["previous"] = "The previous cycle already has a next cycle in its ramp."
        if errors:
            raise ValidationError(errors)

    # Reading ------------------------------------------------------------------------------------

    @property
    def predictions_locked(self) -> bool:
        return self.stage != self.Stage.PLAN

    @property
    def next_cycle(self) -> "PdsaCycle | None":
        return self.next_cycles.order_by("planned_start", "pk").first()

    def ramp(self) -> list["PdsaCycle"]:
        """The whole ramp this cycle belongs to, first cycle first (one query: ramps stay in one school)."""
        cycles = {c.pk: c for c in PdsaCycle.objects.filter(school_id=self.school_id).only(
            "pk", "previous_id", "objective", "planned_start", "decision", "stage", "school_id",
        ).order_by("planned_start", "pk")}
        cycles[self.pk] = self
        following: dict[int, PdsaCycle] = {}
        for cycle in cycles.values():
            if cycle.previous_id and cycle.previous_id not in following:
                following[cycle.previous_id] = cycle
        first, seen = self, {self.pk}
        while first.previous_id in cycles and first.previous_id not in seen:
            first = cycles[first.previous_id]
            seen.add(first.pk)
        chain, seen = [first], {first.pk}
        while (after := following.get(chain[-1].pk)) is not None and after.pk not in seen:
            chain.append(after)
            seen.add(after.pk)
        return chain

    def fixed_fields(self) -> set[str]:
        """Fields that no longer change: the Plan once Do has started, and so on."""
        order = [self.Stage.PLAN, self.Stage.DO, self.Stage.STUDY, self.Stage.ACT, self.Stage.DONE]
        reached = order.index(self.stage)
        fixed: set[str] = set()
        for index, fields in enumerate([self.PLAN_FIELDS, self.DO_FIELDS, self.STUDY_FIELDS, self.ACT_FIELDS]):
            if reached > index:
                fixed |= set(fields)
        return fixed

    def stage_fields(self) -> tuple[str, ...]:
        """The fields the cycle's current stage writes."""
        return {
            self.Stage.PLAN: self.PLAN_FIELDS, self.Stage.DO: self.DO_FIELDS,
            self.Stage.STUDY: self.STUDY_FIELDS, self.Stage.ACT: self.ACT_FIELDS,
        }.get(self.stage, ())

    def check_changeable(self, fields) -> None:
        """Refuse changes to fields of a stage the cycle has left, or has not reached yet."""
        fixed, current = self.fixed_fields(), set(self.stage_fields())
        stage_of = {name: label for label, names in (
            ("Plan", self.PLAN_FIELDS), ("Do", self.DO_FIELDS), ("Study", self.STUDY_FIELDS), ("Act", self.ACT_FIELDS),
        ) for name in names}
        errors = {}
        for name in fields:
            if name in current or name not in stage_of:
                continue
            label = self._meta.get_field(name).verbose_name
            if name in fixed:
                errors[name] = (
                    f"“{label}” belongs to {stage_of[name]}, which this cycle has finished; it stays as it was "
                    "so that the record shows what the team knew at the time."
                )
            else:
                errors[name] = f"“{label}” is written in {stage_of[name]}; this cycle is at {self.get_stage_display()}."
        if errors:
            raise ValidationError(errors)

    def next_step(self, predictions: list["Prediction"] | None = None) -> dict:
        """What the team needs to do to move on, in plain language: {"label", "missing": [...]}."""
        predictions = list(self.predictions.all()) if predictions is None else predictions
        if self.stage == self.Stage.PLAN:
            missing = [] if predictions else ["Add at least one prediction, with what would confirm it."]
            return {"label": "Start Do", "missing": missing}
        if self.stage == self.Stage.DO:
            missing = [] if self.what_happened.strip() else ["Write what happened when you ran the test."]
            return {"label": "Start Study", "missing": missing}
        if self.stage == self.Stage.STUDY:
            unanswered = [p for p in predictions if not p.is_answered]
            missing = []
            if unanswered:
                missing.append(f"Answer every prediction: {len(unanswered)} of {len(predictions)} still open.")
            if not self.learning.strip():
                missing.append("Write what you learned.")
            return {"label": "Close Study", "missing": missing}
        if self.stage == self.Stage.ACT:
            return {"label": "Decide", "missing": ["Decide: adopt, adapt or abandon the change."]}
        return {"label": "", "missing": []}

    # The steps of the cycle ---------------------------------------------------------------------

    def _require_stage(self, stage: str, step: str) -> None:
        if self.stage != stage:
            raise GateRefused(
                "stage", f"{step} is a step of {self.Stage(stage).label}; this cycle is at {self.get_stage_display()}."
            )

    def _day(self, on: datetime.date | None, after: datetime.date | None, what: str) -> datetime.date:
        day = on or timezone.localdate()
        if after and day < after:
            raise GateRefused("on", f"{what} cannot be before {after:%B %-d, %Y}.")
        return day

    def _moved(self, user) -> None:
        notify.cycle_moved(self, user, self.reopenings.count())

    def start_do(self, on: datetime.date | None = None, user=None) -> None:
        self._require_stage(self.Stage.PLAN, "Starting Do")
        if not self.predictions.exists():
            raise GateRefused("predictions", "Add at least one prediction before starting Do.")
        self.do_started_on = self._day(on, None, "Do")
        self.stage = self.Stage.DO
        self.save()
        self._moved(user)

    def start_study(self, on: datetime.date | None = None, user=None) -> None:
        self._require_stage(self.Stage.DO, "Starting Study")
        if not self.what_happened.strip():
            raise GateRefused("what_happened", "Write what happened in Do before starting Study.")
        self.study_started_on = self._day(on, self.do_started_on, "Study")
        self.stage = self.Stage.STUDY
        self.save()
        self._moved(user)
        notify.predictions_waiting(self, self.predictions.count())

    def close_study(self, on: datetime.date | None = None, user=None) -> None:
        self._require_stage(self.Stage.STUDY, "Closing Study")
        predictions = list(self.predictions.all())
        unanswered = [p for p in predictions if not p.is_answered]
        if unanswered:
            numbers = ", ".join(str(p.number) for p in unanswered)
            raise GateRefused(
                "predictions",
                f"Answer every prediction before closing Study: prediction {numbers} "
                f"{'is' if len(unanswered) == 1 else 'are'} not answered yet.",
            )
        if not self.learning.strip():
            raise GateRefused("learning", "Write what you learned before closing Study.")
        self.study_closed_on = self._day(on, self.study_started_on, "Closing Study")
        self.stage = self.Stage.ACT
        self.save()
        self._moved(user)

    def decide(
        self, decision: str, on: datetime.date | None = None, notes: str = "", *,
        next_objective: str = "", next_planned_start: datetime.date | None = None, user=None,
    ) -> "PdsaCycle | None":
        """Record the decision; with `next_objective`, plan the next cycle of the ramp and return it."""
        self._require_stage(self.Stage.ACT, "Deciding")
        if decision not in self.Decision.values:
            raise GateRefused("decision", "Choose a decision: adopt, adapt or abandon.")
        if next_objective and decision == self.Decision.ABANDON:
            raise GateRefused(
                "next_objective", "An abandoned change ends its ramp; plan a new cycle instead of a next one."
            )
        with transaction.atomic():
            self.decided_on = self._day(on, self.study_closed_on, "The decision")
            self.decision = decision
            self.decision_notes = notes or self.decision_notes
            self.stage = self.Stage.DONE
            self.save()
            self._moved(user)
            if not next_objective:
                return None
            following = PdsaCycle(
                cluster_id=self.cluster_id, school_id=self.school_id, team_id=self.team_id,
                change_idea_id=self.change_idea_id, objective=next_objective, previous=self,
                planned_start=next_planned_start or self.decided_on, who=self.who, where=self.where,
                scale=self.scale, data_to_collect=self.data_to_collect, created_by=user,
            )
            following.full_clean()
            following.save()
            following.measures.set(self.measures.all())
            return following

    def reopen_decision(self, reason: str, user=None, on: datetime.date | None = None) -> "DecisionReopening":
        """Take the decision back to Act within the setting's days of it; the decision taken is kept in the record."""
        self._require_stage(self.Stage.DONE, "Reopening the decision")
        today = on or timezone.localdate()
        window = settings.IMPROVENET_DECISION_REOPEN_DAYS
        if (today - self.decided_on).days > window:
            raise GateRefused(
                "decided_on", f"A decision can be reopened within {window} days; this one was taken on "
                              f"{self.decided_on:%B %-d, %Y}. Plan a new cycle instead.",
            )
        if not (reason or "").strip():
            raise GateRefused("reason", "Say why the decision is reopened: the reason stays on the cycle's page.")
        following = self.next_cycle
        if following is not None:
            raise GateRefused(
                "next_cycles", f"The next cycle of the ramp, “{following}”, follows this decision: withdraw it "
                               "first if it was planned by mistake.",
            )
        with transaction.atomic():
            reopening = DecisionReopening.objects.create(
                cycle=self, reopened_by=user, reason=reason.strip(), decision=self.decision,
                decided_on=self.decided_on, decision_notes=self.decision_notes,
            )
            self.decision, self.decided_on, self.stage = "", None, self.Stage.ACT
            self.save()
        return reopening

    def copy_to(self, team: Team, user=None, planned_start: datetime.date | None = None) -> "PdsaCycle":
        """Start another school's cycle from this one's Plan and predictions; the lineage is kept."""
        if not team.school_id:
            raise GateRefused("team_id", f"“{team}” works in no school; choose a school design team.")
        if team.school_id == self.school_id:
            raise GateRefused(
                "team_id", "This cycle is already this school's: plan the next cycle of its ramp instead of a copy."
            )
        copy = PdsaCycle(
            cluster_id=self.cluster_id, school_id=team.school_id, team=team, change_idea_id=self.change_idea_id,
            objective=self.objective, questions=self.questions, who="", where="", scale=self.scale,
            data_to_collect=self.data_to_collect, planned_start=planned_start or timezone.localdate(),
            copied_from=self, created_by=user,
        )
        with transaction.atomic():
            copy.full_clean()
            copy.save()
            copy.measures.set(self.measures.all())
            for prediction in self.predictions.order_by("number"):
                Prediction.objects.create(
                    cycle=copy, number=prediction.number, text=prediction.text,
                    confirm_criterion=prediction.confirm_criterion, created_by=user,
                )
        return copy

    def add_prediction(self, text: str, confirm_criterion: str, user=None) -> "Prediction":
        if self.predictions_locked:
            raise GateRefused(
                "predictions",
                "Predictions are written before the test: this cycle has started Do. "
                "Put a new prediction in the next cycle.",
            )
        number = (self.predictions.aggregate(models.Max("number"))["number__max"] or 0) + 1
        prediction = Prediction(cycle=self, number=number, text=text, confirm_criterion=confirm_criterion,
                                created_by=user)
        prediction.full_clean()
        prediction.save()
        return prediction


class Prediction(models.Model):
    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        NOT_CONFIRMED = "not_confirmed", "Not confirmed"
        UNCLEAR = "unclear", "Unclear"

    cycle = models.ForeignKey(PdsaCycle, on_delete=models.CASCADE, related_name="predictions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField("prediction", help_text="What you expect to happen, e.g. “At least 20 of 28 students…”.")
    confirm_criterion = models.TextField(
        "what would confirm it", help_text="What you would see if the prediction is right."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    what_happened = models.TextField(blank=True, help_text="What actually happened, compared with the prediction.")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cycle__cluster")

    class Meta:
        ordering = ["cycle_id", "number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="one_prediction_number_per_cycle")]

    def __str__(self) -> str:
        return f"Prediction {self.number}: {self.text}"

    def clean(self) -> None:
        errors = {}
        if not (self.text or "").strip():
            errors["text"] = "Write the prediction."
        if not (self.confirm_criterion or "").strip():
            errors["confirm_criterion"] = "Say what would confirm the prediction."
        if errors:
            raise ValidationError(errors)

    @property
    def is_answered(self) -> bool:
        return bool(self.outcome) and bool(self.what_happened.strip())

    @property
    def is_locked(self) -> bool:
        return self.cycle.predictions_locked

    def edit(self, text: str, confirm_criterion: str, user=None, reason: str = "") -> "PredictionEdit | None":
        """Change the prediction; once Do has started the change is kept as an edit, never silently."""
        if self.cycle.stage == PdsaCycle.Stage.DONE:
            raise GateRefused("text", "The cycle is decided; its predictions stay as they were.")
        if text == self.text and confirm_criterion == self.confirm_criterion:
            return None
        record = None
        with transaction.atomic():
            if self.is_locked:
                if not reason.strip():
                    raise GateRefused(
                        "reason", "Do has started, so this edit is kept and shown: say why the prediction changes."
                    )
                record = PredictionEdit(
                    prediction=self, edited_by=user, stage=self.cycle.stage, reason=reason,
                    text_before=self.text, criterion_before=self.confirm_criterion,
                    text_after=text, criterion_after=confirm_criterion,
                )
            self.text, self.confirm_criterion = text, confirm_criterion
            self.full_clean()
            self.save()
            if record:
                record.save()
        return record

    def answer(self, outcome: str, what_happened: str, user=None) -> None:
        """Compare the prediction with what happened: confirmed, not confirmed or unclear."""
        if self.cycle.stage != PdsaCycle.Stage.STUDY:
            raise GateRefused(
                "outcome", f"Predictions are answered in Study; this cycle is at {self.cycle.get_stage_display()}."
            )
        errors = {}
        if outcome not in self.Outcome.values:
            errors["outcome"] = "Choose confirmed, not confirmed or unclear."
        if not (what_happened or "").strip():
            errors["what_happened"] = "Say what happened, compared with the prediction."
        if errors:
            raise ValidationError(errors)
        self.outcome, self.what_happened = outcome, what_happened
        self.answered_at, self.answered_by = timezone.now(), user
        self.save()


class PredictionEdit(models.Model):
    """A change to a prediction after Do started: kept and shown, with who, when, before, after and why."""

    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="edits")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    stage = models.CharField(max_length=10, choices=PdsaCycle.Stage.choices)
    reason = models.TextField()
    text_before = models.TextField()
    criterion_before = models.TextField()
    text_after = models.TextField()
    criterion_after = models.TextField()

    objects = ScopedManager(cluster="prediction__cycle__cluster")

    class Meta:
        ordering = ["prediction_id", "edited_at", "id"]

    def __str__(self) -> str:
        return f"Edit of prediction {self.prediction.number} on {self.edited_at:%Y-%m-%d}"

    @property
    def editor_name(self) -> str:
        """Who made the edit, for the page: an account may be gone (the edit then keeps no editor)."""
        if self.edited_by is None:
            return "a team member"
        return self.edited_by.get_full_name() or self.edited_by.get_username()


class DecisionReopening(models.Model):
    """A decision taken back to Act: who, when, why, and the decision as it was."""

    cycle = models.ForeignKey(PdsaCycle, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    decision = models.CharField(max_length=10, choices=PdsaCycle.Decision.choices)
    decided_on = models.DateField()
    decision_notes = models.TextField(blank=True)

    objects = ScopedManager(cluster="cycle__cluster")

    class Meta:
        ordering = ["cycle_id", "reopened_at", "id"]

    def __str__(self) -> str:
        return f"Decision of {self.decided_on:%Y-%m-%d} reopened on {self.reopened_at:%Y-%m-%d}"

    @property
    def reopened_by_name(self) -> str:
        if self.reopened_by is None:
            return "a team member"
        return self.reopened_by.get_full_name() or self.reopened_by.get_username()
