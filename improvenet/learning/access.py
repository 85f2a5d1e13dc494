"""Who may change what the learning pages record, on top of improvenet.network.access.

Everyone who reads the cluster reads its evidence and spread. A school's spread stages are school
work (`can_change_school_work`); the evidence thresholds belong to the network, changed only by its
admins (and superusers).
"""

from django.core.exceptions import PermissionDenied

from improvenet.learning.models import SpreadStage
from improvenet.measures.services import writable_school_ids
from improvenet.network.access import Access, is_network_admin, member_of_cluster
from improvenet.network.models import Cluster, School, current_on

CANNOT_RECORD = "Only a school's design team (or the cluster lead) records the spread of change ideas in it."
CANNOT_ADJUST = "Only the network's admins adjust the evidence thresholds."


def may_adjust_thresholds(user, cluster: Access[Cluster]) -> bool:
    return bool(user.is_authenticated and user.is_superuser) or is_network_admin(user, cluster.obj.network)


def require_adjust_thresholds(user, cluster: Access[Cluster]) -> None:
    if not may_adjust_thresholds(user, cluster):
        raise PermissionDenied(CANNOT_ADJUST)


def recordable_schools(user, cluster: Access[Cluster]):
    """The current schools whose spread stages the user may record (the same rule as their measure data)."""
    schools = School.objects.filter(current_on()).order_by("name")
    writable = writable_school_ids(user, cluster)
    return schools if writable is None else schools.filter(pk__in=writable)


def require_recordable(user, cluster: Access[Cluster]):
    schools = recordable_schools(user, cluster)
    if not schools.exists():
        raise PermissionDenied(CANNOT_RECORD)
    return schools


def spread_stage_for_user(cluster: Access[Cluster], pk: int) -> Access[SpreadStage]:
    return member_of_cluster(SpreadStage, cluster, pk, "spread stage", related=["recorded_by"])
