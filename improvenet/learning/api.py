"""API routes of learning across the network: evidence per change idea, and spread stages.

Reading needs a role in the cluster; recording a spread stage needs the right to change that
school's work (its design team, the cluster lead, network admins), or answers 403.
"""

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from ninja import Field, FilterLookup, Router, Schema

from improvenet.design.access import change_idea_for_user
from improvenet.learning import access as lacc
from improvenet.learning import services
from improvenet.learning.models import SpreadStage
from improvenet.network.access import can_change_school_work, in_cluster
from improvenet.resources import ClusterResource, Day, Filters, RecordId, Text

router = Router(tags=["Learning across the network"])


class DecisionOut(Schema):
    cycle_id: int
    school_id: int
    school: str
    decision: str
    decided_on: datetime.date | None
    notes: str


class SignalOut(Schema):
    measure_id: int
    measure: str
    school_id: int
    school: str
    adopted_on: datetime.date
    points_after: int = Field(..., description="Points of the measure in the school after the adoption day.")
    sustained: list[str] = Field(..., description="Run signals in the direction of improvement after adoption.")


class LinkedMeasureOut(Schema):
    measure_id: int
    measure: str
    kind: str


class OtherClusterCycleOut(Schema):
    cycle_id: int
    cluster: str = Field(..., description="The name of the cluster that adopted the idea and ran the cycle.")
    cluster_slug: str
    school: str = Field(..., description="The school's name followed by its cluster's, e.g. “Beta High (Beta)”.")
    decision: str
    decided_on: datetime.date | None
    predictions: int
    predictions_confirmed: int


class EvidenceOut(Schema):
    change_idea_id: int
    title: str
    level: str = Field(..., description="untested, being_tested, promising, supported or not_supported.")
    level_label: str
    reasons: list[str] = Field(..., description="Why the idea has its level, each with its numbers.")
    cycles: int
    schools: int
    predictions: dict[str, int] = Field(..., description="Predictions by outcome, and `unanswered`.")
    decisions: list[DecisionOut]
    signals: list[SignalOut] = Field(..., description="Linked outcome and driver measures in each adopting school.")
    other_measures: list[LinkedMeasureOut] = Field(..., description="Linked process and balancing measures: "
                                                   "shown, but they do not change the level.")
    other_cluster_cycles: list[OtherClusterCycleOut] = Field(
        ..., description="Cycles of the idea in other clusters that adopted it from this cluster's publication and "
                         "share their work with the network; they count in the level (not their measures).")
    other_clusters_not_sharing: int = Field(
        ..., description="Other clusters that adopted the idea and do not share their work: their cycles are not read.")


class SpreadStageIn(Schema):
    change_idea_id: RecordId
    school_id: RecordId
    stage: SpreadStage.Stage
    started_on: Day = Field(..., description="The day the school reached this stage.")
    reason: str = Field(..., description="Why the school moved to this stage, in the team's words.")


class SpreadStageOut(Schema):
    id: int
    change_idea_id: int
    school_id: int
    stage: str
    started_on: datetime.date
    reason: str
    recorded_by: str | None = Field(None, description="The username of whoever recorded it.")
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_recorded_by(record: SpreadStage) -> str | None:
        return record.recorded_by.get_username() if record.recorded_by else None


class SpreadStageFilters(Filters):
    change_idea: Annotated[RecordId | None, FilterLookup("change_idea_id")] = None
    school: Annotated[RecordId | None, FilterLookup("school_id")] = None
    stage: SpreadStage.Stage | None = None
    since: Annotated[Day | None, FilterLookup("started_on__gte")] = None
    until: Annotated[Day | None, FilterLookup("started_on__lte")] = None


@router.get("/clusters/{cluster}/learning/evidence", response=list[EvidenceOut], operation_id="list_evidence",
            summary="The evidence level of every current change idea, with its reasons")
def list_evidence(request, cluster: Text):
    with in_cluster(request.auth, cluster) as access:
        return [e.to_dict() for e in services.evidence_index(access.obj)]


@router.get("/clusters/{cluster}/learning/evidence/{change_idea_id}", response=EvidenceOut,
            operation_id="read_evidence", summary="The evidence for one change idea: level, reasons, facts")
def read_evidence(request, cluster: Text, change_idea_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        idea = change_idea_for_user(access, change_idea_id).obj
        return services.evidence_for(access.obj, idea).to_dict()


def _recorded_by_the_schools_team(stage: SpreadStage, extras: dict, access, user) -> None:
    """Who may record a stage depends on the school named in the payload: its design team (or a lead)."""
    if not can_change_school_work(user, access, stage.school_id):
        raise PermissionDenied(lacc.CANNOT_RECORD)


ClusterResource(
    path="learning/spread-stages", label="spread stage", model=SpreadStage, out=SpreadStageOut,
    payload=SpreadStageIn, filters=SpreadStageFilters, read=lacc.spread_stage_for_user, verbs=("list", "create"),
    new=lambda access, user: SpreadStage(cluster=access.obj, recorded_by=user),
    # Any reader may try: the school's team decides, in `before_save`.
    can_change=lambda user, access: True, before_save=_recorded_by_the_schools_team,
    ordering=["started_on", "pk"], select_related=["recorded_by"], operation_names=("spread_stages", "spread_stage"),
    summaries={"list": "The recorded spread stages, oldest first",
               "create": "Record that a change idea reached a stage in a school"},
    tag="Learning across the network",
).register(router)

