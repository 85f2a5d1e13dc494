"""Who may read and change what is shared between clusters, on top of improvenet.network.access.

The network library is read by everyone with a role in one of the network's clusters (and its
admins): `in_library` opens the network's scope, in which `Publication.in_network` and
`Adoption.in_network` read across clusters while every cluster's own records stay closed. A
cluster publishes, withdraws and adopts through whoever changes its shared design
(`can_change_shared_design`: the cluster lead, network admins, the district design team).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope

from improvenet.network.access import (
    MAX_ID,
    ROLES_THAT_CHANGE_THE_CLUSTER,
    Access,
    can_change_shared_design,
    in_cluster,
    network_for_user,
    role_in_cluster,
    visible_clusters,
)
from improvenet.network.models import Cluster, Network, current_on
from improvenet.sharing.models import Publication

CANNOT_SHARE = "Only those who change this cluster's shared design (the district design team) publish and withdraw."
CANNOT_ADOPT = "Only those who change a cluster's shared design adopt change ideas into it."


@contextmanager
def in_library(user, network_slug: str) -> Iterator[Access[Network]]:
    """The network's library for the user (404 outside the network), with the network's scope open."""
    access = network_for_user(user, network_slug)
    with scope(network=access.obj):
        yield access


@contextmanager
def in_cluster_library(user, cluster_slug: str) -> Iterator[Access[Cluster]]:
    """A cluster's scope together with its network's, for reading and adopting the network's publications."""
    with in_cluster(user, cluster_slug) as access, scope(network=access.obj.network_id):
        yield access


def may_share_for(user, cluster: Cluster) -> bool:
    """Whether the user changes the cluster's shared design, so publishes, withdraws and adopts for it."""
    role = role_in_cluster(user, cluster)
    if role is None:
        return False
    with scope(cluster=cluster):
        return can_change_shared_design(user, Access(cluster, role, role in ROLES_THAT_CHANGE_THE_CLUSTER))


def require_sharing(user, cluster: Access[Cluster], refusal: str = CANNOT_SHARE) -> Cluster:
    if not can_change_shared_design(user, cluster):
        raise PermissionDenied(refusal)
    return cluster.obj


def publication_in_library(pk: int) -> Publication:
    """A publication of the open network scope, whichever of its clusters published it."""
    found = Publication.in_network.select_related("cluster", "published_by", "withdrawn_by")
    publication = found.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if publication is None:
        raise Http404("No such publication in this network's library.")
    return publication


def publication_of_cluster(user, cluster: Access[Cluster], pk: int) -> Access[Publication]:
    """One of the open cluster's own publications; `can_change` says whether the user may withdraw it."""
    found = Publication.objects.select_related("cluster", "published_by", "withdrawn_by")
    publication = found.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if publication is None:
        raise Http404("No such publication of this cluster.")
    return Access(publication, cluster.role, can_change_shared_design(user, cluster))


def adoptable_clusters(user, publication: Publication) -> list[Cluster]:
    """The current clusters of the publication's network, other than its own, that the user may adopt into."""
    clusters = (visible_clusters(user).filter(current_on(), network_id=publication.cluster.network_id)
                .exclude(pk=publication.cluster_id).select_related("network").order_by("name"))
    return [cluster for cluster in clusters if may_share_for(user, cluster)]
