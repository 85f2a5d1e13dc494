"""The one way views and API routes read network objects: who may read them, who may change them.

Each object type has one helper that returns an `Access` (the object and whether the user may change
it) or raises Http404 when the user may not read it, so that another cluster's records are
indistinguishable from records that do not exist. Changing without the right raises
PermissionDenied (403) through `Access.require_change()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django_scopes import scope

from improvenet.network.models import (
    Cluster,
    ClusterRole,
    Membership,
    Network,
    Organization,
    Person,
    Phase,
    School,
    Team,
    current_on,
)

T = TypeVar("T")

NETWORK_ADMIN = "admin"
SHARED_READER = "shared"
ROLES_THAT_CHANGE_THE_CLUSTER = {NETWORK_ADMIN, ClusterRole.Role.LEAD}


@dataclass(frozen=True)
class Access(Generic[T]):
    obj: T
    role: str
    can_change: bool

    @property
    def role_label(self) -> str:
        special = {NETWORK_ADMIN: "Network admin", SHARED_READER: "Reader (shared with the network)"}
        return special.get(self.role) or ClusterRole.Role(self.role).label

    def require_change(self) -> T:
        if not self.can_change:
            raise PermissionDenied("Your role lets you read this but not change it.")
        return self.obj


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def visible_clusters(user) -> QuerySet[Cluster]:
    """Clusters the user may read: by a role in them, as network admin, or shared with the network."""
    if not _signed_in(user):
        return Cluster.objects.none()
    has_role_here = ClusterRole.objects.filter(cluster=OuterRef("pk"), user=user)
    has_role_in_network = ClusterRole.objects.filter(cluster__network=OuterRef("network"), user=user)
    return Cluster.objects.filter(
        Exists(has_role_here)
        | Q(network__admins=user)
        | (Q(shares_with_network=True) & Exists(has_role_in_network))
    ).distinct()


def visible_networks(user) -> QuerySet[Network]:
    if not _signed_in(user):
        return Network.objects.none()
    return Network.objects.filter(
        Q(admins=user) | Q(clusters__roles__user=user)
    ).distinct()


def is_network_admin(user, network: Network) -> bool:
    return _signed_in(user) and network.admins.filter(pk=user.pk).exists()


def role_in_cluster(user, cluster: Cluster) -> str | None:
    """The user's effective role in a cluster, or None when they may not see it at all."""
    if not _signed_in(user):
        return None
    if is_network_admin(user, cluster.network):
        return NETWORK_ADMIN
    own = ClusterRole.objects.filter(cluster=cluster, user=user).values_list("role", flat=True).first()
    if own:
        return own
    if cluster.shares_with_network and ClusterRole.objects.filter(
        cluster__network_id=cluster.network_id, user=user
    ).exists():
        return SHARED_READER
    return None


def network_for_user(user, slug: str) -> Access[Network]:
    network = visible_networks(user).filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    admin = is_network_admin(user, network)
    return Access(network, NETWORK_ADMIN if admin else "member", can_change=admin)


def cluster_for_user(user, slug: str) -> Access[Cluster]:
    cluster = Cluster.objects.select_related("network").filter(slug=slug).first()
    role = role_in_cluster(user, cluster) if cluster else None
    if role is None:
        raise Http404("No such cluster.")
    return Access(cluster, role, can_change=role in ROLES_THAT_CHANGE_THE_CLUSTER)


@contextmanager
def in_cluster(user, slug: str) -> Iterator[Access[Cluster]]:
    """Resolve the cluster for the user and open its data scope for the duration of the block."""
    access = cluster_for_user(user, slug)
    with scope(cluster=access.obj):
        yield access


# The largest id a database row can have; larger numbers in an address cannot name a record.
MAX_ID = 2**63 - 1


def member_of_cluster(records, cluster: Access[Cluster], pk: int, label: str, related=()) -> Access:
    """Find a record among the open cluster scope's `records` (a model or a queryset of one)."""
    queryset = records.objects.all() if isinstance(records, type) else records
    obj = queryset.select_related(*related).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if obj is None:
        raise Http404(f"No such {label} in this cluster.")
    return Access(obj, cluster.role, cluster.can_change)


def partner_organizations():
    """A cluster's organizations other than its schools, which have their own pages and routes."""
    return Organization.objects.filter(school__isnull=True)


def organization_for_user(cluster: Access[Cluster], pk: int) -> Access[Organization]:
    return member_of_cluster(partner_organizations(), cluster, pk, "organization")


def school_for_user(cluster: Access[Cluster], pk: int) -> Access[School]:
    return member_of_cluster(School, cluster, pk, "school", related=["feeds_into"])


def person_for_user(cluster: Access[Cluster], pk: int) -> Access[Person]:
    return member_of_cluster(Person, cluster, pk, "person", related=["home_organization"])


def team_for_user(cluster: Access[Cluster], pk: int) -> Access[Team]:
    return member_of_cluster(Team, cluster, pk, "team", related=["school"])


def membership_for_user(cluster: Access[Cluster], pk: int) -> Access[Membership]:
    return member_of_cluster(Membership, cluster, pk, "membership", related=["team", "person"])


def is_current_team_member(user, cluster: Cluster, kind: str, school_id: int | None = None) -> bool:
    """Whether the user's person record is on a current team of this kind (in this school)."""
    if not _signed_in(user):
        return False
    memberships = Membership.objects.filter(
        current_on(), current_on(via="team__"), team__cluster=cluster, team__kind=kind, person__user=user
    )
    if school_id is not None:
        memberships = memberships.filter(team__school_id=school_id)
    return memberships.exists()


def can_change_shared_design(user, cluster: Access[Cluster]) -> bool:
    """The shared design (challenges, aims, driver diagrams, innovations) belongs to the district design team."""
    return cluster.can_change or is_current_team_member(user, cluster.obj, Team.Kind.DISTRICT_DESIGN)


def can_change_school_work(user, cluster: Access[Cluster], school_id: int | None) -> bool:
    """A school's cycles and measure data are written by that school's design team."""
    if cluster.can_change:
        return True
    return school_id is not None and is_current_team_member(user, cluster.obj, Team.Kind.SCHOOL_DESIGN, school_id)


def phase_for_user(cluster: Access[Cluster], pk: int) -> Access[Phase]:
    return member_of_cluster(Phase, cluster, pk, "phase")
