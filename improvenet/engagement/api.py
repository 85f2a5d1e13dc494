"""API routes for community engagement and school selection: the same rules as the pages.

Everyone who reads the cluster lists and reads events, their concerns and support, objections and
selection decisions; the cluster lead (and network admins) create and change them. A school that is
already a candidate of a decision answers 409; a decision made final while a candidate lacks an
outcome or a reason answers 422 naming `status`.
"""

import datetime
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup, Router, Schema

from improvenet.engagement import access as eng_access
from improvenet.engagement.models import Candidate, CommunityInput, EngagementEvent, Objection, SelectionDecision, Tag
from improvenet.engagement.services import community_input
from improvenet.network.access import in_cluster
from improvenet.resources import MAX_INTEGER, WITHOUT_END, ClusterResource, Day, Filters, Parent, RecordId, Text

router = Router(tags=["Engagement"])

BASE = "/clusters/{cluster}/engagement"


# Events


class EventIn(Schema):
    held_on: Day
    kind: str = Field(..., description="forum, family_meeting, board_session or listening_session.")
    school_id: RecordId | None = Field(None, description="The school community; null for a district-wide event.")
    title: str = Field(..., min_length=1, max_length=200)
    attendance: int = Field(..., ge=0, le=MAX_INTEGER, description="How many people attended.")
    notes: str = ""


class EventOut(Schema):
    id: int
    held_on: datetime.date
    kind: str
    school_id: int | None
    title: str
    attendance: int
    notes: str


class EventFilters(Filters):
    school_id: RecordId | None = Field(None, description="Only events held for this school community.")
    district_wide: bool = Field(False, description="Only district-wide events.")
    kind: str = Field("", description="Only events of this kind.")
    tag: str = Field("", description="Only events where a concern or support had this tag.")

    def filter_school_id(self, school_id: int | None) -> Q:
        return Q(school_id=school_id) if school_id and not self.district_wide else Q()

    def filter_district_wide(self, district_wide: bool) -> Q:
        return Q(school__isnull=True) if district_wide else Q()

    def filter_tag(self, tag: str) -> Q:
        return Q(pk__in=CommunityInput.objects.filter(tags__name__iexact=tag).values("event_id"))


ClusterResource(
    path="engagement/events", label="engagement event", model=EngagementEvent, out=EventOut, payload=EventIn,
    filters=EventFilters, read=eng_access.event_for_user, id_name="event_id", verbs=WITHOUT_END,
    new=lambda access, user: EngagementEvent(cluster=access.obj, created_by=user), ordering=["-held_on", "-pk"],
    operation_names=("engagement_events", "engagement_event"),
    summaries={"list": "List the cluster's engagement events, newest first",
               "create": "Record an engagement event (cluster lead)", "read": "Read an engagement event",
               "change": "Change an engagement event (cluster lead)"},
    tag="Engagement",
).register(router)


# Concerns and support


class InputIn(Schema):
    event_id: RecordId = Field(..., description="The engagement event where it was raised.")
    stance: str = Field(..., description="concern or support.")
    summary: str = Field(..., min_length=1)
    tags: list[str] = Field([], description="Tag names; tags already used in the cluster are reused.")


class InputOut(Schema):
    id: int
    event_id: int
    stance: str
    summary: str
    tags: list[str]


class InputFilters(Filters):
    event_id: RecordId | None = None
    school_id: Annotated[RecordId | None, FilterLookup("event__school_id")] = Field(
        None, description="Only input raised at events of this school community.")
    stance: str = Field("", description="concern or support.")
    tag: Annotated[str, FilterLookup("tags__name__iexact")] = ""


def inputs_out(items: list[CommunityInput]) -> list[dict]:
    return [{"id": item.pk, "event_id": item.event_id, "stance": item.stance, "summary": item.summary,
             "tags": [tag.name for tag in item.tags.all()]} for item in items]


def _set_tags(item: CommunityInput, extras: dict, access) -> None:
    if extras.get("tags") is not None:
        item.tags.set(Tag.for_names(item.event.cluster, extras["tags"]))


ClusterResource(
    path="engagement/inputs", label="community input", model=CommunityInput, out=InputOut, payload=InputIn,
    filters=InputFilters, read=eng_access.input_for_user, id_name="input_id", verbs=WITHOUT_END,
    new=lambda access, user: CommunityInput(), ordering=["-event__held_on", "pk"], prefetch_related=["tags"],
    present=inputs_out, extra_fields=("tags",), after_save=_set_tags,
    operation_names=("community_inputs", "community_input"),
    summaries={"list": "List the concerns and support raised at the cluster's engagement events",
               "create": "Record a concern or support raised at an event (cluster lead)",
               "read": "Read a concern or support", "change": "Change a concern or support (cluster lead)"},
    tag="Engagement",
).register(router)


@router.get(f"{BASE}/tags", response=list[str], operation_id="list_engagement_tags",
            summary="The tags used for concerns and support in the cluster")
def list_tags(request, cluster: Text):
    with in_cluster(request.auth, cluster):
        return list(Tag.objects.order_by("name").values_list("name", flat=True))


# Objections


class ObjectionIn(Schema):
    school_id: RecordId
    raised_on: Day
    raised_by: str = Field(..., min_length=1, max_length=200, description="The group that raised it.")
    objection: str = Field(..., min_length=1)
    status: str = Field("open", description="open, addressed or upheld.")
    response: str = Field("", description="The district's response; needed once addressed or upheld.")
    responded_on: Day | None = None


class ObjectionOut(Schema):
    id: int
    school_id: int
    raised_on: datetime.date
    raised_by: str
    objection: str
    status: str
    response: str
    responded_on: datetime.date | None


class ObjectionFilters(Filters):
    school_id: RecordId | None = None
    status: str = Field("", description="open, addressed or upheld.")


ClusterResource(
    path="engagement/objections", label="objection", model=Objection, out=ObjectionOut, payload=ObjectionIn,
    filters=ObjectionFilters, read=eng_access.objection_for_user, id_name="objection_id",
    verbs=WITHOUT_END, ordering=["-raised_on", "-pk"],
    summaries={"list": "List the objections raised in the cluster's school communities, newest first",
               "create": "Record an objection (cluster lead)", "read": "Read an objection",
               "change": "Change an objection, for example to record the response (cluster lead)"},
    tag="Engagement",
).register(router)


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
    school_id: RecordId
    outcome: str = Field("", description="selected, withdrawn or not_selected; empty while being considered.")
    reason: str = ""
    objection_id: RecordId | None = Field(None, description="The school's objection this outcome answers.")


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
    decided_on: Day | None = None
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


def decisions_out(decisions: list[SelectionDecision]) -> list[dict]:
    return [{
        "id": decision.pk, "title": decision.title, "status": decision.status, "decided_on": decision.decided_on,
        "decided_by": decision.decided_by, "reasons": decision.reasons,
        "candidates": candidates_out(list(decision.candidates.select_related("school"))),
    } for decision in decisions]


ClusterResource(
    path="engagement/decisions", label="selection decision", model=SelectionDecision, out=DecisionOut,
    payload=DecisionIn, read=eng_access.decision_for_user, id_name="decision_id",
    verbs=WITHOUT_END,
    new=lambda access, user: SelectionDecision(cluster=access.obj, created_by=user), present=decisions_out,
    operation_names=("selection_decisions", "selection_decision"),
    summaries={"list": "List the cluster's school-selection decisions with their candidates",
               "create": "Start a school-selection decision (cluster lead)",
               "read": "Read a school-selection decision with its candidates and their community input",
               "change": "Change a school-selection decision, for example to make it final (cluster lead)"},
    tag="Engagement",
).register(router)

ClusterResource(
    path="engagement/candidates", label="selection candidate", model=Candidate, out=CandidateOut,
    payload=CandidateIn, read=eng_access.candidate_for_user, id_name="candidate_id",
    verbs=WITHOUT_END, paged=False, select_related=["school"],
    parent=Parent(collection="engagement/decisions/{decision_id}/candidates", id_name="decision_id",
                  read=eng_access.decision_for_user, field="decision"),
    new=lambda access, user: Candidate(), present=candidates_out,
    operation_names=("selection_candidates", "selection_candidate"),
    summaries={"list": "The candidate schools of a decision",
               "create": "Add a candidate school to a decision (cluster lead)",
               "read": "Read a candidate school with its community input",
               "change": "Record a candidate's outcome and reason (cluster lead)"},
    tag="Engagement",
).register(router)
