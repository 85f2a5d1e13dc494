"""Who may read and change studies, on top of improvenet.network.access.

The cluster lead, network admins, researchers and the longitudinal data team design, register, allocate and
analyse studies; team members read them whole; viewers and readers from other clusters of the network read the
summary (the question, the design, the registration and a published evidence statement), not the allocation's
units, the revisions or the impact figures. Members of a cluster a study is shared with (`Study.shared_with`)
read that study's summary, and nothing else of its cluster; so do the members of every cluster of the network
once the study is published to the network's library (`StudyPublication`): its study page only, which shows the
published copy. Student-level rows are never on these pages: the analytic sample is read from the store under
the study's data use agreement, and only its aggregates are kept.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scope, scopes_disabled

from improvenet.data.services import is_data_team_member
from improvenet.network.access import (
    MAX_ID,
    ROLES_THAT_CHANGE_THE_CLUSTER,
    SHARED_READER,
    Access,
    cluster_for_user,
    in_cluster,
    member_of_cluster,
)
from improvenet.network.models import Cluster, ClusterRole
from improvenet.studies.models import Study, StudyPublication

SUMMARY_ONLY = {ClusterRole.Role.VIEWER, SHARED_READER}


def may_write_studies(user, cluster: Access[Cluster]) -> bool:
    return cluster.can_change or cluster.role == ClusterRole.Role.RESEARCHER or is_data_team_member(user, cluster.obj)


def may_read_details(cluster: Access) -> bool:
    return cluster.role not in SUMMARY_ONLY


def studies_access(user, cluster: Access[Cluster]) -> Access[Cluster]:
    """The cluster's access as the study pages use it: `can_change` means may design and run studies."""
    return replace(cluster, can_change=may_write_studies(user, cluster))


def district_access(cluster: Access[Cluster]) -> Access[Cluster]:
    """The cluster's access as the store's rules read it (`can_change`: the lead and network admins), for the
    reads of student data a study makes: writing studies gives a researcher no district reader's rights."""
    return replace(cluster, can_change=cluster.role in ROLES_THAT_CHANGE_THE_CLUSTER)


def study_for_user(cluster: Access[Cluster], pk: int) -> Access[Study]:
    """The study; `can_change` as the cluster's studies access says (enter through `in_cluster_studies`)."""
    return member_of_cluster(Study, cluster, pk, "study", related=["agreement", "registered_by"])


@contextmanager
def in_cluster_studies(user, slug: str) -> Iterator[Access[Cluster]]:
    """The cluster's scope, with the access the study pages use (`studies_access`)."""
    with in_cluster(user, slug) as cluster:
        yield studies_access(user, cluster)


def _shared_study_reader(user, slug: str, study_id: int, *, published: bool) -> Access[Cluster]:
    """The study's cluster as a reader of its summary, for a member of a cluster the study is shared with and,
    when `published`, for a member of any cluster of the network the study is published to; Http404 otherwise,
    as for any cluster the user may not read."""
    cluster = Cluster.objects.select_related("network").filter(slug=slug).first()
    if cluster is None or not 0 < study_id <= MAX_ID or not (user.is_authenticated and user.is_active):
        raise Http404("No such cluster.")
    with scope(cluster=cluster):
        shared = Study.objects.filter(pk=study_id, shared_with__network_id=cluster.network_id,
                                      shared_with__roles__user=user).exists()
        shared = shared or (published and StudyPublication.objects.filter(study_id=study_id, ended_on__isnull=True)
                            .exists() and ClusterRole.objects.filter(cluster__network_id=cluster.network_id,
                                                                     user=user).exists())
    if not shared:
        raise Http404("No such cluster.")
    return Access(cluster, SHARED_READER, can_change=False)


@contextmanager
def in_study_summary(user, slug: str, study_id: int, *, published: bool = False
                     ) -> Iterator[tuple[Access[Cluster], bool]]:
    """The study's cluster scope, as `in_cluster_studies`, and also for the members of the clusters the study
    is shared with (and, when `published`, of every cluster of the network it is published to), who read its
    summary only (the role SHARED_READER: `may_read_details` is false). Gives the access and whether it comes
    from the study's sharing alone (then nothing else of the cluster is theirs)."""
    try:
        access, by_sharing = cluster_for_user(user, slug), False
    except Http404:
        access, by_sharing = _shared_study_reader(user, slug, study_id, published=published), True
    with scope(cluster=access.obj):
        yield (access if by_sharing else studies_access(user, access)), by_sharing


def studies_shared_with(cluster: Access[Cluster]) -> QuerySet[Study]:
    """Other clusters' studies shared with this one, for its members (readers of it by the network's sharing
    have no role in it, so the studies are not theirs to read)."""
    if cluster.role == SHARED_READER:
        return Study.objects.none()
    # The studies belong to other clusters, outside the open scope; the filter names this cluster.
    with scopes_disabled():
        return Study.objects.filter(shared_with=cluster.obj).select_related("cluster").order_by("-starts_on", "title")


@contextmanager
def in_cluster_network(user, slug: str) -> Iterator[Access[Cluster]]:
    """`in_cluster_studies` with the network's scope open too, for the studies published to the network
    (`StudyPublication.in_network`)."""
    with in_cluster_studies(user, slug) as cluster, scope(network=cluster.obj.network_id):
        yield cluster

