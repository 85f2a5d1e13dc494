"""API routes for networks, clusters and the cluster's organizations, schools, people and teams."""

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from pydantic import StrictBool

from improvenet.lib.errors import Conflict
from improvenet.network import access as acc
from improvenet.network.models import (
    Cluster,
    Membership,
    Network,
    Organization,
    Person,
    Phase,
    PhaseRole,
    School,
    Team,
    cluster_phases,
)
from improvenet.resources import (
    ClusterResource,
    Day,
    EndRequest,
    PageParams,
    Patch,
    RecordId,
    Text,
    apply_payload,
    page_schema,
    paginate,
    save_checked,
)

router = Router()


class Record(Schema):
    id: int
    ended_on: datetime.date | None
    is_current: bool


# Networks and clusters ------------------------------------------------------------------------


class NetworkIn(Schema):
    slug: str = Field(..., pattern=r"^[-a-z0-9]+$", max_length=50, description="Short name used in addresses.")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""


class NetworkOut(Record):
    slug: str
    name: str
    description: str


class ClusterIn(Schema):
    network: str = Field(..., description="Short name of the network the cluster belongs to.")
    slug: str = Field(..., pattern=r"^[-a-z0-9]+$", max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    region: str = ""
    status: Cluster.Phase = Cluster.Phase.EXPLORING
    description: str = ""
    shares_with_network: StrictBool = False


class ClusterChange(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=200)
    region: str | None = None
    status: Cluster.Phase | None = None
    description: str | None = None
    shares_with_network: StrictBool | None = None
    lead_organization_id: RecordId | None = Field(None, description="Id of one of the cluster's partner organizations.")


class ClusterOut(Record):
    slug: str
    name: str
    network: str = Field(..., alias="network.slug")
    region: str
    status: str
    description: str
    shares_with_network: bool
    lead_organization_id: int | None


class ClusterFilters(FilterSchema):
    network: Annotated[str | None, FilterLookup("network__slug")] = Field(None, description="Only this network's.")
    status: Cluster.Phase | None = None


def save_without_revealing(record, visible) -> None:
    """Save a network or cluster; a clash with one the caller cannot see names nothing about it."""
    try:
        save_checked(record)
    except Conflict as conflict:
        if visible.filter(pk=conflict.existing.pk).exists():
            raise
        raise Conflict(f"The short name “{record.slug}” is taken; choose another.", None) from conflict


@router.get("/networks", response=page_schema(NetworkOut), tags=["Networks"], summary="List your networks")
def list_networks(request, page: Query[PageParams]):
    return paginate(acc.visible_networks(request.auth).order_by("name"), page)


@router.post("/networks", response={201: NetworkOut}, tags=["Networks"], summary="Add a network")
def create_network(request, payload: NetworkIn):
    if not request.auth.is_superuser:
        raise PermissionDenied("Only the platform operator adds networks.")
    with transaction.atomic():
        network = Network(**payload.dict())
        save_without_revealing(network, acc.visible_networks(request.auth))
        network.admins.add(request.auth)
    return Status(201, network)


@router.get("/networks/{slug}", response=NetworkOut, tags=["Networks"], summary="Read a network")
def read_network(request, slug: Text):
    return acc.network_for_user(request.auth, slug).obj


@router.patch("/networks/{slug}", response=NetworkOut, tags=["Networks"], summary="Change a network")
def update_network(request, slug: Text, payload: Patch[NetworkIn]):
    network = acc.network_for_user(request.auth, slug).require_change()
    with transaction.atomic():
        for key, value in payload.items():
            setattr(network, key, value)
        save_without_revealing(network, acc.visible_networks(request.auth))
    return network


@router.post("/networks/{slug}/end", response=NetworkOut, tags=["Networks"], summary="End a network")
def end_network(request, slug: Text, payload: EndRequest | None = None):
    network = acc.network_for_user(request.auth, slug).require_change()
    network.end(payload.ended_on if payload else None)
    return network


@router.get("/clusters", response=page_schema(ClusterOut), tags=["Clusters"], summary="List the clusters you can see")
def list_clusters(request, filters: Query[ClusterFilters], page: Query[PageParams]):
    clusters = filters.filter(acc.visible_clusters(request.auth).select_related("network"))
    return paginate(clusters.order_by("name"), page)


@router.post("/clusters", response={201: ClusterOut}, tags=["Clusters"], summary="Add a cluster to a network")
def create_cluster(request, payload: ClusterIn):
    data = payload.dict()
    try:
        network = acc.network_for_user(request.auth, data.pop("network")).require_change()
    except Http404 as missing:
        raise ValidationError({"network": "No such network among yours."}) from missing
    with transaction.atomic():
        cluster = Cluster(network=network, **data)
        save_without_revealing(cluster, acc.visible_clusters(request.auth))
    return Status(201, cluster)


@router.get("/clusters/{slug}", response=ClusterOut, tags=["Clusters"], summary="Read a cluster")
def read_cluster(request, slug: Text):
    return acc.cluster_for_user(request.auth, slug).obj


@router.patch("/clusters/{slug}", response=ClusterOut, tags=["Clusters"], summary="Change a cluster")
def update_cluster(request, slug: Text, payload: Patch[ClusterChange]):
    with acc.in_cluster(request.auth, slug) as access, transaction.atomic():
        cluster = access.require_change()
        apply_payload(cluster, payload)
        save_checked(cluster)
    return cluster


@router.post("/clusters/{slug}/end", response=ClusterOut, tags=["Clusters"], summary="End a cluster")
def end_cluster(request, slug: Text, payload: EndRequest | None = None):
    access = acc.cluster_for_user(request.auth, slug)
    if access.role != acc.NETWORK_ADMIN:
        raise PermissionDenied("Only a network admin ends a cluster.")
    access.obj.end(payload.ended_on if payload else None)
    return access.obj


# Records inside a cluster ---------------------------------------------------------------------


class OrganizationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Organization.Kind
    website: str = ""
    notes: str = ""


class OrganizationOut(Record, OrganizationIn):
    kind: str


class OrganizationFilters(FilterSchema):
    kind: Organization.Kind | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = Field(None, description="Part of the name.")


class SchoolIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    level: School.Level
    role: School.Role = Field(..., description="The school's role in the cluster.")
    lowest_grade: int = Field(..., ge=-1, le=12, description="-1 pre-kindergarten, 0 kindergarten, 1 to 12.")
    highest_grade: int = Field(..., ge=-1, le=12)
    feeds_into_id: RecordId | None = Field(None, description="Id of the high school this school feeds into.")
    nces_id: str = Field("", max_length=12)
    state_id: str = Field("", max_length=40)
    street: str = ""
    city: str = ""
    state: str = Field("", max_length=2)
    postal_code: str = Field("", max_length=10)
    website: str = ""


class SchoolOut(Record, SchoolIn):
    level: str
    role: str
    grades: str


class SchoolFilters(FilterSchema):
    role: School.Role | None = None
    level: School.Level | None = None
    pyramid: Annotated[RecordId | None, FilterLookup(["pk", "feeds_into_id"])] = Field(
        None, description="Id of a high school: it and its feeder schools."
    )
    q: Annotated[str | None, FilterLookup(["name__icontains", "nces_id", "state_id"])] = Field(
        None, description="Part of the name, or an NCES or state id."
    )


class PersonIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    email: str = ""
    title: str = ""
    home_organization_id: RecordId | None = None


class PersonOut(Record, PersonIn):
    pass


class PersonFilters(FilterSchema):
    home_organization: Annotated[RecordId | None, FilterLookup("home_organization_id")] = None
    q: Annotated[str | None, FilterLookup(["given_name__icontains", "family_name__icontains", "email__iexact"])] = (
        Field(None, description="Part of a name, or an email address.")
    )


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Team.Kind
    school_id: RecordId | None = Field(None, description="The school of a school design team.")
    purpose: str = ""


class TeamOut(Record, TeamIn):
    kind: str


class TeamFilters(FilterSchema):
    kind: Team.Kind | None = None
    school: Annotated[RecordId | None, FilterLookup("school_id")] = None


class MembershipIn(Schema):
    team_id: RecordId
    person_id: RecordId
    role: str = Field(..., min_length=1, max_length=100, description="Role in the team.")
    home_organization_id: RecordId | None = None
    started_on: Day


class MembershipOut(Record, MembershipIn):
    pass


class MembershipFilters(FilterSchema):
    team: Annotated[RecordId | None, FilterLookup("team_id")] = None
    person: Annotated[RecordId | None, FilterLookup("person_id")] = None


for resource in (
    ClusterResource(path="organizations", label="organization", model=Organization, out=OrganizationOut,
                    payload=OrganizationIn, filters=OrganizationFilters, read=acc.organization_for_user,
                    ordering=["name"], listed=acc.partner_organizations),
    ClusterResource(path="schools", label="school", model=School, out=SchoolOut, payload=SchoolIn,
                    filters=SchoolFilters, read=acc.school_for_user, ordering=["name"]),
    ClusterResource(path="people", label="person", model=Person, out=PersonOut, payload=PersonIn,
                    filters=PersonFilters, read=acc.person_for_user, ordering=["family_name", "given_name"]),
    ClusterResource(path="teams", label="team", model=Team, out=TeamOut, payload=TeamIn, filters=TeamFilters,
                    read=acc.team_for_user, ordering=["name"]),
    ClusterResource(path="memberships", label="membership", model=Membership, out=MembershipOut,
                    payload=MembershipIn, filters=MembershipFilters, read=acc.membership_for_user,
                    new=lambda access, user: Membership(), ordering=["-started_on", "id"]),
):
    resource.register(router)


# Phases ---------------------------------------------------------------------------------------


class PhaseRoleIO(Schema):
    team_kind: Team.Kind = Field(..., description="The kind of team (all school design teams share one role).")
    description: Text = Field(..., min_length=1, description="What these teams do in the phase.")


class PhaseIn(Schema):
    stage: Phase.Stage
    starts_on: Day
    ends_on: Day | None = Field(None, description="Empty while the end is not set (latest phase only).")
    summary: Text = ""
    roles: list[PhaseRoleIO] = Field(default_factory=list, description="Sent in full: replaces the phase's roles.")


class PhaseOut(Schema):
    id: int
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    starts_on: datetime.date
    ends_on: datetime.date | None
    summary: str
    is_current: bool
    roles: list[PhaseRoleIO]


class PhaseList(Schema):
    count: int
    current_id: int | None = Field(..., description="The phase that covers today, if any.")
    items: list[PhaseOut]


def _phase_out(phase: Phase) -> dict:
    roles = getattr(phase, "ordered_roles", None) or list(phase.roles.all())
    return {"id": phase.pk, "stage": phase.stage, "get_stage_display": phase.get_stage_display(),
            "starts_on": phase.starts_on, "ends_on": phase.ends_on, "summary": phase.summary,
            "is_current": phase.is_current(),
            "roles": [{"team_kind": role.team_kind, "description": role.description} for role in roles]}


def _one_role_per_team_kind(phase: Phase, extras: dict, access, user) -> None:
    kinds = [dict(role)["team_kind"] for role in extras.get("roles") or ()]
    if len(kinds) != len(set(kinds)):
        raise ValidationError({"roles": "Each kind of team appears at most once in a phase's roles."})


def _replace_roles(phase: Phase, extras: dict, access) -> None:
    """Replace the phase's roles when they are sent (as a whole)."""
    roles = extras.get("roles")
    if roles is None:
        return
    roles = [dict(role) for role in roles]
    phase.roles.all().delete()
    PhaseRole.objects.bulk_create(PhaseRole(phase=phase, **role) for role in roles)


# The list answers the current phase beside the phases (`PhaseList`), so it is not the kit's page.
@router.get("/clusters/{cluster}/phases", response=PhaseList, tags=["Phases"], summary="List the cluster's phases")
def list_phases(request, cluster: Text):
    with acc.in_cluster(request.auth, cluster):
        phases = cluster_phases()
        current = next((phase.pk for phase in phases if phase.is_current()), None)
        return {"count": len(phases), "current_id": current, "items": [_phase_out(phase) for phase in phases]}


ClusterResource(
    path="phases", label="phase", model=Phase, out=PhaseOut, payload=PhaseIn, read=acc.phase_for_user,
    id_name="phase_id", verbs=("create", "read", "change"), extra_fields=("roles",),
    before_save=_one_role_per_team_kind, after_save=_replace_roles,
    present=lambda phases: [_phase_out(phase) for phase in phases],
    operation_ids={"create": "improvenet_network_api_create_phase", "read": "improvenet_network_api_read_phase",
                   "change": "improvenet_network_api_update_phase"},
    summaries={"change": "Change a phase (roles, when sent, replace the phase's roles)"},
).register(router)
