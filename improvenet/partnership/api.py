"""API routes for partnership health: the same rules as the pages.

Everyone who reads the cluster reads the rubric, rounds, self-assessments and the report. The
cluster lead (and network admins) save new rubric versions and plan rounds; self-assessments are
recorded by the lead or by people of the organization assessed (see improvenet.partnership.access).
"""

import datetime
from bisect import bisect_left

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from ninja import Field, Router, Schema, Status

from improvenet.network.access import in_cluster
from improvenet.partnership import access as pa
from improvenet.partnership import health as ph
from improvenet.partnership import services
from improvenet.partnership.models import Round, Rubric, SelfAssessment
from improvenet.resources import WITHOUT_END, ClusterResource, Day, Parent, RecordId, Text, apply_payload

router = Router(tags=["Partnership health"])
P = "/clusters/{cluster}/partnership"


class LevelIO(Schema):
    key: Text
    label: Text
    descriptor: Text


class DimensionIO(Schema):
    key: Text
    label: Text
    question: Text = ""
    levels: list[LevelIO]


class RubricIn(Schema):
    title: Text = Field(ph.DEFAULT_RUBRIC.title, min_length=1, max_length=200)
    gap_threshold: int = Field(ph.DEFAULT_GAP_THRESHOLD, ge=1, le=100)
    change_note: Text = Field("", max_length=300)
    dimensions: list[DimensionIO]


class RubricOut(Schema):
    id: int | None = Field(..., description="Null while the cluster uses the default rubric, not yet saved.")
    version: int
    title: str
    gap_threshold: int
    change_note: str
    created_at: datetime.datetime | None
    dimensions: list[DimensionIO]


class RoundIn(Schema):
    held_on: Day
    title: Text = Field(..., min_length=1, max_length=200)
    notes: Text = ""


class RoundOut(Schema):
    id: int
    number: int = Field(..., description="The round's place in date order, from 1.")
    held_on: datetime.date
    title: str
    notes: str


class RatingIO(Schema):
    dimension: Text = Field(..., description="A dimension key of the rubric.")
    level: Text = Field(..., description="A level key of that dimension.")
    evidence: Text = Field(..., description="Required: what shows the partnership is at this level.")


class AssessmentIn(Schema):
    organization_id: RecordId
    notes: Text = ""
    ratings: list[RatingIO]


class AssessmentChange(Schema):
    notes: Text = ""
    ratings: list[RatingIO]


class AssessmentOut(Schema):
    id: int
    round_id: int
    organization_id: int
    organization: str
    rubric_version: int
    notes: str
    ratings: list[RatingIO]


class TrendPointOut(Schema):
    round: int
    on: datetime.date
    level: int
    label: str


class OrganizationTrendOut(Schema):
    organization: str
    points: list[TrendPointOut]
    summary: str


class MedianOut(Schema):
    round: int
    median: float
    organizations: int
    label: str


class TrendOut(Schema):
    dimension: str
    by_organization: list[OrganizationTrendOut]
    median: list[MedianOut]
    summary: str


class GapRatingOut(Schema):
    organization: str
    level: int
    label: str
    evidence: str


class GapOut(Schema):
    round: int
    dimension: str
    spread: int
    ratings: list[GapRatingOut]
    summary: str


class OutcomeAtRound(Schema):
    round: int
    held_on: datetime.date
    value: float | None


class OutcomeOut(Schema):
    measure_id: int
    measure: str
    unit: str
    at_rounds: list[OutcomeAtRound]


class ReportOut(Schema):
    rubric_version: int
    gap_threshold: int
    rounds: list[RoundOut]
    summary: list[str]
    trends: list[TrendOut]
    gaps: list[GapOut]
    outcomes: list[OutcomeOut] = Field(..., description="The cluster's outcome measures, all schools pooled, at "
                                                        "each round (the latest period on or before its date).")
    left_out: list[str]


def rubric_out(rubric: Rubric) -> dict:
    return {"id": rubric.pk, "version": rubric.version, "title": rubric.title, "gap_threshold": rubric.gap_threshold,
            "change_note": rubric.change_note, "created_at": rubric.created_at, "dimensions": rubric.dimensions}


def rubrics_out(rubrics: list[Rubric]) -> list[dict]:
    return [rubric_out(rubric) for rubric in rubrics]


def round_out(round_: Round, number: int) -> dict:
    return {"id": round_.pk, "number": number, "held_on": round_.held_on, "title": round_.title,
            "notes": round_.notes}


def rounds_out(rounds: list[Round]) -> list[dict]:
    # A round's number is its place in date order (Round.number), for a whole page in one query.
    held = sorted(Round.objects.values_list("held_on", flat=True))
    return [round_out(round_, bisect_left(held, round_.held_on) + 1) for round_ in rounds]


def assessment_out(assessment: SelfAssessment) -> dict:
    return {"id": assessment.pk, "round_id": assessment.round_id, "organization_id": assessment.organization_id,
            "organization": assessment.organization.name, "rubric_version": assessment.rubric.version,
            "notes": assessment.notes,
            "ratings": [{"dimension": r.dimension, "level": r.level, "evidence": r.evidence}
                        for r in assessment.ratings.all()]}


def assessments_out(assessments: list[SelfAssessment]) -> list[dict]:
    return [assessment_out(assessment) for assessment in assessments]


def _ratings(items: list[RatingIO]) -> services.Ratings:
    found: services.Ratings = {}
    for item in items:
        if item.dimension in found:
            raise ValidationError({f"ratings.{item.dimension}": [
                f"“{item.dimension}” is rated more than once; rate each dimension once."]})
        found[item.dimension] = (item.level, item.evidence)
    return found


# The rubric: the current one (possibly the default, not yet saved) is read on its own; saving makes a new
# version, numbered after the latest.


@router.get(f"{P}/rubric", response=RubricOut, operation_id="read_partnership_rubric",
            summary="The cluster's current partnership rubric")
def read_rubric(request, cluster: Text):
    with in_cluster(request.auth, cluster) as access:
        return rubric_out(Rubric.current_for(access.obj))


ClusterResource(
    path="partnership/rubric/versions", label="rubric version", model=Rubric, out=RubricOut,
    read=pa.rubric_for_user, verbs=("list",), paged=False, ordering=["-version"], present=rubrics_out,
    operation_ids={"list": "list_partnership_rubric_versions"},
    summaries={"list": "Every saved version of the rubric, newest first"}, tag="Partnership health",
).register(router)

ClusterResource(
    path="partnership/rubric", label="rubric version", model=Rubric, out=RubricOut, payload=RubricIn,
    read=pa.rubric_for_user, verbs=("create",), present=rubrics_out,
    new=lambda access, user: Rubric.current_for(access.obj).next_version(user),
    operation_ids={"create": "create_partnership_rubric_version"},
    summaries={"create": "Save a new version of the rubric (cluster lead)"}, tag="Partnership health",
).register(router)


# Rounds and self-assessments

ClusterResource(
    path="partnership/rounds", label="round", model=Round, out=RoundOut, payload=RoundIn, read=pa.round_for_user,
    id_name="round_id", verbs=WITHOUT_END, ordering=["held_on", "pk"], present=rounds_out,
    operation_names=("partnership_rounds", "partnership_round"),
    summaries={"list": "The rounds of self-assessment, oldest first",
               "create": "Plan a round of self-assessment (cluster lead)", "change": "Change a round (cluster lead)"},
    tag="Partnership health",
).register(router)

# Recording and changing a self-assessment stay below: partners' people record their own organization's
# (not a cluster-wide right), the ratings are saved with the rubric version, and a change replaces them all.
ClusterResource(
    path="partnership/assessments", label="self-assessment", model=SelfAssessment, out=AssessmentOut,
    read=pa.assessment_in_cluster, id_name="assessment_id", verbs=("list", "read"), paged=False,
    parent=Parent(collection="partnership/rounds/{round_id}/assessments", id_name="round_id",
                  read=pa.round_for_user, field="round"),
    select_related=["organization", "rubric"], prefetch_related=["ratings"], present=assessments_out,
    operation_names=("partnership_assessments", "partnership_assessment"),
    summaries={"list": "The self-assessments of a round"}, tag="Partnership health",
).register(router)


@router.post(f"{P}/rounds/{{round_id}}/assessments", response={201: AssessmentOut},
             operation_id="create_partnership_assessment",
             summary="Record a partner organization's self-assessment (the lead, or a person of that organization)")
def create_assessment(request, cluster: Text, round_id: RecordId, payload: AssessmentIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        round_ = pa.round_for_user(access, round_id).obj
        organizations = pa.organizations_user_rates(request.auth, access)
        if not organizations.exists():
            raise PermissionDenied("Only the cluster lead, or people of a partner organization, record "
                                   "self-assessments.")
        assessment = SelfAssessment(round=round_, recorded_by=request.auth, notes=payload.notes)
        apply_payload(assessment, {"organization_id": payload.organization_id})
        if not pa.may_rate(request.auth, access, assessment.organization):
            raise PermissionDenied("You may record the self-assessment of your own organization only.")
        services.save_assessment(assessment, _ratings(payload.ratings))
        return Status(201, assessment_out(assessment))


@router.patch(f"{P}/assessments/{{assessment_id}}", response=AssessmentOut,
            operation_id="update_partnership_assessment",
            summary="Replace a self-assessment's ratings and notes (it keeps its rubric version)")
def update_assessment(request, cluster: Text, assessment_id: RecordId, payload: AssessmentChange):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        assessment = pa.assessment_for_user(request.auth, access, assessment_id).require_change()
        assessment.notes = payload.notes
        services.save_assessment(assessment, _ratings(payload.ratings))
        return assessment_out(assessment)


@router.get(f"{P}/report", response=ReportOut, operation_id="read_partnership_report",
            summary="Trends per dimension, gaps between partners, and the outcome measures at each round")
def read_report(request, cluster: Text):
    with in_cluster(request.auth, cluster) as access:
        report = services.health_report(access.obj)
        outcomes = [
            {"measure_id": chart.measure.pk, "measure": chart.measure.name, "unit": chart.measure.unit,
             "at_rounds": [{"round": n, "held_on": r.held_on, "value": v}
                           for n, (r, v) in enumerate(chart.at_rounds, start=1)]}
            for chart in services.outcome_charts(report)
        ]
        return {"rubric_version": report.rubric.version, "gap_threshold": report.rubric.gap_threshold,
                "rounds": [round_out(r, n) for n, r in enumerate(report.rounds, start=1)],
                "summary": list(report.health.summary), "trends": report.health.trends, "gaps": report.health.gaps,
                "outcomes": outcomes, "left_out": report.left_out}
