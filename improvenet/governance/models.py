"""The standing panel: members by constituency, proposals, votes, decisions and the research agenda.

A panel member serves a term (first and last day); ending the record early (`ended_on`) means the
member left before the term's end. A person serves one term at a time. A vote is held on a day:
the members serving that day are its eligible members. The lead records each member's ballot as
the panel votes, then closes the vote, which counts it with improvenet.governance.voting (the one place the
counting rules live) and keeps the eligible members, quorum and winner. A decision records what the
panel decided from a closed vote that reached quorum, and the changes it makes to the research
agenda. The agenda is never edited in place: each priority is the list of its changes, so the
agenda on any day is the latest change of each priority decided on or before that day.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.governance import voting
from improvenet.network.models import Cluster, EndableRecord, Person, current_on, refuse_duplicate
from improvenet.notifications import events as notify


class Constituency(models.TextChoices):
    RESEARCHERS = "researchers", "Researchers"
    DISTRICT_LEADERS = "district_leaders", "District leaders"
    SCHOOL_BOARD = "school_board", "School board"
    FAMILIES = "families", "Families"
    STUDENTS = "students", "Students"
    UNION = "union", "Union"
    COMMUNITY = "community", "Community"


def _day(day: datetime.date) -> str:
    return f"{day:%B %-d, %Y}"


def _prefetched(record: models.Model, relation: str) -> bool:
    return relation in getattr(record, "_prefetched_objects_cache", {})


class PanelMember(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="panel_members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="panel_terms")
    constituency = models.CharField(max_length=20, choices=Constituency.choices)
    term_starts_on = models.DateField("term starts on", help_text="The first day of the member's term.")
    term_ends_on = models.DateField("term ends on", help_text="The last day of the member's term.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["constituency", "person__family_name", "person__given_name", "term_starts_on"]

    def __str__(self) -> str:
        term = f"{_day(self.term_starts_on)}–{_day(self.term_ends_on)}"
        return f"{self.person} ({self.get_constituency_display()}, {term})"

    @staticmethod
    def serving(day: datetime.date) -> Q:
        """Members whose term covers the day and who had not left the panel by then."""
        return Q(term_starts_on__lte=day, term_ends_on__gte=day) & current_on(day)

    def serves_on(self, day: datetime.date) -> bool:
        return self.term_starts_on <= day <= self.term_ends_on and (self.ended_on is None or day < self.ended_on)

    @property
    def serving_now(self) -> bool:
        return self.serves_on(timezone.localdate())

    @property
    def last_day(self) -> datetime.date:
        """The last day served: the term's end, or the day before the member left."""
        if self.ended_on is not None:
            return min(self.term_ends_on, self.ended_on - datetime.timedelta(days=1))
        return self.term_ends_on

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.person_id and self.person.cluster_id != self.cluster_id:
            errors["person"] = "The person must belong to the cluster."
        if self.term_starts_on and self.term_ends_on and self.term_ends_on < self.term_starts_on:
            errors["term_ends_on"] = "The term cannot end before it starts."
        if self.ended_on and self.term_starts_on and self.ended_on <= self.term_starts_on:
            errors["ended_on"] = "A member cannot leave the panel before their term starts."
        if errors:
            raise ValidationError(errors)

    def check_conflicts(self) -> None:
        """A person is on the panel once at a time: their terms may not overlap."""
        overlapping = [
            other.pk for other in PanelMember.objects.filter(person_id=self.person_id).exclude(pk=self.pk)
            if other.term_starts_on <= self.last_day and self.term_starts_on <= other.last_day
        ]
        refuse_duplicate(
            self, PanelMember.objects.filter(pk__in=overlapping),
            lambda existing: f"{existing.person} is already on the panel from {_day(existing.term_starts_on)} to "
                             f"{_day(existing.last_day)}; a person serves one term at a time.",
        )


class Proposal(models.Model):
    class Kind(models.TextChoices):
        PROBLEM = "problem", "High-leverage problem"
        QUESTION = "question", "Research question"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="panel_proposals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="The problem or question, and why it matters.")
    proposed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="panel_proposals",
                                    help_text="Who brought the proposal to the panel.")
    proposed_on = models.DateField(help_text="The day it was proposed.")
    design_challenges = models.ManyToManyField("design.DesignChallenge", blank=True, related_name="panel_proposals")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-proposed_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.proposed_by_id and self.proposed_by.cluster_id != self.cluster_id:
            errors["proposed_by"] = "The person who proposed it must belong to the cluster."
        if not (self.title or "").strip():
            errors["title"] = "Give the proposal a title."
        if errors:
            raise ValidationError(errors)


class Vote(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="panel_votes")
    title = models.CharField(max_length=200)
    method = models.CharField(max_length=20, choices=list(voting.METHOD_LABELS.items()))
    held_on = models.DateField("vote held on", help_text="The day the panel votes: members whose term covers it vote.")
    proposals = models.ManyToManyField(Proposal, related_name="votes", help_text="The proposals on the ballot.")
    quorum_percent = models.PositiveSmallIntegerField(
        "quorum: share of members (%)", default=50, validators=[MaxValueValidator(100)],
        help_text="The share of eligible members who must vote, in percent, rounded up (50 means half).")
    quorum_min_count = models.PositiveSmallIntegerField(
        "quorum: at least this many members", default=0,
        help_text="A minimum number of members voting; the larger of the share and this number applies.")
    required_constituencies = models.JSONField(
        default=list, blank=True, help_text="Constituencies of which at least one member must vote.")
    full_ranking = models.BooleanField(default=False, help_text="Ranked choice only: rank every proposal by "
                                                                "repeated runoff, not just the winner.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    # Kept when the vote closes, so later changes to members' terms do not change a counted vote.
    eligible_members = models.ManyToManyField(PanelMember, blank=True, related_name="+")
    quorum_met = models.BooleanField(null=True, blank=True)
    winner = models.ForeignKey(Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({_day(self.held_on)})"

    def save(self, *args, **kwargs) -> None:
        opening = self._state.adding
        super().save(*args, **kwargs)
        if opening:
            voters = PanelMember.objects.filter(PanelMember.serving(self.held_on), person__user__isnull=False)
            notify.vote_opened(self, voters.values_list("person__user_id", flat=True))

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def clean(self) -> None:
        unknown = [c for c in self.required_constituencies or [] if c not in Constituency.values]
        if unknown:
            raise ValidationError({"required_constituencies": f"Unknown constituency: {', '.join(map(str, unknown))}; "
                                                              f"use {', '.join(Constituency.values)}."})

    def eligible(self) -> models.QuerySet:
        if not self.is_open:
            return self.eligible_members.select_related("person")
        return PanelMember.objects.filter(PanelMember.serving(self.held_on)).select_related("person")

    def ballots_in_order(self) -> list["Ballot"]:
        ballots = self.ballots.all() if _prefetched(self, "ballots") else (
            self.ballots.select_related("member__person").prefetch_related("choices__proposal"))
        return sorted(ballots, key=lambda b: (b.member.person.family_name, b.member.person.given_name))

    @staticmethod
    def with_ballots(votes) -> list[tuple["Vote", list[PanelMember]]]:
        """Each of `votes` with its eligible members, and what counting and showing it reads (proposals,
        ballots, decision), fetched for all the votes in a fixed number of queries rather than per vote."""
        votes = list(votes)
        models.prefetch_related_objects(
            votes, models.Prefetch("proposals", queryset=Proposal.objects.order_by("title", "pk")), "decision",
            models.Prefetch("ballots", queryset=Ballot.objects.select_related("member__person")
                            .prefetch_related("choices__proposal")),
            models.Prefetch("eligible_members", queryset=PanelMember.objects.select_related("person")),
        )
        serving = list(PanelMember.objects.select_related("person")) if any(v.is_open for v in votes) else []
        return [(vote, list(vote.eligible_members.all()) if not vote.is_open
                 else [member for member in serving if member.serves_on(vote.held_on)]) for vote in votes]

    def as_vote(self, members=None) -> voting.Vote:
        members = self.eligible() if members is None else members
        required = frozenset(Constituency(c).label for c in self.required_constituencies or [])
        return voting.Vote(
            title=self.title, method=self.method, full_ranking=self.full_ranking,
            members=tuple(voting.Member(str(m.pk), m.person.full_name, m.get_constituency_display()) for m in members),
            proposals=tuple(voting.Proposal(str(p.pk), p.title) for p in (
                self.proposals.all() if _prefetched(self, "proposals") else self.proposals.order_by("title", "pk"))),
            quorum=voting.Quorum(self.quorum_percent / 100, self.quorum_min_count, required),
        )

    def count(self, members=None) -> voting.VoteResult:
        """The count of the ballots recorded so far (raises VoteError when they cannot be counted)."""
        ballots = [voting.Ballot(str(b.member_id), tuple(str(c.proposal_id) for c in b.choices.all()))
                   for b in self.ballots_in_order()]
        return voting.count_vote(self.as_vote(members), ballots)

    def _lock(self) -> None:
        """Lock the vote's row to the end of the transaction and re-read whether it is closed, so a ballot
        cannot slip in while (or after) another request closes the vote, nor the vote be counted twice."""
        self.closed_at = Vote.objects.select_for_update().values_list("closed_at", flat=True).get(pk=self.pk)

    @transaction.atomic
    def record_ballot(self, member: PanelMember, proposals: list[Proposal], user) -> "Ballot":
        """Record one member's ballot: the proposals approved, or ranked (most preferred first)."""
        self._lock()
        if not self.is_open:
            raise ValidationError({"member": f"This vote closed on {_day(timezone.localdate(self.closed_at))}; "
                                             "no more ballots can be recorded."})
        if not member.serves_on(self.held_on):
            raise ValidationError({"member": f"{member.person} is not on the panel on {_day(self.held_on)}, the day "
                                             "of the vote, so cannot vote."})
        on_ballot = set(self.proposals.values_list("pk", flat=True))
        problems = [f"“{p}” is not on this vote's ballot." for p in proposals if p.pk not in on_ballot]
        repeated = {p.title for p in proposals if sum(q.pk == p.pk for q in proposals) > 1}
        problems += [f"“{title}” is named more than once; name each proposal once." for title in sorted(repeated)]
        if problems:
            raise ValidationError({"choices": problems})
        ballot = Ballot(cluster=self.cluster, vote=self, member=member, recorded_by=user)
        ballot.check_conflicts()
        ballot.save()
        BallotChoice.objects.bulk_create(
            BallotChoice(cluster=self.cluster, ballot=ballot, proposal=p, position=i)
            for i, p in enumerate(proposals, start=1))
        return ballot

    @transaction.atomic
    def close(self, user) -> voting.VoteResult:
        """Count the ballots and keep the result; the vote takes no more ballots."""
        self._lock()
        if not self.is_open:
            raise ValidationError(f"This vote already closed on {_day(timezone.localdate(self.closed_at))}.")
        members = list(self.eligible())
        try:
            result = self.count(members)
        except voting.VoteError as error:
            raise ValidationError(error.problems) from error
        self.eligible_members.set(members)
        self.quorum_met = result.quorum.met
        self.winner = self.proposals.get(pk=int(result.decision)) if result.decision else None
        self.closed_at = timezone.now()
        self.closed_by = user
        self.save()
        return result


class Ballot(models.Model):
    """One member's ballot in one vote, recorded by the lead or secretary as the panel votes."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="panel_ballots")
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="ballots")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="one_ballot_per_member_per_vote")]

    def __str__(self) -> str:
        return f"Ballot of {self.member.person} in {self.vote}"

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Ballot.objects.filter(vote_id=self.vote_id, member_id=self.member_id),
            lambda existing: f"{existing.member.person} already has a ballot in this vote; each member casts one.",
        )

    @property
    def proposals(self) -> list[Proposal]:
        return [c.proposal for c in sorted(self.choices.all(), key=lambda c: c.position)]


class BallotChoice(models.Model):
    """A proposal a ballot approves, or ranks at `position` (1 is the first preference)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["ballot_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="one_choice_per_proposal_per_ballot"),
            models.UniqueConstraint(fields=["ballot", "position"], name="one_choice_per_position_per_ballot"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.proposal}"


class Decision(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="panel_decisions")
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, related_name="decision")
    decided_on = models.DateField(help_text="The day the panel decided.")
    result = models.TextField(help_text="What the panel decided, in a sentence.")
    rationale = models.TextField(help_text="Why: the reasons the panel gave.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"Decision of {_day(self.decided_on)}: {self.result[:80]}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        vote = self.vote if self.vote_id else None
        refusal = self.refusal(vote) if vote is not None else ""
        if refusal:
            errors["vote"] = refusal
        if vote is not None and self.decided_on and self.decided_on < vote.held_on:
            errors["decided_on"] = f"The decision cannot come before the vote ({_day(vote.held_on)})."
        if not (self.result or "").strip():
            errors["result"] = "Say what the panel decided."
        if not (self.rationale or "").strip():
            errors["rationale"] = "Give the panel's reasons."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def refusal(vote: Vote) -> str:
        """Why the vote cannot have a decision (yet), or "" when it can."""
        if vote.is_open:
            return "Close the vote before recording its decision."
        if not vote.quorum_met:
            return (f"The vote “{vote.title}” did not reach quorum, so it has no decision. "
                    "Hold the vote again with more members present.")
        return ""

    def change_agenda(self, action: str, priority: "AgendaPriority | None" = None, *, title: str = "",
                      description: str = "", design_challenges=(), studies=None) -> "AgendaChange":
        """Add a priority to the research agenda, change one, or take one off, by this decision.

        Taking a priority off keeps what it said (unless told otherwise), so the history reads whole."""
        if action != AgendaChange.Action.ADDED and priority is None:
            raise ValidationError({"priority": "Choose the priority to change or take off the agenda."})
        before = latest_changes(self.decided_on).get(priority.pk) if priority is not None else None
        if action == AgendaChange.Action.RETIRED and before is not None:
            title = title or before.title
            description = description or before.description
            design_challenges = design_challenges or list(before.design_challenges.all())
            studies = studies if studies is not None else before.studies
        if action == AgendaChange.Action.ADDED:
            priority = AgendaPriority(cluster=self.cluster)
        change = AgendaChange(cluster=self.cluster, priority=priority, decision=self, action=action,
                              title=(title or "").strip(), description=description or "", studies=studies or [])
        change.full_clean(exclude=["priority"] if priority.pk is None else None)
        if priority.pk is None:
            priority.save()
            change.priority = priority
        change.save()
        change.design_challenges.set(design_challenges)
        return change

    def check_conflicts(self) -> None:
        refuse_duplicate(
            self, Decision.objects.filter(vote_id=self.vote_id),
            lambda existing: f"The vote already has its decision, recorded for {_day(existing.decided_on)}.",
        )


class AgendaPriority(models.Model):
    """A priority of the research agenda; what it says, and whether it is still on the agenda, are its changes."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="agenda_priorities")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        verbose_name_plural = "agenda priorities"

    def __str__(self) -> str:
        latest = self.changes.order_by("-decision__decided_on", "-pk").first()
        return latest.title if latest else f"Priority {self.pk}"


class AgendaChange(models.Model):
    class Action(models.TextChoices):
        ADDED = "added", "Added to the agenda"
        CHANGED = "changed", "Changed"
        RETIRED = "retired", "Taken off the agenda"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="agenda_changes")
    priority = models.ForeignKey(AgendaPriority, on_delete=models.PROTECT, related_name="changes")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="agenda_changes")
    action = models.CharField(max_length=20, choices=Action.choices)
    title = models.CharField(max_length=200, help_text="The priority as the agenda states it.")
    description = models.TextField(blank=True)
    design_challenges = models.ManyToManyField("design.DesignChallenge", blank=True, related_name="agenda_changes")
    studies = models.JSONField(default=list, blank=True,
                               help_text="Studies of the priority: each with a title, and optionally a link and notes.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["decision__decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.title}"

    @property
    def effective_on(self) -> datetime.date:
        return self.decision.decided_on

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors["title"] = "Give the priority a title."
        problems = study_problems(self.studies)
        if problems:
            errors["studies"] = " ".join(problems)
        if self.priority_id and self.decision_id and self.action != self.Action.ADDED:
            before = latest_changes(self.decision.decided_on).get(self.priority_id)
            if before is None or before.action == self.Action.RETIRED:
                errors["priority"] = f"That priority is not on the agenda on {_day(self.decision.decided_on)}."
        if errors:
            raise ValidationError(errors)


def study_problems(studies) -> list[str]:
    if not isinstance(studies, list):
        return ["Studies must be a list."]
    problems = []
    check_url = URLValidator(schemes=["http", "https"])
    for number, study in enumerate(studies, start=1):
        if not isinstance(study, dict) or not isinstance(study.get("title"), str) or not study["title"].strip():
            problems.append(f"Study {number} needs a title.")
            continue
        if set(study) - {"title", "url", "notes"}:
            problems.append(f"Study {number} has fields other than title, url and notes.")
        problems += [f"Study {number}'s {key} must be text." for key in ("url", "notes")
                     if not isinstance(study.get(key, ""), str)]
        if any("\x00" in value for value in study.values() if isinstance(value, str)):
            problems.append(f"Study {number} contains a NUL character, which is not text; remove it.")
        if isinstance(study.get("url"), str) and study["url"]:
            try:
                check_url(study["url"])
            except ValidationError:
                problems.append(f"Study {number}'s link “{study['url']}” is not a web address (http:// or https://).")
    return problems


def latest_changes(day: datetime.date) -> dict[int, AgendaChange]:
    """Each priority's latest change decided on or before the day, by priority id."""
    latest: dict[int, AgendaChange] = {}
    changes = (AgendaChange.objects.filter(decision__decided_on__lte=day).select_related("decision__vote")
               .prefetch_related("design_challenges").order_by("decision__decided_on", "pk"))
    for change in changes:
        latest[change.priority_id] = change
    return latest


def agenda_on(day: datetime.date) -> list[AgendaChange]:
    """The research agenda as it stood on the day: each priority's state, in the order they were added."""
    return [c for c in latest_changes(day).values() if c.action != AgendaChange.Action.RETIRED]
