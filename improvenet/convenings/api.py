"""API routes for convenings and their packets: the same rules as the pages.

Everyone who reads the cluster lists convenings and reads packets; the cluster lead (and network
admins) create and change convenings. Two convenings of a cluster on one day answer 409.
"""

import bisect
import datetime

from ninja import Field, Router, Schema

from improvenet.convenings import access as conv_access
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet
from improvenet.network.access import in_cluster
from improvenet.resources import WITHOUT_END, ClusterResource, Day, RecordId, Text

router = Router(tags=["Convenings"])


class ConveningIn(Schema):
    held_on: Day = Field(..., description="The day of the convening.")
    title: str = Field(..., min_length=1, max_length=200)
    place: str = Field("", max_length=200)
    notes: str = ""


class ConveningOut(Schema):
    id: int
    held_on: datetime.date
    title: str
    place: str
    notes: str
    previous_id: int | None = Field(..., description="The cluster's convening before this one, if any.")
    since: datetime.date | None = Field(..., description="Its packets cover the time after this day (the previous "
                                                         "convening's); null for the cluster's first convening.")


class PacketCycle(Schema):
    id: int
    school_id: int
    team_id: int
    objective: str
    change_idea: str
    stage: str = Field(..., description="The cycle's stage on the convening's day.")
    planned_start: datetime.date
    predictions: int
    predictions_confirmed: int
    predictions_not_confirmed: int
    learning: str
    decision: str = Field(..., description="adopt, adapt or abandon; empty when not decided by the convening's day.")
    decided_on: datetime.date | None
    decision_notes: str
    ramp_position: int = Field(..., description="1 for the first cycle of its ramp, 2 for the next, …")


class PacketTeam(Schema):
    team_id: int
    team: str
    school_id: int
    cycles: list[PacketCycle]


class PacketSignal(Schema):
    measure: str
    measure_name: str
    school_id: int
    school: str
    rule: str
    direction: str
    first_period: datetime.date
    last_period: datetime.date
    sentence: str
    towards_improvement: bool | None


class PacketAdaptation(Schema):
    id: int
    school_id: int
    school: str
    innovation: str
    element: str
    description: str
    rationale: str
    adapted_on: datetime.date


class PacketSpreadChange(Schema):
    id: int
    change_idea_id: int
    change_idea: str
    school_id: int
    school: str
    stage: str
    started_on: datetime.date
    reason: str


class PacketPooledChange(Schema):
    change_idea_id: int
    change_idea: str
    scale: str
    sentence: str


class PacketOut(Schema):
    convening_id: int
    title: str
    team_id: int | None = Field(..., description="The school design team; null for the whole cluster's packet.")
    audience: str
    since: datetime.date | None
    until: datetime.date
    teams: list[PacketTeam]
    signals: list[PacketSignal]
    adaptations: list[PacketAdaptation]
    spread_changes: list[PacketSpreadChange]
    pooled_changes: list[PacketPooledChange] = Field(
        ..., description="Change ideas whose pooled effect or heterogeneity changed since the previous convening.")
    pooled_baseline: bool = Field(..., description="Whether the previous convening kept pooled estimates.")
    prompts: list[str]


def convenings_out(convenings: list[Convening]) -> list[dict]:
    # Each convening's previous one (Convening.previous), found among the cluster's days read in one query.
    days = sorted(Convening.objects.filter(cluster_id__in={c.cluster_id for c in convenings})
                  .values_list("cluster_id", "held_on", "pk"))
    answers = []
    for convening in convenings:
        before = bisect.bisect_left(days, (convening.cluster_id, convening.held_on))
        previous = days[before - 1] if before and days[before - 1][0] == convening.cluster_id else None
        answers.append({
            "id": convening.pk, "held_on": convening.held_on, "title": convening.title, "place": convening.place,
            "notes": convening.notes, "previous_id": previous[2] if previous else None,
            "since": previous[1] if previous else None,
        })
    return answers


ClusterResource(
    path="convenings", label="convening", model=Convening, out=ConveningOut, payload=ConveningIn,
    read=conv_access.convening_for_user, id_name="convening_id", verbs=WITHOUT_END,
    new=lambda access, user: Convening(cluster=access.obj, created_by=user), ordering=["-held_on", "-pk"],
    present=convenings_out,
    summaries={"list": "List the cluster's convenings, newest first", "create": "Plan a convening (cluster lead)",
               "change": "Change a convening (cluster lead)"},
).register(router)


@router.get("/clusters/{cluster}/convenings/{convening_id}/packet", response=PacketOut,
            operation_id="read_convening_packet", summary="The whole cluster's packet of a convening")
def read_packet(request, cluster: Text, convening_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        return build_packet(conv_access.convening_for_user(access, convening_id).obj).to_dict()


@router.get("/clusters/{cluster}/convenings/{convening_id}/teams/{team_id}/packet", response=PacketOut,
            operation_id="read_team_packet", summary="A school design team's packet of a convening")
def read_team_packet(request, cluster: Text, convening_id: RecordId, team_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        convening = conv_access.convening_for_user(access, convening_id).obj
        return build_packet(convening, conv_access.packet_team_for_user(access, team_id)).to_dict()
