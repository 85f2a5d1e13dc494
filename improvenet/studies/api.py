"""API routes for studies: the same rules as the pages.

Everyone who reads the cluster lists and reads its studies (the summary: design, outcomes, registration), and the
members of a cluster a study is shared with read that study (`read_study`, through `sacc.in_study_summary`); the
cluster lead, network admins, researchers and the data team create, change and register them. A registered
study's locked fields change only with a `revision_reason` (422 naming it otherwise), and the change is kept.
Allocations and results are for team members, researchers and leads (403 for viewers); an allocation is drawn
and saved in one call, refused (422 naming `reason`) once one is saved unless a reason is given; the students of
a study that assigns students (or classrooms: the class sections of its schools) are drawn from the store under its
agreement, and only their counts are answered.
The study's writers publish a finished study to the network library and withdraw it; every member of a cluster of
the network lists the studies published to it (`published-studies`), and the studies shared with its cluster.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from improvenet.data.models import AuditEvent
from improvenet.data.services import DataSetupError
from improvenet.network.models import Cluster, School
from improvenet.resources import ClusterResource, Day, Filters, PageParams, RecordId, Text, page_schema, paginate
from improvenet.studies import access as sacc
from improvenet.studies import analysis, publishing, rosters, services
from improvenet.studies.models import Study, StudyError, StudyPublication

router = Router(tags=["Studies"])

BASE = "/clusters/{cluster}/studies/{study_id}"


class StudyIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    question: str = ""
    agenda_priority_id: RecordId | None = Field(None, description="The research-agenda priority studied.")
    change_idea_id: RecordId | None = Field(None, description="The change idea studied.")
    innovation_id: RecordId | None = Field(None, description="The innovation studied.")
    product_id: RecordId | None = Field(None, description="The product studied. Exactly one of the four.")
    design: str = Field("randomized", description="randomized, matched or did (difference-in-differences).")
    assignment_level: str = Field("school", description="student, classroom, school or cluster.")
    block_level: str = Field("", description="Empty (not blocked), school, pyramid or cluster.")
    primary_outcome: str = Field(..., max_length=120, description="A store outcome key (absence-rate, gpa, "
                                 "chronic-absenteeism, on-track, assessment/<name>/<subject>) or measure:<id>.")
    secondary_outcomes: list[str] = Field(default_factory=list, max_length=2, description="At most two.")
    smallest_effect: float = Field(..., description="The smallest effect that matters, in standard deviations.")
    starts_on: Day
    ends_on: Day
    agreement_id: RecordId | None = Field(None, description="The data use agreement the study runs under.")
    power_design: str = Field("", description="ira1r1, cra2r2, cra3r3, bcra3r2 or bcra3f2.")
    power_parameters: dict[str, float | bool] = Field(
        default_factory=dict, description="PowerUp! parameters: n, J, K, rho2, rho3, omega3, R1, R2, R3, RT3, g, "
        "P, alpha, power, and two_tailed (true or false).")
    revision_reason: str = Field("", description="Why a registered study's locked fields change (kept).")


class StudyOut(Schema):
    id: int
    title: str
    question: str
    agenda_priority_id: int | None
    change_idea_id: int | None
    innovation_id: int | None
    product_id: int | None
    design: str
    assignment_level: str
    block_level: str
    primary_outcome: str
    secondary_outcomes: list[str]
    smallest_effect: float
    starts_on: datetime.date
    ends_on: datetime.date
    agreement_id: int | None
    power_design: str
    power_parameters: dict[str, float | bool]
    registered_at: datetime.datetime | None


class StudyFilters(Filters):
    design: str = Field("", description="Only studies of this design.")
    registered: bool | None = Field(None, description="Only registered (true) or draft (false) studies.")

    def filter_registered(self, registered: bool | None) -> Q:
        return Q() if registered is None else Q(registered_at__isnull=not registered)


def _new_study(access, user) -> Study:
    return Study(cluster=access.obj, created_by=user)


def _before_save(study: Study, extras: dict, access, user) -> None:
    study.revision_reason = extras.get("revision_reason") or ""
    study.revised_by = user


def _may_write(user, access) -> bool:
    return sacc.may_write_studies(user, access)


ClusterResource(
    path="studies", label="study", model=Study, out=StudyOut, payload=StudyIn, filters=StudyFilters,
    read=sacc.study_for_user, id_name="study_id", verbs=("list", "create", "change"),
    operation_names=("studies", "study"), new=_new_study, can_change=_may_write,
    extra_fields=("revision_reason",), before_save=_before_save, ordering=["-starts_on", "title", "pk"],
    tag="Studies",
).register(router)


@router.get(BASE, response=StudyOut, operation_id="read_study",
            summary="Read a study (its summary also for the members of the clusters it is shared with)")
def read_study(request, cluster: Text, study_id: RecordId):
    with sacc.in_study_summary(request.auth, cluster, study_id) as (access, _by_sharing):
        return sacc.study_for_user(access, study_id).obj


@router.post(f"{BASE}/register", response=StudyOut, operation_id="register_study",
             summary="Pre-register the study: lock its design, outcomes, smallest effect, window and agreement")
def register_study(request, cluster: Text, study_id: RecordId):
    with sacc.in_cluster_studies(request.auth, cluster) as access, transaction.atomic():
        study = sacc.study_for_user(access, study_id).require_change()
        study.register(request.auth)
        return study


class AllocationUnitOut(Schema):
    unit: str = Field(description="The school's (or cluster's) id.")
    name: str
    block: str
    treated: bool
    baseline: float | None = None


class AllocationCountOut(Schema):
    block: str = Field(description="The block (a school, pyramid or cluster), or “All blocks”.")
    treated: int | None
    control: int | None
    students: int | None
    sections_treated: int | None = Field(None, description="A classroom allocation's class sections treated.")
    sections_control: int | None = Field(None, description="A classroom allocation's class sections in control.")


class EquivalenceOut(Schema):
    covariate: str
    g: float = Field(description="Hedges' g of the groups' difference at baseline.")
    verdict: str = Field(description="satisfies, needs adjustment or fails (What Works Clearinghouse).")


class AllocationOut(Schema):
    number: int
    created_at: datetime.datetime
    created_by_name: str
    seed: int
    draws: int
    distance: float | None
    proportion: float
    balance_rule: dict
    units: list[AllocationUnitOut] = Field(description="The schools or clusters assigned; empty for students.")
    reason: str
    level: str = Field(description="What was assigned: school, cluster, student or classroom.")
    counts: list[AllocationCountOut] = Field(description="A student allocation's students per block and arm, then "
                                             "over all blocks; null where a cell is suppressed (fewer than 10).")
    equivalence: list[EquivalenceOut] = Field(description="A student allocation's baseline equivalence (WWC).")
    selection: dict = Field(description="A student allocation's school_year, grades and schools (ids).")
    roster_sha256: str = Field(description="The SHA-256 digest of a student allocation's roster file (kept beside "
                               "the analytics store; its students never leave it).")

    @staticmethod
    def resolve_counts(allocation) -> list[dict]:
        return rosters.suppressed_counts(allocation.counts)


class BaselineValue(Schema):
    school_id: RecordId = Field(description="The school's id (the cluster's, for a study that assigns clusters).")
    value: float


class AllocationIn(Schema):
    school_ids: list[RecordId] = Field(default_factory=list, max_length=1000,
                                       description="The schools to assign (a study that assigns schools).")
    cluster_ids: list[RecordId] = Field(default_factory=list, max_length=100, description="The clusters to assign (a "
                                        "study that assigns clusters: its own and those it is shared with).")
    proportion: float = Field(0.5, gt=0, lt=1, description="The share assigned to the change.")
    baseline_name: str = Field("", max_length=80, description="What the baseline values are.")
    baseline: list[BaselineValue] = Field(default_factory=list, max_length=1000,
                                          description="One school-level baseline value per school, or none.")
    match_pairs: StrictBool = Field(False, description="Pair schools on the baseline; one of each pair treated.")
    acceptance: float | None = Field(None, gt=0, le=1, description="Re-randomize until the Mahalanobis distance "
                                     "is within this quantile (Morgan & Rubin 2012).")
    seed: int | None = Field(None, ge=0, le=2**62, description="The seed; a new random one when left out.")
    reason: str = Field("", description="Why a new allocation: needed once one is saved.")


def _require_details(access) -> None:
    """403 for viewers and readers of other clusters."""
    if not sacc.may_read_details(access):
        raise PermissionDenied("A study's allocation and results are for team members, researchers and leads.")


@router.get(f"{BASE}/allocations", response=list[AllocationOut], operation_id="list_study_allocations",
            summary="The study's saved allocations, oldest first (append-only)")
def list_study_allocations(request, cluster: Text, study_id: RecordId):
    with sacc.in_cluster_studies(request.auth, cluster) as access:
        _require_details(access)
        return list(sacc.study_for_user(access, study_id).obj.allocations.order_by("number"))


@router.post(f"{BASE}/allocations", response={201: AllocationOut}, operation_id="create_study_allocation",
             summary="Draw and save the study's allocation of schools (audited; a new one needs a reason)")
def create_study_allocation(request, cluster: Text, study_id: RecordId, payload: AllocationIn):
    with sacc.in_cluster_studies(request.auth, cluster) as access, transaction.atomic():
        _require_details(access)
        study = sacc.study_for_user(access, study_id).require_change()
        if study.assignment_level == Study.Level.CLUSTER:
            schools = list(Cluster.objects.filter(pk__in=payload.cluster_ids))
            if len(schools) != len(set(payload.cluster_ids)):
                raise StudyError({"cluster_ids": "A cluster id names no cluster of the network."})
        else:
            schools = list(School.objects.filter(pk__in=payload.school_ids))
            if len(schools) != len(set(payload.school_ids)):
                raise StudyError({"school_ids": "A school id names no school of this cluster."})
        chosen = {school.pk for school in schools}
        baseline = {item.school_id: item.value for item in payload.baseline}
        if set(baseline) - chosen or (baseline and set(baseline) != chosen):
            raise StudyError({"baseline": "Give one baseline value for each chosen unit, or none."})
        draw = services.draw_allocation(study, schools, payload.proportion, payload.baseline_name, baseline,
                                        payload.match_pairs, payload.acceptance, payload.seed)
        return Status(201, services.save_allocation(study, draw, request.auth, AuditEvent.Channel.API,
                                                    payload.reason))


class StudentAllocationIn(Schema):
    school_ids: list[RecordId] = Field(..., min_length=1, max_length=1000,
                                       description="The schools whose students are assigned.")
    school_year: int = Field(..., ge=2000, le=2100, description="The school year by its ending year (2026: "
                             "2025–26): the students enrolled in the schools at some time of it.")
    lowest_grade: int | None = Field(None, ge=0, le=12, description="0 for kindergarten; none for every grade.")
    highest_grade: int | None = Field(None, ge=0, le=12)
    proportion: float = Field(0.5, gt=0, lt=1, description="The share assigned to the change.")
    baseline: StrictBool = Field(False, description="Balance on the prior year's primary outcome, from the store.")
    match_pairs: StrictBool = Field(False, description="Pair students on the baseline within blocks; one of each "
                                    "pair treated.")
    acceptance: float | None = Field(None, gt=0, le=1, description="Re-randomize until the Mahalanobis distance "
                                     "is within this quantile (Morgan & Rubin 2012).")
    seed: int | None = Field(None, ge=0, le=2**62, description="The seed; a new random one when left out.")
    reason: str = Field("", description="Why a new allocation: needed once one is saved.")


@router.post(f"{BASE}/student-allocations", response={201: AllocationOut},
             operation_id="create_study_student_allocation",
             summary="Draw and save the allocation of the students of the study's schools, read from the store under "
             "its agreement (audited; the students stay beside the store; a new one needs a reason)")
def create_study_student_allocation(request, cluster: Text, study_id: RecordId, payload: StudentAllocationIn):
    return _roster_allocation(request, cluster, study_id, payload, Study.Level.STUDENT)


@router.post(f"{BASE}/classroom-allocations", response={201: AllocationOut},
             operation_id="create_study_classroom_allocation",
             summary="Draw and save the allocation of the class sections of the study's schools, read from the "
             "store's class roster under its agreement (audited; the students stay beside the store; a new one needs "
             "a reason)")
def create_study_classroom_allocation(request, cluster: Text, study_id: RecordId, payload: StudentAllocationIn):
    return _roster_allocation(request, cluster, study_id, payload, Study.Level.CLASSROOM)


def _roster_allocation(request, cluster: str, study_id: int, payload: StudentAllocationIn, level: str):
    """Draw and save a study's allocation of students or class sections (`level`, which the study must assign)."""
    with sacc.in_cluster_studies(request.auth, cluster) as access, transaction.atomic():
        _require_details(access)
        study = sacc.study_for_user(access, study_id).require_change()
        services.require_allocation_level(study, level)
        schools = list(School.objects.filter(pk__in=payload.school_ids))
        if len(schools) != len(set(payload.school_ids)):
            raise StudyError({"school_ids": "A school id names no school of this cluster."})
        grades = None
        if payload.lowest_grade is not None or payload.highest_grade is not None:
            grades = (payload.lowest_grade or 0, 12 if payload.highest_grade is None else payload.highest_grade)
        try:
            draw = services.draw_student_allocation(
                request.auth, sacc.district_access(access), study, schools, payload.school_year, grades,
                payload.proportion, payload.baseline, payload.match_pairs, payload.acceptance, payload.seed,
                channel=AuditEvent.Channel.API)
            saved = services.save_student_allocation(study, draw, request.auth, AuditEvent.Channel.API,
                                                     payload.reason)
        except (DataSetupError, ValueError, OSError) as refused:
            # The store, not the request, is at fault: name the students, as the allocation page says.
            raise StudyError({"students": f"The students could not be drawn: {refused}"}) from refused
        return Status(201, saved)


class SiteOut(Schema):
    site: str
    yi: float = Field(description="Hedges' g of the site.")
    vi: float = Field(description="Its sampling variance.")
    treated: int
    control: int
    schools: int


class ResultOut(Schema):
    outcome: str
    computed_at: datetime.datetime
    figures: dict = Field(description="cr2 and mixed estimates, randomization_p_value, students and schools "
                          "(randomized and analysed per arm), equivalence, school_year, and statement (what the "
                          "evidence statement reads besides the estimate and the attrition).")
    sites: list[SiteOut]


@router.get(f"{BASE}/results", response=list[ResultOut], operation_id="list_study_results",
            summary="The study's impact results, newest first (aggregates only)")
def list_study_results(request, cluster: Text, study_id: RecordId):
    with sacc.in_cluster_studies(request.auth, cluster) as access:
        _require_details(access)
        return list(sacc.study_for_user(access, study_id).obj.results.all())


@router.post(f"{BASE}/results", response={201: ResultOut}, operation_id="create_study_result",
             summary="Estimate the study's impact from the store, as its impact page does, and keep the result "
             "(the read is audited; aggregates only)")
def create_study_result(request, cluster: Text, study_id: RecordId):
    with sacc.in_cluster_studies(request.auth, cluster) as access, transaction.atomic():
        _require_details(access)
        study = sacc.study_for_user(access, study_id).require_change()
        try:
            result = analysis.analyse(study, request.auth, sacc.district_access(access),
                                      channel=AuditEvent.Channel.API)
        except (DataSetupError, ValueError) as refused:
            # The store or the sample, not the request, is at fault: name the sample, as the impact page says.
            raise StudyError({"sample": f"The impact could not be estimated: {refused}"}) from refused
        return Status(201, result)


class SharedStudyOut(Schema):
    id: int
    cluster: str = Field(description="The short name of the study's own cluster.")
    cluster_name: str
    title: str
    design: str
    primary_outcome: str
    starts_on: datetime.date
    ends_on: datetime.date
    registered_at: datetime.datetime | None


def _shared_out(studies: list[Study]) -> list[dict]:
    return [{"id": study.pk, "cluster": study.cluster.slug, "cluster_name": study.cluster.name, "title": study.title,
             "design": study.design, "primary_outcome": study.primary_outcome, "starts_on": study.starts_on,
             "ends_on": study.ends_on, "registered_at": study.registered_at} for study in studies]


@router.get("/clusters/{cluster}/shared-studies", response=page_schema(SharedStudyOut),
            operation_id="list_shared_studies",
            summary="List the other clusters' studies shared with the cluster (their summaries), for its members")
def list_shared_studies(request, cluster: Text, page: Query[PageParams]):
    with sacc.in_cluster_studies(request.auth, cluster) as access:
        listed = paginate(sacc.studies_shared_with(access), page)
        return listed | {"items": _shared_out(listed["items"])}


class PublishedStudyOut(Schema):
    id: int = Field(description="The publication's id.")
    study_id: int
    cluster: str = Field(description="The short name of the publishing cluster.")
    cluster_name: str
    title: str
    design: str
    outcome: str
    tier: str = Field(description="The evidence statement's verdict on the highest ESSA tier whose criteria are met.")
    published_at: datetime.datetime
    published_by: str
    withdrawn_on: datetime.date | None
    withdrawn_by: str
    withdrawal_reason: str = Field(description="Why it ended, in its writers' words (empty while it is open).")
    snapshot: dict = Field(description="What the network reads, frozen when published: the statement, the headline "
                           "numbers and the estimates by site (docs/studies.md).")


def _published_out(publications: list[StudyPublication]) -> list[dict]:
    return [{"id": p.pk, "study_id": p.study_id, "cluster": p.cluster.slug, "cluster_name": p.cluster.name,
             "title": p.title, "design": p.design, "outcome": p.outcome, "tier": p.tier,
             "published_at": p.published_at, "published_by": p.published_by_name, "withdrawn_on": p.ended_on,
             "withdrawn_by": p.withdrawn_by_name, "withdrawal_reason": p.withdrawal_reason,
             "snapshot": p.snapshot} for p in publications]


ClusterResource(
    path="published-studies", label="published study", model=StudyPublication, out=PublishedStudyOut,
    verbs=("list",), enter=sacc.in_cluster_network, listed=lambda: StudyPublication.in_network.all(),
    select_related=["cluster", "published_by", "withdrawn_by"], ordering=["-published_at", "-pk"],
    present=_published_out, operation_names=("published_studies", "published_study"), tag="Studies",
    summaries={"list": "List the studies published to the cluster's network, its own included, newest first"},
).register(router)


@router.post(f"{BASE}/publish", response={201: PublishedStudyOut}, operation_id="publish_study",
             summary="Publish the finished study to the network library, or its new result in place of the "
             "published one (audited; 409 when its latest result is already published)")
def publish_study(request, cluster: Text, study_id: RecordId):
    with sacc.in_cluster_studies(request.auth, cluster) as access:
        study = sacc.study_for_user(access, study_id).require_change()
        publication = publishing.publish(study, request.auth, channel=AuditEvent.Channel.API)
        return Status(201, _published_out([publication])[0])


class WithdrawStudyIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000,
                        description="Why the study is withdrawn from the library; its readers see it.")


@router.post(f"{BASE}/withdraw", response=PublishedStudyOut, operation_id="withdraw_study",
             summary="Withdraw the study from the network library (the publication stays, ended; audited)")
def withdraw_study(request, cluster: Text, study_id: RecordId, payload: WithdrawStudyIn):
    with sacc.in_cluster_studies(request.auth, cluster) as access:
        study = sacc.study_for_user(access, study_id).require_change()
        publication = publishing.open_publication(study)
        if publication is None:
            raise StudyError({"publication": f"{study} is not published to the network library; there is nothing "
                                             "to withdraw."})
        publishing.withdraw(publication, request.auth, payload.reason, channel=AuditEvent.Channel.API)
        return _published_out([publication])[0]
