"""Who may read and change studies, on top of improvenet.network.access.

The cluster lead, network admins, researchers and the longitudinal data team design, register, allocate and
analyse studies; team members read them whole; viewers and readers from other clusters of the network read the
summary (the question, the design, the registration and a published evidence statement), not the allocation's
units, the revisions or the impact figures. Student-level rows are never on these pages: the analytic sample
is read from the store under the study's data use agreement, and only its aggregates are kept.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from improvenet.data.services import is_data_team_member
from improvenet.network.access import (
    ROLES_THAT_CHANGE_THE_CLUSTER,
    SHARED_READER,
    Access,
    in_cluster,
    member_of_cluster,
)
from improvenet.network.models import Cluster, ClusterRole
from improvenet.studies.models import Study

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
