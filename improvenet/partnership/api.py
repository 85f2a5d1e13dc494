"""API routes for partnership health: the same rules as the pages.

Everyone who reads the cluster reads the rubric, rounds, self-assessments and the report. The
cluster lead (and network admins) save new rubric versions and plan rounds; self-assessments are
recorded by the lead or by people of the organization assessed (see improvenet.partnership.access).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from ninja import Field, PatchDict, Query, Router, Schema, Status

from improvenet.network.access import MAX_ID, in_cluster
from improvenet.partnership import access as pa
from improvenet.partnership import health as ph
from improvenet.partnership import services
from improvenet.partnership.models import Round, Rubric, SelfAssessment
from improvenet.resources import PageParams, Text, apply_payload, page_schema, paginate, save_checked

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
    held_on: datetime.date
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
    organization_id: int = Field(..., gt=0, le=MAX_ID)
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


def round_out(round_: Round, number: int | None = None) -> dict:
    return {"id": round_.pk, "number": number or round_.number, "held_on": round_.held_on, "title": round_.title,
            "notes": round_.notes}


def assessment_out(assessment: SelfAssessment) -> dict:
    return {"id": assessment.pk, "round_id": assessment.round_id, "organization_id": assessment.organization_id,
            "organization": assessment.organization.name, "rubric_version": assessment.rubric.version,
            "notes": assessment.notes,
            "ratings": [{"dimension": r.dimension, "level": r.level, "evidence": r.evidence}
                        for r in assessment.ratings.all()]}


def _ratings(items: list[RatingIO]) -> services.Ratings:
    found: services.Ratings = {}
    for item in items:
        if item.dimension in found:
            raise ValidationError({f"ratings.{item.dimension}": [
                f"“{item.dimension}” is rated more than once; rate each dimension once."]})
        found[item.dimension] = (item.level, item.evidence)
    return found


@router.get(f"{P}/rubric", response=RubricOut, operation_id="read_partnership_rubric",
            summary="The cluster's current partnership rubric")
def read_rubric(request, cluster: str):
    with in_cluster(request.auth, cluster) as access:
        return rubric_out(Rubric.current_for(access.obj))


@router.get(f"{P}/rubric/versions", response=list[RubricOut], operation_id="list_partnership_rubric_versions",
            summary="Every saved version of the rubric, newest first")
def list_rubric_versions(request, cluster: str):
    with in_cluster(request.auth, cluster):
        return [rubric_out(r) for r in Rubric.objects.order_by("-version")]


@router.post(f"{P}/rubric", response={201: RubricOut}, operation_id="create_partnership_rubric_version",
             summary="Save a new version of the rubric (cluster lead)")
def create_rubric_version(request, cluster: str, payload: RubricIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        rubric = Rubric.current_for(access.obj).next_version(request.auth)
        data = payload.dict()
        rubric.title, rubric.gap_threshold, rubric.change_note = data["title"], data["gap_threshold"], \
            data["change_note"]
        rubric.dimensions = data["dimensions"]
        save_checked(rubric)
        return Status(201, rubric_out(rubric))


@router.get(f"{P}/rounds", response=page_schema(RoundOut), operation_id="list_partnership_rounds",
            summary="The rounds of self-assessment, oldest first")
def list_rounds(request, cluster: str, page: Query[PageParams]):
    with in_cluster(request.auth, cluster):
        listed = paginate(Round.objects.order_by("held_on", "pk"), page)
        return listed | {"items": [round_out(r, page.offset + i) for i, r in enumerate(listed["items"], start=1)]}


@router.post(f"{P}/rounds", response={201: RoundOut}, operation_id="create_partnership_round",
             summary="Plan a round of self-assessment (cluster lead)")
def create_round(request, cluster: str, payload: RoundIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        access.require_change()
        round_ = Round(cluster=access.obj)
        apply_payload(round_, payload.dict())
        save_checked(round_)
        return Status(201, round_out(round_))


@router.get(f"{P}/rounds/{{round_id}}", response=RoundOut, operation_id="read_partnership_round",
            summary="Read a round")
def read_round(request, cluster: str, round_id: int):
    with in_cluster(request.auth, cluster) as access:
        return round_out(pa.round_for_user(access, round_id).obj)


@router.patch(f"{P}/rounds/{{round_id}}", response=RoundOut, operation_id="update_partnership_round",
              summary="Change a round (cluster lead)")
def update_round(request, cluster: str, round_id: int, payload: PatchDict[RoundIn]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        round_ = pa.round_for_user(access, round_id).require_change()
        apply_payload(round_, payload)
        save_checked(round_)
        return round_out(round_)


@router.get(f"{P}/rounds/{{round_id}}/assessments", response=list[AssessmentOut],
            operation_id="list_partnership_assessments", summary="The self-assessments of a round")
def list_assessments(request, cluster: str, round_id: int):
    with in_cluster(request.auth, cluster) as access:
        round_ = pa.round_for_user(access, round_id).obj
        found = (SelfAssessment.objects.filter(round=round_).select_related("organization", "rubric")
                 .prefetch_related("ratings"))
        return [assessment_out(a) for a in found]


@router.post(f"{P}/rounds/{{round_id}}/assessments", response={201: AssessmentOut},
             operation_id="create_partnership_assessment",
             summary="Record a partner organization's self-assessment (the lead, or a person of that organization)")
def create_assessment(request, cluster: str, round_id: int, payload: AssessmentIn):
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


@router.get(f"{P}/assessments/{{assessment_id}}", response=AssessmentOut,
            operation_id="read_partnership_assessment", summary="Read a self-assessment")
def read_assessment(request, cluster: str, assessment_id: int):
    with in_cluster(request.auth, cluster) as access:
        return assessment_out(pa.assessment_for_user(request.auth, access, assessment_id).obj)


@router.patch(f"{P}/assessments/{{assessment_id}}", response=AssessmentOut,
            operation_id="update_partnership_assessment",
            summary="Replace a self-assessment's ratings and notes (it keeps its rubric version)")
def update_assessment(request, cluster: str, assessment_id: int, payload: AssessmentChange):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        assessment = pa.assessment_for_user(request.auth, access, assessment_id).require_change()
        assessment.notes = payload.notes
        services.save_assessment(assessment, _ratings(payload.ratings))
        return assessment_out(assessment)


@router.get(f"{P}/report", response=ReportOut, operation_id="read_partnership_report",
            summary="Trends per dimension, gaps between partners, and the outcome measures at each round")
def read_report(request, cluster: str):
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
