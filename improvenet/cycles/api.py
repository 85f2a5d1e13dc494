"""API routes for PDSA cycles, their predictions and the team board: the same rules as the pages.

A refused step (a quality gate, or a step of another stage) answers 422 with the refusal as
`detail`, e.g. "Add at least one prediction before starting Do.", and in `errors` under the field
it concerns. Changing another school's cycle answers 403; a cycle of another cluster 404.
"""

import datetime
from typing import Annotated

from django.db import transaction
from django.db.models import Count
from ninja import Field, FilterLookup, Query, Router, Schema, Status

from improvenet.cycles import access as cacc
from improvenet.cycles.models import GateRefused, PdsaCycle, Prediction, PredictionEdit
from improvenet.measures.models import Measure
from improvenet.network.access import in_cluster
from improvenet.network.models import Team
from improvenet.resources import Day, Filters, PageParams, Patch, RecordId, Text, apply_payload, paginate, save_checked

router = Router(tags=["PDSA cycles"])


# Schemas ------------------------------------------------------------------------------------------


class PlanFields(Schema):
    objective: str = Field(..., min_length=1, description="What this test is for.")
    change_idea_id: RecordId = Field(..., description="The change idea of the shared design the cycle tests.")
    questions: str = ""
    who: str = Field("", max_length=300)
    where: str = Field("", max_length=300)
    scale: PdsaCycle.Scale = Field(PdsaCycle.Scale.CLASSROOM, description="The scale of the test.")
    planned_start: Day
    planned_end: Day | None = None
    data_to_collect: str = ""
    measure_ids: list[RecordId] = Field([], description="Ids of the cluster's measures whose charts mark this cycle.")


class CycleIn(PlanFields):
    team_id: RecordId = Field(..., description="The school design team running the cycle; its school is the cycle's.")
    previous_id: RecordId | None = Field(None, description="The decided cycle this one follows in a ramp.")


class CycleChange(PlanFields):
    """Each stage writes its own fields: the Plan in Plan, the notes of Do in Do, the learning in Study."""

    what_happened: str = ""
    observations: str = ""
    data_collected: str = ""
    learning: str = ""
    decision_notes: str = ""


class PredictionEditOut(Schema):
    id: int
    edited_by: str | None
    edited_at: datetime.datetime
    stage: str
    reason: str
    text_before: str
    criterion_before: str
    text_after: str
    criterion_after: str


class PredictionOut(Schema):
    id: int
    cycle_id: int
    number: int
    text: str
    confirm_criterion: str
    outcome: str = Field(..., description="confirmed, not_confirmed, unclear, or empty while unanswered.")
    what_happened: str
    answered_at: datetime.datetime | None
    locked: bool = Field(..., description="True once Do has started: edits are then kept in `edits`.")
    edits: list[PredictionEditOut]


class NextStep(Schema):
    label: str
    missing: list[str]


class CycleSummary(Schema):
    id: int
    school_id: int
    team_id: int
    change_idea_id: int
    objective: str
    stage: str
    scale: str
    planned_start: datetime.date
    do_started_on: datetime.date | None
    decision: str
    decided_on: datetime.date | None
    previous_id: int | None
    copied_from_id: int | None


class CycleOut(CycleSummary):
    measure_ids: list[int]
    questions: str
    who: str
    where: str
    planned_end: datetime.date | None
    data_to_collect: str
    what_happened: str
    observations: str
    data_collected: str
    study_started_on: datetime.date | None
    learning: str
    study_closed_on: datetime.date | None
    decision_notes: str
    next_id: int | None
    copy_ids: list[int]
    predictions: list[PredictionOut]
    next_step: NextStep
    withdrawn_at: datetime.datetime | None = Field(..., description="When the cycle was withdrawn; null while it "
                                                                     "counts (docs/pdsa.md, Corrections).")
    withdrawal_reason: str
    reopenings: list["ReopeningOut"]


class ReopeningOut(Schema):
    reopened_by: str | None
    reopened_at: datetime.datetime
    reason: str
    decision: str = Field(..., description="The decision as it was before it was reopened.")
    decided_on: datetime.date
    decision_notes: str


CycleOut.model_rebuild()


class CyclePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CycleSummary]


class CycleFilters(Filters):
    school: Annotated[RecordId | None, FilterLookup("school_id")] = None
    team: Annotated[RecordId | None, FilterLookup("team_id")] = None
    change_idea: Annotated[RecordId | None, FilterLookup("change_idea_id")] = None
    stage: PdsaCycle.Stage | None = None
    decision: PdsaCycle.Decision | None = None


class StepIn(Schema):
    on: Day | None = Field(None, description="The day of the step; today when left out.")


class DecisionIn(Schema):
    decision: str = Field(..., description="adopt, adapt or abandon.")
    on: Day | None = None
    notes: str = ""
    next_objective: str = Field("", description="When given, plans the next cycle of the ramp with this objective.")
    next_planned_start: Day | None = None


class ReopenIn(Schema):
    reason: str = Field(..., min_length=1, description="Why the decision is reopened; shown on the cycle's page.")


class CopyIn(Schema):
    team_id: RecordId = Field(..., description="The school design team whose school starts its own cycle from this "
                                               "one.")
    planned_start: Day | None = None


class PredictionIn(Schema):
    text: str = Field(..., min_length=1)
    confirm_criterion: str = Field(..., min_length=1, description="What would confirm the prediction.")


class PredictionChange(Schema):
    text: str = Field("", min_length=1)
    confirm_criterion: str = Field("", min_length=1)
    reason: str = Field("", description="Required once Do has started: the edit is kept and shown.")


class AnswerIn(Schema):
    outcome: str = Field(..., description="confirmed, not_confirmed or unclear.")
    what_happened: str = Field(..., description="What happened, compared with the prediction.")


class BoardColumn(Schema):
    stage: str
    label: str
    cycles: list[CycleSummary]


class BoardOut(Schema):
    team_id: int
    team: str
    school_id: int | None
    columns: list[BoardColumn]


# Rendering ----------------------------------------------------------------------------------------


def _edit_out(edit: PredictionEdit) -> dict:
    return {
        "id": edit.pk, "edited_by": edit.edited_by.get_username() if edit.edited_by else None,
        "edited_at": edit.edited_at, "stage": edit.stage, "reason": edit.reason, "text_before": edit.text_before,
        "criterion_before": edit.criterion_before, "text_after": edit.text_after,
        "criterion_after": edit.criterion_after,
    }


def prediction_out(prediction: Prediction, locked: bool | None = None) -> dict:
    edits = prediction.edits.select_related("edited_by").order_by("edited_at", "pk")
    return {
        "id": prediction.pk, "cycle_id": prediction.cycle_id, "number": prediction.number, "text": prediction.text,
        "confirm_criterion": prediction.confirm_criterion, "outcome": prediction.outcome,
        "what_happened": prediction.what_happened, "answered_at": prediction.answered_at,
        "locked": prediction.is_locked if locked is None else locked, "edits": [_edit_out(e) for e in edits],
    }


def cycle_out(cycle: PdsaCycle) -> dict:
    cycle = PdsaCycle.with_withdrawn.get(pk=cycle.pk)  # fresh, after any step
    following = cycle.next_cycle
    data = {name: getattr(cycle, name) for name in CycleOut.model_fields if hasattr(cycle, name)}
    data |= {
        "measure_ids": list(cycle.measures.values_list("pk", flat=True)),
        "next_id": following.pk if following else None,
        "copy_ids": list(cycle.copies.order_by("pk").values_list("pk", flat=True)),
        "predictions": [prediction_out(p, cycle.predictions_locked) for p in cycle.predictions.order_by("number")],
        "next_step": cycle.next_step(),
        "reopenings": [
            {"reopened_by": r.reopened_by.get_username() if r.reopened_by else None, "reopened_at": r.reopened_at,
             "reason": r.reason, "decision": r.decision, "decided_on": r.decided_on, "decision_notes": r.decision_notes}
            for r in cycle.reopenings.select_related("reopened_by")
        ],
    }
    return data


def _set_measures(cycle: PdsaCycle, ids: list[int]) -> None:
    measures = list(Measure.objects.filter(pk__in=ids))
    unknown = sorted(set(ids) - {m.pk for m in measures})
    if unknown:
        raise GateRefused("measure_ids", f"There is no measure with id {unknown[0]} in this cluster.")
    cycle.measures.set(measures)


def _team(pk: int) -> Team:
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise GateRefused("team_id", f"There is no team with id {pk} in this cluster.")
    return team


# Cycles -------------------------------------------------------------------------------------------


@router.get("/clusters/{cluster}/cycles", response=CyclePage, operation_id="list_cycles",
            summary="List the cluster's PDSA cycles")
def list_cycles(request, cluster: Text, filters: Query[CycleFilters], page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        return paginate(filters.filter(PdsaCycle.objects.order_by("-planned_start", "pk")), page)


@router.post("/clusters/{cluster}/cycles", response={201: CycleOut}, operation_id="create_cycle",
             summary="Plan a PDSA cycle")
def create_cycle(request, cluster: Text, payload: CycleIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        data = payload.dict()
        team = cacc.require_team_writable(request.auth, access, _team(data.pop("team_id")))
        measure_ids = data.pop("measure_ids")
        cycle = PdsaCycle(cluster=access.obj, team=team, school_id=team.school_id, created_by=request.auth)
        apply_payload(cycle, data)
        save_checked(cycle)
        _set_measures(cycle, measure_ids)
        return Status(201, cycle_out(cycle))


@router.get("/clusters/{cluster}/cycles/{cycle_id}", response=CycleOut, operation_id="read_cycle",
            summary="Read a PDSA cycle with its predictions and their edits")
def read_cycle(request, cluster: Text, cycle_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        return cycle_out(cacc.cycle_for_user(request.auth, access, cycle_id).obj)


@router.patch("/clusters/{cluster}/cycles/{cycle_id}", response=CycleOut, operation_id="update_cycle",
              summary="Change the fields of the cycle's current stage")
def update_cycle(request, cluster: Text, cycle_id: RecordId, payload: Patch[CycleChange]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        cycle = cacc.require_change(cacc.cycle_for_user(request.auth, access, cycle_id))
        data = dict(payload)
        names = [key.removesuffix("_id") if key != "measure_ids" else "measures" for key in data]
        cycle.check_changeable(names)
        measure_ids = data.pop("measure_ids", None)
        apply_payload(cycle, data)
        save_checked(cycle)
        if measure_ids is not None:
            _set_measures(cycle, measure_ids)
        return cycle_out(cycle)


def _step(method: str):
    def run(request, cluster: Text, cycle_id: RecordId, payload: StepIn | None = None):
        with in_cluster(request.auth, cluster) as access, transaction.atomic():
            cycle = cacc.require_change(cacc.cycle_for_user(request.auth, access, cycle_id))
            getattr(cycle, method)(payload.on if payload else None, user=request.auth)
            return cycle_out(cycle)

    return run


router.post("/clusters/{cluster}/cycles/{cycle_id}/start-do", response=CycleOut, operation_id="start_do",
            summary="Start Do (needs at least one prediction; locks the predictions)")(_step("start_do"))
router.post("/clusters/{cluster}/cycles/{cycle_id}/start-study", response=CycleOut, operation_id="start_study",
            summary="Start Study (needs what happened in Do)")(_step("start_study"))
router.post("/clusters/{cluster}/cycles/{cycle_id}/close-study", response=CycleOut, operation_id="close_study",
            summary="Close Study (needs every prediction answered and what was learned)")(_step("close_study"))


@router.post("/clusters/{cluster}/cycles/{cycle_id}/decide", response=CycleOut, operation_id="decide_cycle",
             summary="Act: adopt, adapt or abandon, and optionally plan the next cycle of the ramp")
def decide_cycle(request, cluster: Text, cycle_id: RecordId, payload: DecisionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        cycle = cacc.require_change(cacc.cycle_for_user(request.auth, access, cycle_id))
        cycle.decide(payload.decision, payload.on, payload.notes, next_objective=payload.next_objective.strip(),
                     next_planned_start=payload.next_planned_start, user=request.auth)
        return cycle_out(cycle)


@router.post("/clusters/{cluster}/cycles/{cycle_id}/reopen", response=CycleOut, operation_id="reopen_cycle_decision",
             summary="Take a decision back to Act within the allowed days, with a reason (kept on the cycle)")
def reopen_cycle_decision(request, cluster: Text, cycle_id: RecordId, payload: ReopenIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        cycle = cacc.require_change(cacc.cycle_for_user(request.auth, access, cycle_id))
        cycle.reopen_decision(payload.reason, request.auth)
        return cycle_out(cycle)


@router.post("/clusters/{cluster}/cycles/{cycle_id}/copy", response={201: CycleOut}, operation_id="copy_cycle",
             summary="Start your school's cycle from another school's (the lineage is kept)")
def copy_cycle(request, cluster: Text, cycle_id: RecordId, payload: CopyIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        cycle = cacc.cycle_for_user(request.auth, access, cycle_id).obj
        team = cacc.require_team_writable(request.auth, access, _team(payload.team_id))
        return Status(201, cycle_out(cycle.copy_to(team, request.auth, payload.planned_start)))


# Predictions --------------------------------------------------------------------------------------


@router.post("/clusters/{cluster}/cycles/{cycle_id}/predictions", response={201: PredictionOut},
             operation_id="create_prediction", summary="Add a prediction (in Plan only)")
def create_prediction(request, cluster: Text, cycle_id: RecordId, payload: PredictionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        cycle = cacc.require_change(cacc.cycle_for_user(request.auth, access, cycle_id))
        return Status(201, prediction_out(cycle.add_prediction(payload.text, payload.confirm_criterion, request.auth)))


@router.patch("/clusters/{cluster}/predictions/{prediction_id}", response=PredictionOut,
              operation_id="update_prediction", summary="Change a prediction (after Do starts, kept as an edit)")
def update_prediction(request, cluster: Text, prediction_id: RecordId, payload: Patch[PredictionChange]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        prediction = cacc.require_change(cacc.prediction_for_user(request.auth, access, prediction_id))
        prediction.edit(payload.get("text", prediction.text),
                        payload.get("confirm_criterion", prediction.confirm_criterion),
                        request.auth, payload.get("reason", ""))
        return prediction_out(Prediction.objects.get(pk=prediction.pk))


@router.post("/clusters/{cluster}/predictions/{prediction_id}/answer", response=PredictionOut,
             operation_id="answer_prediction", summary="Study: compare a prediction with what happened")
def answer_prediction(request, cluster: Text, prediction_id: RecordId, payload: AnswerIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        prediction = cacc.require_change(cacc.prediction_for_user(request.auth, access, prediction_id))
        prediction.answer(payload.outcome, payload.what_happened, request.auth)
        return prediction_out(prediction)


# The team board -----------------------------------------------------------------------------------


@router.get("/clusters/{cluster}/teams/{team_id}/board", response=BoardOut, operation_id="team_board",
            summary="A team's PDSA cycles in columns by stage")
def team_board(request, cluster: Text, team_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        team = cacc.board_team_for_user(request.auth, access, team_id).obj
        cycles = list(PdsaCycle.objects.filter(team=team).annotate(n=Count("predictions")).order_by("-planned_start"))
        columns = [{"stage": value, "label": label, "cycles": [c for c in cycles if c.stage == value]}
                   for value, label in PdsaCycle.Stage.choices]
        return {"team_id": team.pk, "team": team.name, "school_id": team.school_id, "columns": columns}

