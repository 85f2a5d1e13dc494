"""Community engagement and school selection: engagement events, objections and the school-selection decision.

Before a cluster's schools are chosen, the district hears each school community: forums, family
meetings, board sessions and listening sessions (`EngagementEvent`), each with the concerns and the
support people raised there (`CommunityInput`, tagged with the cluster's reusable `Tag`s). Objections
are kept as a standing record per school (`Objection`) until they are addressed or upheld. The
`SelectionDecision` lists the candidate schools (`Candidate`) with the community input for each
(see `improvenet.engagement.services`), the outcome per candidate and the reasons.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, School, ShownManager, WithdrawableRecord, refuse_duplicate


class Tag(models.Model):
    """A theme that concerns and support are tagged with, reused across the cluster's events."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="engagement_tags")
    name = models.CharField(max_length=60, help_text="For example “transportation” or “research with students”.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "cluster", name="one_engagement_tag_per_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_names(cls, cluster: Cluster, names: list[str]) -> list["Tag"]:
        """The cluster's tags of these names, created when new; names match regardless of case."""
        tags: dict[str, Tag] = {}
        for raw in names:
            name = " ".join(raw.split())
            if not name or name.lower() in tags:
                continue
            if len(name) > 60:
                raise ValidationError({"tags": f"The tag “{name[:20]}…” is longer than 60 characters."})
            tag = cls.objects.filter(cluster=cluster, name__iexact=name).first()
            tags[name.lower()] = tag or cls.objects.create(cluster=cluster, name=name)
        return list(tags.values())


class EngagementEvent(models.Model):
    class Kind(models.TextChoices):
        FORUM = "forum", "Community forum"
        FAMILY_MEETING = "family_meeting", "Family meeting"
        BOARD_SESSION = "board_session", "School board session"
        LISTENING_SESSION = "listening_session", "Listening session"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="engagement_events")
    held_on = models.DateField("date")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="engagement_events",
        help_text="The school community the event was held for; leave empty for a district-wide event.",
    )
    title = models.CharField(max_length=200)
    attendance = models.PositiveIntegerField(help_text="How many people attended (0 or more).")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%B %-d, %Y})"

    def clean(self) -> None:
        if self.school_id and self.school.cluster_id != self.cluster_id:
            raise ValidationError({"school": "The school must belong to this cluster."})


class CommunityInput(WithdrawableRecord):
    """A concern or a statement of support raised at an engagement event."""

    class Stance(models.TextChoices):
        CONCERN = "concern", "Concern"
        SUPPORT = "support", "Support"

    event = models.ForeignKey(EngagementEvent, on_delete=models.CASCADE, related_name="inputs")
    stance = models.CharField("concern or support", max_length=10, choices=Stance.choices)
    summary = models.TextField(help_text="What was said, in a sentence or two; no private person's name is needed.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="inputs")

    objects = ScopedManager(cluster="event__cluster", _manager_class=ShownManager)
    with_withdrawn = ScopedManager(cluster="event__cluster")

    class Meta:
        ordering = ["event", "stance", "id"]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.summary[:60]}"


class Objection(models.Model):
    """A standing objection of a group in a school community, kept until it is addressed or upheld."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ADDRESSED = "addressed", "Addressed"
        UPHELD = "upheld", "Upheld"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="objections")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="objections")
    raised_on = models.DateField()
    raised_by = models.CharField(
        max_length=200, help_text="The group that raised it, for example “Parent-teacher association”; "
                                  "no private person's name is needed.",
    )
    objection = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True, help_text="How the district answered the objection.")
    responded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"Objection of {self.raised_by} ({self.raised_on:%B %-d, %Y})"

    def clean(self) -> None:
        errors = {}
        if self.school_id and self.school.cluster_id != self.cluster_id:
            errors["school"] = "The school must belong to this cluster."
        if self.status != self.Status.OPEN:
            label = self.Status(self.status).label.lower() if self.status in self.Status.values else self.status
            if not self.response.strip():
                errors["response"] = f"An {label} objection needs the district's response."
            if self.responded_on is None:
                errors["responded_on"] = f"An {label} objection needs the date of the response."
        if self.responded_on and self.raised_on and self.responded_on < self.raised_on:
            errors["responded_on"] = "The response cannot come before the objection was raised."
        if errors:
            raise ValidationError(errors)


class SelectionDecision(models.Model):
    """The cluster's choice of schools among candidates, with the community input for each."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (candidates still being considered)"
        FINAL = "final", "Final"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="selection_decisions")
    title = models.CharField(max_length=200, help_text="For example “Choosing the innovation high schools”.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    decided_on = models.DateField(null=True, blank=True, help_text="Needed once the decision is final.")
    decided_by = models.CharField(
        max_length=200, blank=True, help_text="Who decided, for example “Superintendent's cabinet”.",
    )
    reasons = models.TextField(blank=True, help_text="Why these schools; needed once the decision is final.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        # Drafts (not decided yet) first on every database, then the latest decision.
        ordering = [F("decided_on").desc(nulls_first=True), "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    def clean(self) -> None:
        if not self.is_final:
            return
        errors = {}
        if self.decided_on is None:
            errors["decided_on"] = "A final decision needs the date it was decided."
        if not self.decided_by.strip():
            errors["decided_by"] = "A final decision needs who decided."
        if not self.reasons.strip():
            errors["reasons"] = "A final decision needs its reasons."
        candidates = list(self.candidates.select_related("school")) if self.pk else []
        if not candidates:
            errors["status"] = "Add the candidate schools before the decision is final."
        undecided = [c.school.name for c in candidates if not c.outcome or not c.reason.strip()]
        if undecided:
            errors["status"] = ("Record an outcome and a reason for every candidate before the decision is final; "
                                f"missing for {', '.join(undecided)}.")
        if errors:
            raise ValidationError(errors)


class Candidate(models.Model):
    class Outcome(models.TextChoices):
        SELECTED = "selected", "Selected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        NOT_SELECTED = "not_selected", "Not selected"

    decision = models.ForeignKey(SelectionDecision, on_delete=models.CASCADE, related_name="candidates")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="selection_candidacies")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True,
                               help_text="Leave empty while the school is still being considered.")
    reason = models.TextField(blank=True, help_text="Why this outcome; needed with the outcome.")
    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, null=True, blank=True, related_name="candidacies",
        help_text="The school's objection this outcome answers, for example when the school was withdrawn.",
    )

    objects = ScopedManager(cluster="decision__cluster")

    class Meta:
        ordering = ["decision", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "school"], name="one_candidacy_per_school_and_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} as a candidate of “{self.decision}”"

    def clean(self) -> None:
        errors = {}
        if self.school_id and self.school.cluster_id != self.decision.cluster_id:
            errors["school"] = "The school must belong to this cluster."
        if self.outcome and not self.reason.strip():
            errors["reason"] = "Give the reason for this outcome."
        if self.decision.is_final and not self.outcome:
            errors["outcome"] = "The decision is final: record this candidate's outcome and reason."
        if self.objection_id and self.objection.school_id != self.school_id:
            errors["objection"] = "The objection cited must be one raised about this school."
        if self.objection_id and self.outcome == self.Outcome.SELECTED:
            errors["objection"] = ("Only a withdrawn or not-selected candidate cites an objection; "
                                   "leave it empty for a selected school.")
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Candidate.objects.filter(decision_id=self.decision_id, school_id=self.school_id),
            lambda existing: f"{existing.school.name} is already a candidate of this decision; "
                             "change its entry instead.",
        )
