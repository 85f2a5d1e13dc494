"""How the panel's pages and API read its records, on top of improvenet.network.access.

Everyone with a role in the cluster reads the panel, its proposals, votes (with each member's
ballot: the panel votes in the open), decisions and the research agenda. The cluster lead and
network admins add members and proposals, set up votes, record ballots as the panel votes, close
votes and record decisions (`Access.can_change`).
"""

from improvenet.governance.models import Decision, PanelMember, Proposal, Vote
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster


def member_for_user(cluster: Access[Cluster], pk: int) -> Access[PanelMember]:
    return member_of_cluster(PanelMember, cluster, pk, "panel member", related=["person"])


def proposal_for_user(cluster: Access[Cluster], pk: int) -> Access[Proposal]:
    return member_of_cluster(Proposal, cluster, pk, "proposal", related=["proposed_by"])


def vote_for_user(cluster: Access[Cluster], pk: int) -> Access[Vote]:
    return member_of_cluster(Vote, cluster, pk, "vote", related=["cluster", "winner"])


def decision_for_user(cluster: Access[Cluster], pk: int) -> Access[Decision]:
    return member_of_cluster(Decision, cluster, pk, "decision", related=["vote"])
