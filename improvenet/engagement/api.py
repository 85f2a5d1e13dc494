"""API routes for community engagement and school selection: the same rules as the pages.

Everyone who reads the cluster lists and reads events, their concerns and support, objections and
selection decisions; the cluster lead (and network admins) create and change them. A school that is
already a candidate of a decision answers 409; a decision made final while a candidate lacks an
outcome or a reason answers 422 naming `status`.
"""

import datetime

from django.db import transaction
from ninja import Field, PatchDict, Query, Router, Schema, Status

from improvenet.engagement import access as eng_access
from improvenet.engagement.models import Candidate, CommunityInput, EngagementEvent, Objection, SelectionDecision, Tag
from improvenet.engagement.services import community_input, filter_events
from improvenet.network.access import in_cluster
from improvenet.resources import PageParams, apply_payload, page_schema, paginate, save_checked

router = Router(tags=["Engagement"])

BASE = "/clusters/{cluster}/engagement"


# Events


class EventIn(Schema):
    held_on: datetime.date
    kind: str = Field(..., description="forum, family_meeting, board_session or listening_session.")
    school_id: int | None = Field(None, description="The school community; null for a district-wide event.")
    title: str = Field(..., min_length=1, max_length=200)
    attendance: int = Field(..., ge=0, description="How many people attended.")
    notes: str = ""


class EventOut(Schema):
    id: int
    held_on: datetime.date
    kind: str
    school_id: int | None
    title: str
    attendance: int
    notes: str


class EventFilters(Schema):
    school_id: int | None = Field(None, description="Only events held for this school community.")
    district_wide: bool = Field(False, description="Only district-wide events.")
    kind: str = Field("", description="Only events of this kind.")
    tag: str = Field("", description="Only events where a concern or support had this tag.")


@router.get(f"{BASE}/events", response=page_schema(EventOut), operation_id="list_engagement_events",
            summary="List the cluster's engagement events, newest first")
def list_events(request, cluster: str, filters: Query[EventFilters], page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        school = "district" if filters.district_wide else str(filters.school_id or "")
        events = filter_events(EngagementEvent.objects.all(), school=school, kind=filters.kind, tag=filters.tag)
        return paginate(events.order_by("-held_on", "-pk"), page)


@router.post(f"{BASE}/events", response={201: EventOut}, operation_id="create_engagement_event",
             summary="Record an engagement event (cluster lead)")
def create_event(request, cluster: str, payload: EventIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        event = EngagementEvent(cluster=access.obj, created_by=request.auth)
        apply_payload(event, payload.dict())
        save_checked(event)
        return Status(201, event)


@router.get(f"{BASE}/events/{{event_id}}", response=EventOut, operation_id="read_engagement_event",
            summary="Read an engagement event")
def read_event(request, cluster: str, event_id: int):
    with in_cluster(request.auth, cluster) as access:
        return eng_access.event_for_user(access, event_id).obj


@router.patch(f"{BASE}/events/{{event_id}}", response=EventOut, operation_id="update_engagement_event",
              summary="Change an engagement event (cluster lead)")
def update_event(request, cluster: str, event_id: int, payload: PatchDict[EventIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        event = eng_access.event_for_user(access, event_id).require_change()
        apply_payload(event, payload)
        save_checked(event)
        return event


# Concerns and support


class InputIn(Schema):
    event_id: int = Field(..., description="The engagement event where it was raised.")
    stance: str = Field(..., description="concern or support.")
    summary: str = Field(..., min_length=1)
    tags: list[str] = Field([], description="Tag names; tags already used in the cluster are reused.")


class InputOut(Schema):
    id: int
    event_id: int
    stance: str
    summary: str
    tags: list[str]


class InputFilters(Schema):
    event_id: int | None = None
    school_id: int | None = Field(None, description="Only input raised at events of this school community.")
    stance: str = Field("", description="concern or support.")
    tag: str = ""


def input_out(item: CommunityInput) -> dict:
    return {"id": item.pk, "event_id": item.event_id, "stance": item.stance, "summary": item.summary,
            "tags": [tag.name for tag in item.tags.all()]}


def _save_input(item: CommunityInput, data: dict) -> dict:
    tags = data.pop("tags", None)
    apply_payload(item, data)
    save_checked(item)
    if tags is not None:
        item.tags.set(Tag.for_names(item.event.cluster, tags))
    return input_out(item)


@router.get(f"{BASE}/inputs", response=page_schema(InputOut), operation_id="list_community_inputs",
            summary="List the concerns and support raised at the cluster's engagement events")
def list_inputs(request, cluster: str, filters: Query[InputFilters], page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        inputs = CommunityInput.objects.prefetch_related("tags").order_by("-event__held_on", "pk")
        if filters.event_id:
            inputs = inputs.filter(event_id=filters.event_id)
        if filters.school_id:
            inputs = inputs.filter(event__school_id=filters.school_id)
        if filters.stance:
            inputs = inputs.filter(stance=filters.stance)
        if filters.tag:
            inputs = inputs.filter(tags__name__iexact=filters.tag)
        listed = paginate(inputs, page)
        return listed | {"items": [input_out(item) for item in listed["items"]]}


@router.post(f"{BASE}/inputs", response={201: InputOut}, operation_id="create_community_input",
             summary="Record a concern or support raised at an event (cluster lead)")
def create_input(request, cluster: str, payload: InputIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        return Status(201, _save_input(CommunityInput(), payload.dict()))


@router.get(f"{BASE}/inputs/{{input_id}}", response=InputOut, operation_id="read_community_input",
            summary="Read a concern or support")
def read_input(request, cluster: str, input_id: int):
    with in_cluster(request.auth, cluster) as access:
        return input_out(eng_access.input_for_user(access, input_id).obj)


@router.patch(f"{BASE}/inputs/{{input_id}}", response=InputOut, operation_id="update_community_input",
              summary="Change a concern or support (cluster lead)")
def update_input(request, cluster: str, input_id: int, payload: PatchDict[InputIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        return _save_input(eng_access.input_for_user(access, input_id).require_change(), dict(payload))


@router.get(f"{BASE}/tags", response=list[str], operation_id="list_engagement_tags",
            summary="The tags used for concerns and support in the cluster")
def list_tags(request, cluster: str):
    with in_cluster(request.auth, cluster):
        return list(Tag.objects.order_by("name").values_list("name", flat=True))


# Objections


class ObjectionIn(Schema):
    school_id: int
    raised_on: datetime.date
    raised_by: str = Field(..., min_length=1, max_length=200, description="The group that raised it.")
    objection: str = Field(..., min_length=1)
    status: str = Field("open", description="open, addressed or upheld.")
    response: str = Field("", description="The district's response; needed once addressed or upheld.")
    responded_on: datetime.date | None = None


class ObjectionOut(Schema):
    id: int
    school_id: int
    raised_on: datetime.date
    raised_by: str
    objection: str
    status: str
    response: str
    responded_on: datetime.date | None


class ObjectionFilters(Schema):
    school_id: int | None = None
    status: str = Field("", description="open, addressed or upheld.")


@router.get(f"{BASE}/objections", response=page_schema(ObjectionOut), operation_id="list_objections",
            summary="List the objections raised in the cluster's school communities, newest first")
def list_objections(request, cluster: str, filters: Query[ObjectionFilters], page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        objections = Objection.objects.order_by("-raised_on", "-pk")
        if filters.school_id:
            objections = objections.filter(school_id=filters.school_id)
        if filters.status:
            objections = objections.filter(status=filters.status)
        return paginate(objections, page)


@router.post(f"{BASE}/objections", response={201: ObjectionOut}, operation_id="create_objection",
             summary="Record an objection (cluster lead)")
def create_objection(request, cluster: str, payload: ObjectionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        objection = Objection(cluster=access.obj)
        apply_payload(objection, payload.dict())
        save_checked(objection)
        return Status(201, objection)


@router.get(f"{BASE}/objections/{{objection_id}}", response=ObjectionOut, operation_id="read_objection",
            summary="Read an objection")
def read_objection(request, cluster: str, objection_id: int):
    with in_cluster(request.auth, cluster) as access:
        return eng_access.objection_for_user(access, objection_id).obj


@router.patch(f"{BASE}/objections/{{objection_id}}", response=ObjectionOut, operation_id="update_objection",
              summary="Change an objection, for example to record the response (cluster lead)")
def update_objection(request, cluster: str, objection_id: int, payload: PatchDict[ObjectionIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        objection = eng_access.objection_for_user(access, objection_id).require_change()
        apply_payload(objection, payload)
        save_checked(objection)
        return objection


# School-selection decisions and their candidates


class TagCountOut(Schema):
    tag: str
    concerns: int
    support: int


class CommunityInputOut(Schema):
    events: int = Field(..., description="Engagement events held for the school community.")
    attendance: int = Field(..., description="People who attended them, in all.")
    concerns: int
    support: int
    by_tag: list[TagCountOut]
    objection_ids: list[int]
    open_objections: int


class CandidateIn(Schema):
    school_id: int
    outcome: str = Field("", description="selected, withdrawn or not_selected; empty while being considered.")
    reason: str = ""
    objection_id: int | None = Field(None, description="The school's objection this outcome answers.")


class CandidateOut(Schema):
    id: int
    decision_id: int
    school_id: int
    school: str
    outcome: str
    reason: str
    objection_id: int | None
    community_input: CommunityInputOut


class DecisionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    status: str = Field("draft", description="draft or final; final needs an outcome and reason for every "
                                             "candidate, the date, who decided and the reasons.")
    decided_on: datetime.date | None = None
    decided_by: str = Field("", max_length=200)
    reasons: str = ""


class DecisionOut(Schema):
    id: int
    title: str
    status: str
    decided_on: datetime.date | None
    decided_by: str
    reasons: str
    candidates: list[CandidateOut]


def candidates_out(candidates: list[Candidate]) -> list[dict]:
    summaries = community_input([candidate.school for candidate in candidates])
    return [
        {"id": c.pk, "decision_id": c.decision_id, "school_id": c.school_id, "school": c.school.name,
         "outcome": c.outcome, "reason": c.reason, "objection_id": c.objection_id,
         "community_input": summaries[c.school_id].to_dict()}
        for c in candidates
    ]


def decision_out(decision: SelectionDecision) -> dict:
    return {
        "id": decision.pk, "title": decision.title, "status": decision.status, "decided_on": decision.decided_on,
        "decided_by": decision.decided_by, "reasons": decision.reasons,
        "candidates": candidates_out(list(decision.candidates.select_related("school"))),
    }


@router.get(f"{BASE}/decisions", response=page_schema(DecisionOut), operation_id="list_selection_decisions",
            summary="List the cluster's school-selection decisions with their candidates")
def list_decisions(request, cluster: str, page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        listed = paginate(SelectionDecision.objects.all(), page)
        return listed | {"items": [decision_out(d) for d in listed["items"]]}


@router.post(f"{BASE}/decisions", response={201: DecisionOut}, operation_id="create_selection_decision",
             summary="Start a school-selection decision (cluster lead)")
def create_decision(request, cluster: str, payload: DecisionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        decision = SelectionDecision(cluster=access.obj, created_by=request.auth)
        apply_payload(decision, payload.dict())
        save_checked(decision)
        return Status(201, decision_out(decision))


@router.get(f"{BASE}/decisions/{{decision_id}}", response=DecisionOut, operation_id="read_selection_decision",
            summary="Read a school-selection decision with its candidates and their community input")
def read_decision(request, cluster: str, decision_id: int):
    with in_cluster(request.auth, cluster) as access:
        return decision_out(eng_access.decision_for_user(access, decision_id).obj)


@router.patch(f"{BASE}/decisions/{{decision_id}}", response=DecisionOut,
              operation_id="update_selection_decision",
              summary="Change a school-selection decision, for example to make it final (cluster lead)")
def update_decision(request, cluster: str, decision_id: int, payload: PatchDict[DecisionIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        decision = eng_access.decision_for_user(access, decision_id).require_change()
        apply_payload(decision, payload)
        save_checked(decision)
        return decision_out(decision)


@router.get(f"{BASE}/decisions/{{decision_id}}/candidates", response=list[CandidateOut],
            operation_id="list_selection_candidates", summary="The candidate schools of a decision")
def list_candidates(request, cluster: str, decision_id: int):
    with in_cluster(request.auth, cluster) as access:
        decision = eng_access.decision_for_user(access, decision_id).obj
        return candidates_out(list(decision.candidates.select_related("school")))


@router.post(f"{BASE}/decisions/{{decision_id}}/candidates", response={201: CandidateOut},
             operation_id="create_selection_candidate", summary="Add a candidate school to a decision (cluster lead)")
def create_candidate(request, cluster: str, decision_id: int, payload: CandidateIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        decision = eng_access.decision_for_user(access, decision_id).require_change()
        candidate = Candidate(decision=decision)
        apply_payload(candidate, payload.dict())
        save_checked(candidate)
        return Status(201, candidates_out([candidate])[0])


@router.get(f"{BASE}/candidates/{{candidate_id}}", response=CandidateOut, operation_id="read_selection_candidate",
            summary="Read a candidate school with its community input")
def read_candidate(request, cluster: str, candidate_id: int):
    with in_cluster(request.auth, cluster) as access:
        return candidates_out([eng_access.candidate_for_user(access, candidate_id).obj])[0]


@router.patch(f"{BASE}/candidates/{{candidate_id}}", response=CandidateOut,
              operation_id="update_selection_candidate",
              summary="Record a candidate's outcome and reason (cluster lead)")
def update_candidate(request, cluster: str, candidate_id: int, payload: PatchDict[CandidateIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        candidate = eng_access.candidate_for_user(access, candidate_id).require_change()
        apply_payload(candidate, payload)
        save_checked(candidate)
        return candidates_out([candidate])[0]
