"""API routes of the evidence ledger: external studies and schools' estimates (the same rules as the pages), and
each change idea's and innovation's ledger, pooled. Everyone who reads the cluster reads them; its lead and the
network admins record estimates."""

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from improvenet.design.access import change_idea_for_user, innovation_for_user
from improvenet.network.access import in_cluster, member_of_cluster
from improvenet.pilots.access import product_for_user
from improvenet.resources import MAX_INTEGER, ClusterResource, Filters, RecordId, Text
from improvenet.synthesis import services
from improvenet.synthesis.entry import EntryError, effect_from
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate

router = Router(tags=["Evidence ledger"])

FIGURES = ("effect_type", "mean_treatment", "sd_treatment", "n_treatment", "mean_comparison", "sd_comparison",
           "n_comparison", "events_treatment", "events_comparison")


class EstimateFilters(Filters):
    change_idea_id: RecordId | None = None
    innovation_id: RecordId | None = None
    product_id: RecordId | None = None


class ExternalStudyIn(Schema):
    change_idea_id: RecordId | None = Field(None, description="The change idea it is about (or innovation_id, or "
                                                              "product_id: exactly one).")
    innovation_id: RecordId | None = None
    product_id: RecordId | None = None
    citation: Text = Field(..., min_length=1, max_length=500)
    url: Text = Field("", max_length=500)
    outcome: Text = Field(..., min_length=1, max_length=200)
    wwc_rating: str = Field("not_reviewed", description="without_reservations, with_reservations, does_not_meet "
                                                        "or not_reviewed.")
    sample: Text = Field("", max_length=300)
    school_level: str = Field("", description="elementary, middle, high, other or empty.")
    poverty_share: float | None = Field(None, description="Share of students in poverty, 0 to 1.")
    dosage: float | None = None
    effect: float | None = Field(None, description="The effect, positive when the change did better; with "
                                                   "standard_error, unless effect_type gives the groups' figures.")
    standard_error: float | None = None
    scale: str = Field("smd", description="smd (Hedges' g) or log_rr, for an effect given directly.")
    effect_type: str = Field("", description="Empty (effect and standard_error given), smd (from means, standard "
                                             "deviations and sizes), log_rr or cox (from events and sizes).")
    mean_treatment: float | None = None
    sd_treatment: float | None = None
    n_treatment: int | None = Field(None, ge=0, le=MAX_INTEGER)
    mean_comparison: float | None = None
    sd_comparison: float | None = None
    n_comparison: int | None = Field(None, ge=0, le=MAX_INTEGER)
    events_treatment: int | None = Field(None, ge=0, le=MAX_INTEGER)
    events_comparison: int | None = Field(None, ge=0, le=MAX_INTEGER)


class ExternalStudyOut(Schema):
    id: int
    change_idea_id: int | None
    innovation_id: int | None
    product_id: int | None
    citation: str
    url: str
    outcome: str
    wwc_rating: str
    sample: str
    school_level: str
    poverty_share: float | None
    dosage: float | None
    effect: float
    standard_error: float
    scale: str
    computed_from: str


class SchoolEstimateIn(Schema):
    change_idea_id: RecordId | None = Field(None, description="The change idea it is about (or innovation_id, or "
                                                              "product_id: exactly one).")
    innovation_id: RecordId | None = None
    product_id: RecordId | None = None
    school_id: RecordId
    outcome: Text = Field(..., min_length=1, max_length=200)
    start_year: int = Field(..., ge=1900, le=2200)
    comparison: Text = Field("", max_length=300)
    effect: float
    standard_error: float
    scale: str = "smd"
    poverty_share: float | None = None
    dosage: float | None = None
    included: bool = Field(True, description="Whether the team counts it in the ledger.")
    inclusion_reason: Text = Field(..., min_length=1, description="Why the team includes it or leaves it out.")
    shared_with_network: bool = False


class SchoolEstimateOut(Schema):
    id: int
    change_idea_id: int | None
    innovation_id: int | None
    product_id: int | None
    school_id: int
    outcome: str
    start_year: int
    comparison: str
    effect: float
    standard_error: float
    scale: str
    poverty_share: float | None
    dosage: float | None
    included: bool
    inclusion_reason: str
    shared_with_network: bool
    computed_from: str = Field(description="Empty when typed in; else how it was computed from the analytics store.")
    entered_by_id: int | None


def _effect_from_figures(study: ExternalStudy, extras: dict, access, user) -> None:
    """The effect from the groups' figures when `effect_type` names them; otherwise as given."""
    values = {"effect": study.effect, "standard_error": study.standard_error, "scale": study.scale, **extras}
    try:
        found = effect_from(values)
    except EntryError as error:
        raise ValidationError(error.problems) from None
    study.effect, study.standard_error, study.scale = found.effect, found.standard_error, found.scale
    study.computed_from = found.computed_from


ClusterResource(
    path="ledger/studies", label="external study", model=ExternalStudy, out=ExternalStudyOut,
    payload=ExternalStudyIn, filters=EstimateFilters, id_name="study_id",
    read=lambda access, pk: member_of_cluster(ExternalStudy, access, pk, "external study"),
    new=lambda access, user: ExternalStudy(cluster=access.obj, entered_by=user),
    extra_fields=FIGURES, before_save=_effect_from_figures, ordering=["citation", "pk"],
    operation_names=("external_studies", "external_study"), tag="Evidence ledger",
).register(router)

ClusterResource(
    path="ledger/schools", label="school estimate", model=SchoolEstimate, out=SchoolEstimateOut,
    payload=SchoolEstimateIn, filters=EstimateFilters, id_name="estimate_id",
    read=lambda access, pk: member_of_cluster(SchoolEstimate, access, pk, "school estimate"),
    new=lambda access, user: SchoolEstimate(cluster=access.obj, entered_by=user),
    ordering=["school__name", "pk"], select_related=["school"],
    operation_names=("school_estimates", "school_estimate"), tag="Evidence ledger",
).register(router)


class LedgerEstimate(Schema):
    source: str
    site: str
    label: str
    outcome: str
    yi: float = Field(..., description="The effect.")
    vi: float = Field(..., description="Its sampling variance (the standard error squared).")
    url: str | None
    moderators: dict[str, float | str]


class LedgerModerator(Schema):
    name: str
    k: int
    sentence: str
    coefficients: list[dict]


class LedgerPooling(Schema):
    scale: str
    unit: str
    method: str
    k: int
    problem: str
    fixed: dict | None = Field(..., description="The fixed-effect model's figures (as `improvenet meta --json`).")
    random: dict | None = Field(..., description="The random-effects model's figures, with `test` and `tau`.")
    in_words: list[str]
    estimates: list[LedgerEstimate]
    moderators: list[LedgerModerator]


class LedgerOut(Schema):
    subject_kind: str
    subject_id: int
    subject: str
    poolings: list[LedgerPooling]


def _ledger(request, cluster: Text, kind: str, subject_id: int, method: str):
    if method not in services.RANDOM_METHODS:
        raise ValidationError({"method": f"Unknown method “{method}”: choose REML, DL or PM."})
    find = {"change_idea": change_idea_for_user, "innovation": innovation_for_user,
            "product": product_for_user}[kind]
    with in_cluster(request.auth, cluster) as access:
        subject = find(access, subject_id).obj
        return services.ledger(kind, subject, access.obj, method).to_dict()


@router.get("/clusters/{cluster}/ledger/ideas/{idea_id}", response=LedgerOut, operation_id="read_idea_ledger",
            summary="Read a change idea's evidence ledger: its estimates, pooled, with the moderator view")
def read_idea_ledger(request, cluster: Text, idea_id: RecordId, method: str = "REML"):
    return _ledger(request, cluster, "change_idea", idea_id, method)


@router.get("/clusters/{cluster}/ledger/innovations/{innovation_id}", response=LedgerOut,
            operation_id="read_innovation_ledger",
            summary="Read an innovation's evidence ledger: its estimates, pooled, with the moderator view")
def read_innovation_ledger(request, cluster: Text, innovation_id: RecordId, method: str = "REML"):
    return _ledger(request, cluster, "innovation", innovation_id, method)


@router.get("/clusters/{cluster}/ledger/products/{product_id}", response=LedgerOut, operation_id="read_product_ledger",
            summary="Read a product's evidence ledger: its estimates, pooled, with the moderator view")
def read_product_ledger(request, cluster: Text, product_id: RecordId, method: str = "REML"):
    return _ledger(request, cluster, "product", product_id, method)
