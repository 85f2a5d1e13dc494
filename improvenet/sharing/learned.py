"""What a team has learned, gathered for a newcomer after turnover.

`team_learning(team)` reads, inside the team's cluster scope: the timeline of design decisions
(design challenges and aims set or ended, driver diagram versions with their notes and who saved
them, adaptation decisions), the driver diagrams' versions, the change ideas the team's cycles
adopted, adapted or abandoned with the reasons, the spread stages recorded in the team's school,
and who held each role on the team over time, past members included.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import Adaptation, Aim, DesignChallenge, DriverDiagramVersion
from improvenet.learning.models import SpreadStage
from improvenet.network.models import Membership, Team


@dataclass(frozen=True)
class Event:
    day: datetime.date
    kind: str
    text: str
    by: str = ""
    url: str = ""


@dataclass
class IdeaDecisions:
    """One change idea as the team's decided cycles left it: the latest decision first."""

    title: str
    decisions: list[PdsaCycle] = field(default_factory=list)

    @property
    def latest(self) -> PdsaCycle:
        return self.decisions[0]


@dataclass(frozen=True)
class RoleHolders:
    role: str
    memberships: list[Membership]


@dataclass(frozen=True)
class TeamLearning:
    timeline: list[Event]
    diagrams: list[tuple[Aim, list[DriverDiagramVersion]]]
    ideas_by_decision: list[tuple[str, list[IdeaDecisions]]]
    spread: list[SpreadStage]
    roles: list[RoleHolders]


def _day(moment) -> datetime.date:
    return timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment


def team_learning(team: Team) -> TeamLearning:
    cluster = team.cluster
    versions = list(
        DriverDiagramVersion.objects.filter(diagram__cluster=cluster)
        .select_related("diagram__aim", "saved_by").order_by("diagram__aim__target_date", "-number")
    )
    diagrams: dict[int, tuple[Aim, list[DriverDiagramVersion]]] = {}
    for version in versions:
        aim = version.diagram.aim
        diagrams.setdefault(aim.pk, (aim, []))[1].append(version)
    return TeamLearning(
        timeline=_timeline(team, versions),
        diagrams=list(diagrams.values()),
        ideas_by_decision=_ideas_by_decision(team),
        spread=list(SpreadStage.objects.filter(school_id=team.school_id).select_related("change_idea")
                    .order_by("-started_on", "-id")) if team.school_id else [],
        roles=_roles(team),
    )


def _timeline(team: Team, versions: list[DriverDiagramVersion]) -> list[Event]:
    slug = team.cluster.slug
    events = []
    for challenge in DesignChallenge.objects.filter(cluster=team.cluster):
        url = reverse("design:challenge", args=[slug, challenge.pk])
        events.append(Event(_day(challenge.created_at), "Design challenge set", challenge.title, url=url))
        if challenge.ended_on:
            events.append(Event(challenge.ended_on, "Design challenge ended", challenge.title, url=url))
    for aim in Aim.objects.filter(challenge__cluster=team.cluster):
        url = reverse("design:aim", args=[slug, aim.pk])
        events.append(Event(_day(aim.created_at), "Aim set", aim.summary, url=url))
        if aim.ended_on:
            events.append(Event(aim.ended_on, "Aim ended", aim.summary, url=url))
    for version in versions:
        aim = version.diagram.aim
        events.append(Event(
            _day(version.saved_at), f"Driver diagram version {version.number} saved",
            f"{aim.summary}: {version.note}", by=version.saved_by_name,
            url=reverse("design:version", args=[slug, aim.pk, version.number]),
        ))
    adaptations = Adaptation.objects.filter(decided_at__isnull=False).select_related(
        "decided_by", "element", "enactment__school", "enactment__innovation"
    )
    if team.school_id:
        adaptations = adaptations.filter(enactment__school_id=team.school_id)
    for adaptation in adaptations:
        events.append(Event(
            _day(adaptation.decided_at), f"Adaptation {adaptation.get_status_display().lower()}",
            f"{adaptation.enactment.school}: {adaptation.description} (element “{adaptation.element}”). "
            f"Reason: {adaptation.decision_reason}",
            by=adaptation.decided_by_name,
            url=reverse("design:innovation", args=[slug, adaptation.enactment.innovation_id]),
        ))
    return sorted(events, key=lambda event: event.day, reverse=True)


def _ideas_by_decision(team: Team) -> list[tuple[str, list[IdeaDecisions]]]:
    """The change ideas the team's decided cycles tested, grouped by their latest decision."""
    where = Q(team=team) | Q(school_id=team.school_id) if team.school_id else Q(team=team)
    cycles = (PdsaCycle.objects.filter(where, stage=PdsaCycle.Stage.DONE)
              .select_related("change_idea").order_by("-decided_on", "-pk"))
    ideas: dict[int, IdeaDecisions] = {}
    for cycle in cycles:
        ideas.setdefault(cycle.change_idea_id, IdeaDecisions(cycle.change_idea.title)).decisions.append(cycle)
    return [
        (label, sorted((i for i in ideas.values() if i.latest.decision == value), key=lambda i: i.title))
        for value, label in ((PdsaCycle.Decision.ADOPT, "Adopted"), (PdsaCycle.Decision.ADAPT, "Adapted"),
                             (PdsaCycle.Decision.ABANDON, "Abandoned"))
    ]


def _roles(team: Team) -> list[RoleHolders]:
    memberships = team.memberships.select_related("person").order_by("started_on", "person__family_name")
    by_role: dict[str, list[Membership]] = {}
    for membership in memberships:
        by_role.setdefault(membership.role, []).append(membership)
    return [RoleHolders(role, held) for role, held in sorted(by_role.items())]
