"""Who may read and change convenings, on top of improvenet.network.access.

Everyone who may read the cluster reads its convenings and their packets (the audience of the
PDSA cycles); whoever may change the cluster (its lead, network admins) plans and edits them.
"""

from django.http import Http404

from improvenet.convenings.models import Convening
from improvenet.network.access import Access, member_of_cluster, team_for_user
from improvenet.network.models import Cluster, Team


def convening_for_user(cluster: Access[Cluster], pk: int) -> Access[Convening]:
    return member_of_cluster(Convening, cluster, pk, "convening", related=["cluster"])


def packet_team_for_user(cluster: Access[Cluster], pk: int) -> Team:
    """A school design team of the cluster: the teams that have a packet of their own."""
    team = team_for_user(cluster, pk).obj
    if team.kind != Team.Kind.SCHOOL_DESIGN or not team.school_id:
        raise Http404("Packets are made for school design teams; this team is not one.")
    return team
