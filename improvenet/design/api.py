"""API routes of the shared design: challenges, aims, change ideas, driver diagrams, innovations, adaptations.

The same rules as the pages: everyone who reads the cluster reads its design; the district
design team changes it (see improvenet.design.access); a school's design team records its own
adaptations. Errors are the API's uniform 401/403/404/409/422 answers.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, FilterLookup, Router, Schema, Status

from improvenet.design import access as dacc
from improvenet.design import driver_graph as dg
from improvenet.design.models import (
    Adaptation,
    Aim,
    ChangeIdea,
    DesignChallenge,
    DriverDiagramVersion,
    Innovation,
    InnovationElement,
    SchoolEnactment,
)
from improvenet.network.access import can_change_shared_design, in_cluster
from improvenet.resources import MAX_INTEGER, ClusterResource, Day, Filters, RecordId, Text

router = Router()
VersionNumber = Annotated[int, Field(ge=1, le=MAX_INTEGER)]


class Record(Schema):
    id: int
    ended_on: datetime.date | None
    is_current: bool


# Challenges, aims, change ideas, innovations, elements, enactments ------------------------------


class CauseIn(Schema):
    category: str = Field(..., min_length=1, max_length=100, description="The bone of the fishbone, e.g. “Students”.")
    cause: str = Field(..., min_length=1, max_length=500)


class ChallengeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    problem_of_practice: str = Field(..., min_length=1)
    evidence: str = ""
    people_affected: str = ""
    fishbone: list[CauseIn] = Field(default_factory=list, description="The root-cause analysis, cause by cause.")


class ChallengeOut(Record, ChallengeIn):
    pass


class ChallengeFilters(Filters):
    q: Annotated[str | None, FilterLookup(["title__icontains", "problem_of_practice__icontains"])] = None


class AimIn(Schema):
    challenge_id: RecordId = Field(..., description="The design challenge the aim answers.")
    statement: str = Field(..., min_length=1)
    measure: str = Field("", max_length=200, description="What is measured, e.g. “on track at the end of 9th grade”.")
    population: str = Field(..., min_length=1, max_length=200)
    baseline: float
    target: float
    unit: str = Field(..., min_length=1, max_length=50)
    target_date: Day


class AimOut(Record, AimIn):
    summary: str


class AimFilters(Filters):
    challenge: Annotated[RecordId | None, FilterLookup("challenge_id")] = None


class ChangeIdeaIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""


class ChangeIdeaOut(Record, ChangeIdeaIn):
    pass


class ChangeIdeaFilters(Filters):
    q: Annotated[str | None, FilterLookup("title__icontains")] = None
    innovation: Annotated[RecordId | None, FilterLookup("innovations__id")] = None


class InnovationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    aim_id: RecordId | None = Field(None, description="The aim whose driver diagram the innovation belongs to.")
    change_idea_ids: list[RecordId] = Field(default_factory=list, description="The change ideas the innovation groups.")


class InnovationOut(Record, InnovationIn):
    pass


class InnovationFilters(Filters):
    aim: Annotated[RecordId | None, FilterLookup("aim_id")] = None


class ElementIn(Schema):
    innovation_id: RecordId
    kind: InnovationElement.Kind = Field(..., description="`core` (non-negotiable) or `adaptable`.")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    change_idea_id: RecordId | None = None


class ElementOut(Record, ElementIn):
    kind: str


class ElementFilters(Filters):
    innovation: Annotated[RecordId | None, FilterLookup("innovation_id")] = None
    kind: InnovationElement.Kind | None = None


class EnactmentIn(Schema):
    innovation_id: RecordId
    school_id: RecordId
    started_on: Day
    notes: str = ""


class EnactmentOut(Record, EnactmentIn):
    pass


class EnactmentFilters(Filters):
    innovation: Annotated[RecordId | None, FilterLookup("innovation_id")] = None
    school: Annotated[RecordId | None, FilterLookup("school_id")] = None


def _shared_design(user, access) -> bool:
    return can_change_shared_design(user, access)


for resource in (
    ClusterResource(path="design-challenges", label="design challenge", model=DesignChallenge, out=ChallengeOut,
                    payload=ChallengeIn, filters=ChallengeFilters, read=dacc.challenge_for_user, ordering=["title"],
                    can_change=_shared_design, tag="Design challenges"),
    ClusterResource(path="aims", label="aim", model=Aim, out=AimOut, payload=AimIn, filters=AimFilters,
                    read=dacc.aim_for_user, new=lambda access, user: Aim(), ordering=["target_date", "id"],
                    select_related=["challenge"], can_change=_shared_design, tag="Aims"),
    ClusterResource(path="change-ideas", label="change idea", model=ChangeIdea, out=ChangeIdeaOut,
                    payload=ChangeIdeaIn, filters=ChangeIdeaFilters, read=dacc.change_idea_for_user,
                    ordering=["title"], can_change=_shared_design, tag="Change ideas"),
    ClusterResource(path="innovations", label="innovation", model=Innovation, out=InnovationOut,
                    payload=InnovationIn, filters=InnovationFilters, read=dacc.innovation_for_user,
                    ordering=["name"], can_change=_shared_design, tag="Innovations"),
    ClusterResource(path="innovation-elements", label="innovation element", model=InnovationElement,
                    out=ElementOut, payload=ElementIn, filters=ElementFilters, read=dacc.element_for_user,
                    new=lambda access, user: InnovationElement(), ordering=["innovation_id", "kind", "name"],
                    can_change=_shared_design, tag="Innovations"),
    ClusterResource(path="enactments", label="enactment", model=SchoolEnactment, out=EnactmentOut,
                    payload=EnactmentIn, filters=EnactmentFilters, read=dacc.enactment_for_user,
                    new=lambda access, user: SchoolEnactment(), ordering=["innovation_id", "school__name"],
                    select_related=["school"], can_change=_shared_design, tag="Innovations"),
):
    resource.register(router)


# Driver diagrams ------------------------------------------------------------------------------

DIAGRAMS = ["Driver diagrams"]


class NodeIn(Schema):
    key: str = Field(..., min_length=1, max_length=40,
                     description="A key of the current version keeps that node (and may reword it); new keys add.")
    kind: Literal["primary", "secondary", "change_idea"]
    text: str = Field(..., min_length=1)


class LinkIn(Schema):
    parent: str = Field(..., description="Key of the driver the child hangs from.")
    child: str


class VersionIn(Schema):
    note: str = Field(..., min_length=1, description="What changed in this version and why.")
    based_on: VersionNumber | None = Field(None, description="The version you started from; 409 if a newer one "
                                                             "was saved.")
    outline: str | None = Field(
        None, description="The diagram as an indented outline (primary drivers at the left, secondary drivers "
                          "indented under them, change ideas under those). Give either this or nodes and links.")
    nodes: list[NodeIn] | None = None
    links: list[LinkIn] | None = None


class VersionSummary(Schema):
    number: int
    saved_at: datetime.datetime
    saved_by: str
    note: str
    adaptation_id: int | None


class NodeOut(Schema):
    key: str
    kind: str
    text: str
    change_idea_id: int | None


class LinkOut(Schema):
    parent: str
    child: str


class VersionOut(VersionSummary):
    aim_id: int
    nodes: list[NodeOut]
    links: list[LinkOut]
    outline: str


class DiagramOut(Schema):
    aim_id: int
    aim: str
    current_version: int | None
    versions: list[VersionSummary]


class DiffOut(Schema):
    from_version: int
    to_version: int
    added: list[NodeOut]
    removed: list[NodeOut]
    reworded: list[dict]
    links_added: list[LinkOut]
    links_removed: list[LinkOut]


def _summary(version: DriverDiagramVersion) -> dict:
    return {"number": version.number, "saved_at": version.saved_at, "saved_by": version.saved_by_name,
            "note": version.note, "adaptation_id": version.adaptation_id}


def version_out(version: DriverDiagramVersion) -> dict:
    graph = version.graph()
    ideas = dict(version.nodes.values_list("key", "change_idea_id"))
    return {
        **_summary(version), "aim_id": version.diagram.aim_id,
        "nodes": [{"key": n.key, "kind": n.kind, "text": n.text, "change_idea_id": ideas.get(n.key)}
                  for n in graph.nodes],
        "links": [{"parent": p, "child": c} for p, c in graph._ordered_links()],
        "outline": dg.to_outline(graph),
    }


def _version(aim: Aim, number: int) -> DriverDiagramVersion:
    version = aim.diagram().version(number)
    if version is None:
        raise Http404(f"The driver diagram has no version {number}.")
    return version


def graph_from_input(payload: VersionIn) -> dg.Graph:
    """The graph given as an outline or as nodes and links; keys of the outline are matched by wording."""
    if payload.outline is not None and payload.nodes is not None:
        raise ValidationError({"outline": "Give the diagram either as an outline or as nodes and links, not both."})
    if payload.outline is not None:
        try:
            return dg.parse_outline(payload.outline)
        except dg.GraphError as error:
            raise ValidationError({"outline": error.problems}) from error
    if payload.nodes is None:
        raise ValidationError({"nodes": "Give the diagram as an outline or as nodes and links."})
    return dg.Graph(
        tuple(dg.Node(n.key, n.kind, n.text.strip()) for n in payload.nodes),
        frozenset((link.parent, link.child) for link in payload.links or []),
    )


@router.get("/clusters/{cluster}/aims/{aim_id}/diagram", response=DiagramOut, tags=DIAGRAMS,
            summary="Read an aim's driver diagram: its versions, newest first")
def read_diagram(request, cluster: Text, aim_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        aim = dacc.aim_for_user(access, aim_id).obj
        versions = list(aim.diagram().versions.select_related("saved_by").order_by("-number"))
        return {"aim_id": aim.pk, "aim": aim.statement, "current_version": versions[0].number if versions else None,
                "versions": [_summary(v) for v in versions]}


@router.get("/clusters/{cluster}/aims/{aim_id}/diagram/versions/{number}", response=VersionOut, tags=DIAGRAMS,
            summary="Read one version of a driver diagram (old versions stay readable)")
def read_version(request, cluster: Text, aim_id: RecordId, number: VersionNumber):
    with in_cluster(request.auth, cluster) as access:
        return version_out(_version(dacc.aim_for_user(access, aim_id).obj, number))


@router.post("/clusters/{cluster}/aims/{aim_id}/diagram/versions", response={201: VersionOut}, tags=DIAGRAMS,
             summary="Save a new version of a driver diagram")
def save_version(request, cluster: Text, aim_id: RecordId, payload: VersionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        aim = dacc.aim_for_user(dacc.design_cluster(request.auth, access), aim_id).require_change()
        graph = graph_from_input(payload)
        keep_keys = payload.outline is None
        version = aim.diagram().save_version(graph, user=request.auth, note=payload.note, based_on=payload.based_on,
                                             keep_keys=keep_keys)
        return Status(201, version_out(version))


@router.get("/clusters/{cluster}/aims/{aim_id}/diagram/compare", response=DiffOut, tags=DIAGRAMS,
            summary="Compare two versions of a driver diagram: added, removed and reworded")
def compare_versions(request, cluster: Text, aim_id: RecordId, from_version: VersionNumber | None = None,
                     to_version: VersionNumber | None = None):
    """Without version numbers: the version before the current one against the current one."""
    with in_cluster(request.auth, cluster) as access:
        aim = dacc.aim_for_user(access, aim_id).obj
        numbers = list(aim.diagram().versions.order_by("number").values_list("number", flat=True))
        to_version = to_version or (numbers[-1] if numbers else 1)
        from_version = from_version or (numbers[-2] if len(numbers) > 1 else to_version)
        change = dg.diff(_version(aim, from_version).graph(), _version(aim, to_version).graph())
        return diff_out(change, from_version, to_version)


def diff_out(change: dg.Diff, from_version: int, to_version: int) -> dict:
    def node(n: dg.Node) -> dict:
        return {"key": n.key, "kind": n.kind, "text": n.text, "change_idea_id": None}

    return {
        "from_version": from_version, "to_version": to_version,
        "added": [node(n) for n in change.added], "removed": [node(n) for n in change.removed],
        "reworded": [{"key": a.key, "kind": b.kind, "before": a.text, "after": b.text} for a, b in change.reworded],
        "links_added": [{"parent": p, "child": c} for p, c in change.links_added],
        "links_removed": [{"parent": p, "child": c} for p, c in change.links_removed],
    }


# Adaptations and decisions -------------------------------------------------------------------

ADAPTATIONS = ["Adaptations"]


class AdaptationIn(Schema):
    enactment_id: RecordId = Field(..., description="The school's enactment of the innovation.")
    element_id: RecordId = Field(..., description="The element of the innovation the school changed.")
    description: str = Field(..., min_length=1, description="What the school changed, and how.")
    rationale: str = ""
    proposed_wording: str = Field("", max_length=200)
    adapted_on: Day


class AdaptationOut(AdaptationIn):
    id: int
    school_id: int = Field(..., alias="enactment.school_id")
    outside_boundary: bool
    status: str
    decision_reason: str
    decided_by: str = Field(..., alias="decided_by_name")
    decided_at: datetime.datetime | None
    diagram_version: int | None = None


class AdaptationFilters(Filters):
    enactment: Annotated[RecordId | None, FilterLookup("enactment_id")] = None
    innovation: Annotated[RecordId | None, FilterLookup("enactment__innovation_id")] = None
    status: Adaptation.Status | None = None
    outside_boundary: bool | None = None


class DecisionIn(Schema):
    decision: Adaptation.Decision = Field(..., description="`accept` into the shared design or `bring_back` within "
                                                           "bounds.")
    reason: str = Field("", description="Why; required, and kept with the adaptation.")


def _accepted_version(adaptation: Adaptation) -> int | None:
    version = DriverDiagramVersion.objects.filter(adaptation=adaptation).first()
    return version.number if version else None


def adaptation_out(adaptation: Adaptation) -> Adaptation:
    adaptation.diagram_version = _accepted_version(adaptation)
    return adaptation


def _recorded_by_the_schools_team(adaptation: Adaptation, extras: dict, access, user) -> None:
    """Who may record an adaptation depends on the enactment in the payload: the school's own design team."""
    if not dacc.can_record_adaptation(user, dacc.design_cluster(user, access), adaptation.enactment):
        raise PermissionDenied("Only the school's design team or the district design team records its adaptations.")


ClusterResource(
    path="adaptations", label="adaptation", model=Adaptation, out=AdaptationOut, payload=AdaptationIn,
    filters=AdaptationFilters, read=dacc.adaptation_for_user, verbs=("list", "create", "read"),
    new=lambda access, user: Adaptation(),
    # Any reader may try: the school's design team decides, in `before_save`.
    can_change=lambda user, access: True, before_save=_recorded_by_the_schools_team,
    ordering=["-adapted_on", "-id"], select_related=["enactment", "decided_by"],
    present=lambda adaptations: [adaptation_out(a) for a in adaptations],
    operation_ids={"list": "improvenet_design_api_list_adaptations", "read": "improvenet_design_api_read_adaptation",
                   "create": "improvenet_design_api_create_adaptation"},
    summaries={"list": "List the schools' adaptations (filter by status for the decision queue)",
               "create": "Record a school's adaptation (flagged when it touches a core element)",
               "read": "Read an adaptation and its decision"},
    tag="Adaptations",
).register(router)


@router.post("/clusters/{cluster}/adaptations/{record_id}/decision", response=AdaptationOut, tags=ADAPTATIONS,
             summary="Decide about an adaptation outside the boundary: accept it or bring it back within bounds")
def decide_adaptation(request, cluster: Text, record_id: RecordId, payload: DecisionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        adaptation = dacc.adaptation_for_user(dacc.design_cluster(request.auth, access), record_id).require_change()
        adaptation.decide(payload.decision, payload.reason, request.auth)
        return adaptation_out(adaptation)
