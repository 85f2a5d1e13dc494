"""Who may read and change engagement records, on top of improvenet.network.access.

Everyone with a role in the cluster reads its engagement events, objections and selection decisions
(they name groups, never private persons); the cluster lead and network admins record and change them.
"""

from improvenet.engagement.models import Candidate, CommunityInput, EngagementEvent, Objection, SelectionDecision
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster


def event_for_user(cluster: Access[Cluster], pk: int) -> Access[EngagementEvent]:
    return member_of_cluster(EngagementEvent, cluster, pk, "engagement event", related=["school"])


def input_for_user(cluster: Access[Cluster], pk: int) -> Access[CommunityInput]:
    return member_of_cluster(CommunityInput, cluster, pk, "concern or support", related=["event"])


def objection_for_user(cluster: Access[Cluster], pk: int) -> Access[Objection]:
    return member_of_cluster(Objection, cluster, pk, "objection", related=["school"])


def decision_for_user(cluster: Access[Cluster], pk: int) -> Access[SelectionDecision]:
    return member_of_cluster(SelectionDecision, cluster, pk, "selection decision")


def candidate_for_user(cluster: Access[Cluster], pk: int) -> Access[Candidate]:
    return member_of_cluster(Candidate, cluster, pk, "candidate", related=["decision", "school", "objection"])
