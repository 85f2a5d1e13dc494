"""The one way pyramid pages and routes read a pyramid: named by its high school, in the open cluster."""

from django.http import Http404

from improvenet.network import access as acc
from improvenet.network.models import Cluster, Pyramid, School


def pyramid_for_user(cluster: acc.Access[Cluster], school_id: int) -> acc.Access[Pyramid]:
    """The pyramid headed by this high school; any other school, or another cluster's, is 404."""
    head = acc.school_for_user(cluster, school_id)
    if head.obj.level != School.Level.HIGH or not head.obj.is_current:
        raise Http404("A pyramid is named by one of the cluster's current high schools.")
    return acc.Access(head.obj.pyramid(), cluster.role, cluster.can_change)
