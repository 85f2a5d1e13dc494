"""API routes for convenings and their packets: the same rules as the pages.

Everyone who reads the cluster lists convenings and reads packets; the cluster lead (and network
admins) create and change convenings. Two convenings of a cluster on one day answer 409.
"""

import datetime

from django.db import transaction
from ninja import Field, PatchDict, Query, Router, Schema, Status

from improvenet.convenings import access as conv_access
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet
from improvenet.network.access import in_cluster
from improvenet.resources import PageParams, apply_payload, page_schema, paginate, save_checked

router = Router(tags=["Convenings"])


class ConveningIn(Schema):
    held_on: datetime.date = Field(..., description="The day of the convening.")
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
    prompts: list[str]


def convening_out(convening: Convening) -> dict:
    previous = convening.previous()
    return {
        "id": convening.pk, "held_on": convening.held_on, "title": convening.title, "place": convening.place,
        "notes": convening.notes, "previous_id": previous.pk if previous else None,
        "since": previous.held_on if previous else None,
    }


@router.get("/clusters/{cluster}/convenings", response=page_schema(ConveningOut), operation_id="list_convenings",
            summary="List the cluster's convenings, newest first")
def list_convenings(request, cluster: str, page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        listed = paginate(Convening.objects.order_by("-held_on", "-pk"), page)
        return listed | {"items": [convening_out(c) for c in listed["items"]]}


@router.post("/clusters/{cluster}/convenings", response={201: ConveningOut}, operation_id="create_convening",
             summary="Plan a convening (cluster lead)")
def create_convening(request, cluster: str, payload: ConveningIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        convening = Convening(cluster=access.obj, created_by=request.auth)
        apply_payload(convening, payload.dict())
        save_checked(convening)
        return Status(201, convening_out(convening))


@router.get("/clusters/{cluster}/convenings/{convening_id}", response=ConveningOut, operation_id="read_convening",
            summary="Read a convening")
def read_convening(request, cluster: str, convening_id: int):
    with in_cluster(request.auth, cluster) as access:
        return convening_out(conv_access.convening_for_user(access, convening_id).obj)


@router.patch("/clusters/{cluster}/convenings/{convening_id}", response=ConveningOut,
              operation_id="update_convening", summary="Change a convening (cluster lead)")
def update_convening(request, cluster: str, convening_id: int, payload: PatchDict[ConveningIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        convening = conv_access.convening_for_user(access, convening_id).require_change()
        apply_payload(convening, payload)
        save_checked(convening)
        return convening_out(convening)


@router.get("/clusters/{cluster}/convenings/{convening_id}/packet", response=PacketOut,
            operation_id="read_convening_packet", summary="The whole cluster's packet of a convening")
def read_packet(request, cluster: str, convening_id: int):
    with in_cluster(request.auth, cluster) as access:
        return build_packet(conv_access.convening_for_user(access, convening_id).obj).to_dict()


@router.get("/clusters/{cluster}/convenings/{convening_id}/teams/{team_id}/packet", response=PacketOut,
            operation_id="read_team_packet", summary="A school design team's packet of a convening")
def read_team_packet(request, cluster: str, convening_id: int, team_id: int):
    with in_cluster(request.auth, cluster) as access:
        convening = conv_access.convening_for_user(access, convening_id).obj
        return build_packet(convening, conv_access.packet_team_for_user(access, team_id)).to_dict()
