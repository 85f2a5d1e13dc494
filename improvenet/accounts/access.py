"""Who reads a cluster's invitations: its leads and its network's admins, who send them."""

from django.core.exceptions import PermissionDenied

from improvenet.accounts.models import Invitation
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster


def require_inviter(user, access: Access[Cluster]) -> None:
    if not access.can_change:
        raise PermissionDenied("Invitations are sent and read by the cluster's leads and network admins.")


def invitation_for_user(access: Access[Cluster], pk: int) -> Access[Invitation]:
    require_inviter(None, access)
    return member_of_cluster(Invitation, access, pk, "invitation", related=["team", "school", "invited_by"])
