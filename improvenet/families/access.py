"""Who reads the family pages and the opt-out requests, on top of improvenet.network.access.

The family pages are public (no sign-in) but only for a cluster whose lead has published them: an
unpublished cluster's pages, like a cluster that does not exist, answer 404. Opt-out requests carry
a student's id and a guardian's contact, so only the cluster lead, network admins and the cluster's
longitudinal data team (`improvenet.data.services.may_load`) read and handle them; others who read the
cluster get 404, as if the requests did not exist.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404
from django_scopes import scope

from improvenet.data import services as data_services
from improvenet.families.models import FamilyPages, OptOutRequest
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster, School, current_on

PUBLIC = "public"


@contextmanager
def published_cluster(slug: str) -> Iterator[Cluster]:
    """The cluster of a public family page, with its scope open; 404 unless its pages are published."""
    cluster = Cluster.objects.filter(current_on(), slug=slug).first()
    if cluster is None:
        raise Http404("No such family pages.")
    with scope(cluster=cluster):
        if not FamilyPages.objects.filter(cluster=cluster, published=True).exists():
            raise Http404("No such family pages.")
        yield cluster


def family_schools():
    """The schools a cluster's family pages describe: its current schools."""
    return School.objects.filter(current_on()).order_by("name")


def family_school(cluster: Cluster, pk: int) -> School:
    return member_of_cluster(family_schools(), Access(cluster, PUBLIC, False), pk, "school").obj


def settings_for(cluster: Access[Cluster]) -> FamilyPages:
    """The cluster's family pages setting (unsaved and unpublished until the lead saves it)."""
    return FamilyPages.objects.filter(cluster=cluster.obj).first() or FamilyPages(cluster=cluster.obj)


def may_handle_requests(user, cluster: Access[Cluster]) -> bool:
    return data_services.may_load(user, cluster)


def require_requests(user, cluster: Access[Cluster]) -> None:
    if not may_handle_requests(user, cluster):
        raise Http404("No such page.")


def request_for_user(user, cluster: Access[Cluster], pk: int) -> Access[OptOutRequest]:
    """An opt-out request; those who may read it also handle it (confirm, or mark it not matched)."""
    require_requests(user, cluster)
    return opt_out_request(cluster, pk)


def opt_out_request(cluster: Access[Cluster], pk: int) -> Access[OptOutRequest]:
    """The request, for someone `require_requests` let through."""
    found = member_of_cluster(OptOutRequest, cluster, pk, "opt-out request", related=["school", "resolved_by"])
    return Access(found.obj, cluster.role, can_change=True)
