"""API routes of the standing panel: members, proposals, votes with ballots and results, decisions,
the research agenda and its history. The same rules as the pages: everyone with a role in the cluster
reads (each member's ballot included); the cluster lead and network admins add members and proposals,
set up votes, record ballots, close votes and record decisions (403 otherwise)."""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from improvenet.design.models import DesignChallenge
from improvenet.governance import access as gacc
from improvenet.governance import voting
from improvenet.governance.models import (
    AgendaChange,
    AgendaPriority,
    Constituency,
    Decision,
    PanelMember,
    Proposal,
    Vote,
    agenda_on,
)
from improvenet.network.access import MAX_ID, in_cluster
from improvenet.resources import ClusterResource, Day, RecordId, Text, apply_payload, save_checked

router = Router(tags=["Standing panel"])
Id = Field(..., gt=0, le=MAX_ID)


class MemberIn(Schema):
    person_id: int = Id
    constituency: Constituency
    term_starts_on: Day
    term_ends_on: Day
    ended_on: Day | None = Field(None, description="Only when the member left before the term's end.")


class MemberOut(Schema):
    id: int
    person_id: int
    person: str
    constituency: str
    term_starts_on: datetime.date
    term_ends_on: datetime.date
    ended_on: datetime.date | None
    serving_now: bool

    @staticmethod
    def resolve_person(member: PanelMember) -> str:
        return member.person.full_name


class ProposalIn(Schema):
    kind: Proposal.Kind
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = ""
    proposed_by_id: int = Id
    proposed_on: Day
    design_challenge_ids: list[RecordId] = Field([], description="Design challenges of the cluster it is linked to.")


class ProposalOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    proposed_by_id: int
    proposed_on: datetime.date
    design_challenge_ids: list[int]


def _proposal_out(proposal: Proposal) -> dict:
    """Read inside the cluster's scope: the linked challenges come through a scoped manager."""
    return {"id": proposal.pk, "kind": proposal.kind, "title": proposal.title, "description": proposal.description,
            "proposed_by_id": proposal.proposed_by_id, "proposed_on": proposal.proposed_on,
            "design_challenge_ids": sorted(c.pk for c in proposal.design_challenges.all())}


class VoteIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    method: Text = Field(..., description="approval or ranked_choice")
    held_on: Day = Field(..., description="Members whose term covers this day vote.")
    proposal_ids: list[RecordId] = Field(..., min_length=1)
    quorum_percent: int = Field(50, ge=0, le=100)
    quorum_min_count: int = Field(0, ge=0, le=1000)
    required_constituencies: list[Constituency] = []
    full_ranking: StrictBool = False


class BallotIn(Schema):
    member_id: int = Id
    proposal_ids: list[RecordId] = Field([], description="Approved proposals, or ranked ones, first preference first; "
                                                    "empty for an abstention.")


class BallotOut(Schema):
    member_id: int
    member: str
    constituency: str
    proposal_ids: list[int]


class VoteOut(Schema):
    id: int
    title: str
    method: str
    held_on: datetime.date
    proposal_ids: list[int]
    quorum_percent: int
    quorum_min_count: int
    required_constituencies: list[str]
    full_ranking: bool
    is_open: bool
    closed_at: datetime.datetime | None
    quorum_met: bool | None
    winner_id: int | None
    decision_id: int | None
    ballots: list[BallotOut]
    result: dict | None = Field(..., description="The count (governance.voting's VoteResult): quorum, turnout, "
                                                 "balance, approvals or runoff rounds, summary; proposals by id.")
    problems: list[str] = Field(..., description="Why the ballots cannot be counted, if they cannot.")


class DecisionChangeIn(Schema):
    action: AgendaChange.Action
    priority_id: RecordId | None = Field(None, description="The priority changed or taken off.")
    title: Text = ""
    description: Text = ""
    design_challenge_ids: list[RecordId] = []
    studies: list[dict] = Field([], description="Each {title, url, notes}; url and notes may be empty.")


class DecisionIn(Schema):
    decided_on: Day
    result: Text
    rationale: Text
    agenda_changes: list[DecisionChangeIn] = []


class AgendaItemOut(Schema):
    priority_id: int
    action: str
    title: str
    description: str
    design_challenge_ids: list[int]
    studies: list[dict]
    decision_id: int
    decided_on: datetime.date


class DecisionOut(Schema):
    id: int
    vote_id: int
    decided_on: datetime.date
    result: str
    rationale: str
    agenda_changes: list[AgendaItemOut]


def _change_out(change: AgendaChange) -> dict:
    return {"priority_id": change.priority_id, "action": change.action, "title": change.title,
            "description": change.description, "studies": change.studies, "decision_id": change.decision_id,
            "design_challenge_ids": sorted(c.pk for c in change.design_challenges.all()),
            "decided_on": change.decision.decided_on}


def _decision_out(decision: Decision) -> dict:
    return {"id": decision.pk, "vote_id": decision.vote_id, "decided_on": decision.decided_on,
            "result": decision.result, "rationale": decision.rationale,
            "agenda_changes": [_change_out(c) for c in decision.agenda_changes.all()]}


def _vote_out(vote: Vote, members: list | None = None) -> dict:
    result, problems = None, []
    try:
        result = dataclasses.asdict(vote.count(members))
    except voting.VoteError as error:
        problems = error.problems
    try:
        decision = vote.decision
    except Decision.DoesNotExist:
        decision = None
    return {
        "id": vote.pk, "title": vote.title, "method": vote.method, "held_on": vote.held_on,
        "proposal_ids": sorted(p.pk for p in vote.proposals.all()), "quorum_percent": vote.quorum_percent,
        "quorum_min_count": vote.quorum_min_count, "required_constituencies": vote.required_constituencies,
        "full_ranking": vote.full_ranking, "is_open": vote.is_open, "closed_at": vote.closed_at,
        "quorum_met": vote.quorum_met, "winner_id": vote.winner_id, "decision_id": decision.pk if decision else None,
        "ballots": [{"member_id": b.member_id, "member": b.member.person.full_name,
                     "constituency": b.member.constituency, "proposal_ids": [p.pk for p in b.proposals]}
                    for b in vote.ballots_in_order()],
        "result": result, "problems": problems,
    }


def _votes_out(votes: list[Vote]) -> list[dict]:
    return [_vote_out(vote, members) for vote, members in Vote.with_ballots(votes)]


def _objects(model, ids: list[int], field: str) -> list:
    found = list(model.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {o.pk for o in found})
    if missing:
        raise ValidationError({field: f"No {model._meta.verbose_name} with id {', '.join(map(str, missing))} "
                                      "in this cluster."})
    return found


ClusterResource(
    path="panel/members", label="panel member", model=PanelMember, out=MemberOut, payload=MemberIn,
    read=gacc.member_for_user, verbs=("list", "create"), select_related=["person"],
    operation_names=("panel_members", "panel_member"),
    summaries={"list": "The panel's members, current and past (include_ended for those who left early)",
               "create": "Add a member to the panel for a term (cluster lead)"},
    tag="Standing panel",
).register(router)


def _link_challenges(proposal: Proposal, extras: dict, access) -> None:
    proposal.design_challenges.set(_objects(DesignChallenge, extras["design_challenge_ids"], "design_challenge_ids"))


ClusterResource(
    path="panel/proposals", label="proposal", model=Proposal, out=ProposalOut, payload=ProposalIn,
    read=gacc.proposal_for_user, verbs=("list", "create"), prefetch_related=["design_challenges"],
    new=lambda access, user: Proposal(cluster=access.obj, recorded_by=user),
    present=lambda proposals: [_proposal_out(p) for p in proposals],
    extra_fields=("design_challenge_ids",), after_save=_link_challenges,
    operation_names=("panel_proposals", "panel_proposal"),
    summaries={"list": "The proposals brought to the panel, newest first",
               "create": "Add a proposal: a high-leverage problem or a research question (cluster lead)"},
    tag="Standing panel",
).register(router)

# Setting up a vote stays hand-written (below): it answers an unknown method with its own message,
# before the proposals are looked up.
ClusterResource(
    path="panel/votes", label="vote", model=Vote, out=VoteOut, read=gacc.vote_for_user, id_name="vote_id",
    verbs=("list", "read"), paged=False, present=_votes_out,
    operation_names=("panel_votes", "panel_vote"),
    summaries={"list": "The panel's votes, newest first, with ballots and counts",
               "read": "A vote with each member's ballot and the count"},
    tag="Standing panel",
).register(router)


@router.post("/clusters/{cluster}/panel/votes", response={201: VoteOut}, operation_id="create_panel_vote",
             summary="Set up a vote on proposals (cluster lead)")
def create_vote(request, cluster: Text, payload: VoteIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        vote = Vote(cluster=access.require_change(), created_by=request.auth)
        if payload.method not in voting.METHODS:
            raise ValidationError({"method": f"Use '{voting.APPROVAL}' or '{voting.RANKED_CHOICE}'."})
        data = payload.dict()
        proposals = _objects(Proposal, data.pop("proposal_ids"), "proposal_ids")
        apply_payload(vote, {**data, "required_constituencies": [str(c) for c in data["required_constituencies"]]})
        save_checked(vote)
        vote.proposals.set(proposals)
        return Status(201, _vote_out(vote))


@router.post("/clusters/{cluster}/panel/votes/{vote_id}/ballots", response={201: VoteOut},
             operation_id="record_panel_ballot", summary="Record one member's ballot (cluster lead)")
def record_ballot(request, cluster: Text, vote_id: RecordId, payload: BallotIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        vote = gacc.vote_for_user(access, vote_id).require_change()
        member = PanelMember.objects.filter(pk=payload.member_id).select_related("person").first()
        if member is None:
            raise ValidationError({"member_id": f"There is no panel member with id {payload.member_id} in this "
                                                "cluster."})
        found = {p.pk: p for p in _objects(Proposal, payload.proposal_ids, "proposal_ids")}
        try:
            vote.record_ballot(member, [found[pk] for pk in payload.proposal_ids], request.auth)
        except ValidationError as error:
            raise ValidationError({{"member": "member_id", "choices": "proposal_ids"}.get(k, k): v
                                   for k, v in error.message_dict.items()}) from error
        return Status(201, _vote_out(vote))


@router.post("/clusters/{cluster}/panel/votes/{vote_id}/close", response=VoteOut, operation_id="close_panel_vote",
             summary="Close a vote and count it (cluster lead)")
def close_vote(request, cluster: Text, vote_id: RecordId):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        vote = gacc.vote_for_user(access, vote_id).require_change()
        vote.close(request.auth)
        return _vote_out(vote)


@router.post("/clusters/{cluster}/panel/votes/{vote_id}/decision", response={201: DecisionOut},
             operation_id="record_panel_decision",
             summary="Record the decision of a closed vote that reached quorum, and its agenda changes (cluster lead)")
def record_decision(request, cluster: Text, vote_id: RecordId, payload: DecisionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        vote = gacc.vote_for_user(access, vote_id).require_change()
        decision = Decision(cluster=access.obj, vote=vote, decided_on=payload.decided_on, result=payload.result,
                            rationale=payload.rationale, recorded_by=request.auth)
        save_checked(decision)
        for number, change in enumerate(payload.agenda_changes, start=1):
            priority = None
            if change.priority_id is not None:
                priority = AgendaPriority.objects.filter(pk=change.priority_id).first()
                if priority is None:
                    raise ValidationError({f"agenda_changes[{number}].priority_id": "No such priority in this "
                                                                                    "cluster."})
            challenges = _objects(DesignChallenge, change.design_challenge_ids,
                                  f"agenda_changes[{number}].design_challenge_ids")
            try:
                decision.change_agenda(change.action, priority, title=change.title, description=change.description,
                                       design_challenges=challenges, studies=change.studies)
            except ValidationError as error:
                raise ValidationError({f"agenda_changes[{number}].{k}": v for k, v in error.message_dict.items()}) \
                    from error
        return Status(201, _decision_out(decision))


ClusterResource(
    path="panel/decisions", label="decision", model=Decision, out=DecisionOut, read=gacc.decision_for_user,
    verbs=("list",), paged=False, prefetch_related=["agenda_changes__design_challenges"],
    present=lambda decisions: [_decision_out(d) for d in decisions],
    operation_names=("panel_decisions", "panel_decision"),
    summaries={"list": "The panel's decisions, newest first, with the agenda changes each made"},
    tag="Standing panel",
).register(router)


@router.get("/clusters/{cluster}/research-agenda", response=list[AgendaItemOut], operation_id="read_research_agenda",
            summary="The research agenda as it stood on a day (today when left out)")
def read_agenda(request, cluster: Text, on: Day | None = None):
    with in_cluster(request.auth, cluster):
        return [_change_out(c) for c in agenda_on(on or timezone.localdate())]


@router.get("/clusters/{cluster}/research-agenda/history", response=list[AgendaItemOut],
            operation_id="read_research_agenda_history", summary="Every change to the research agenda, oldest first")
def read_agenda_history(request, cluster: Text):
    with in_cluster(request.auth, cluster):
        changes = AgendaChange.objects.select_related("decision").prefetch_related("design_challenges")
        return [_change_out(c) for c in changes]
