"""Who may read and change products and pilots, on top of improvenet.network.access.

Everyone who reads the cluster reads its products and pilots. They are changed by those who change
the shared design: the cluster lead, network admins and the district design team, who choose what
the district tries. A company reads one thing only: the suppressed report of the pilots of its own
products, through `in_pilot_report`. It needs no role in the cluster: its people are the
cluster's people records whose home organization is the company, linked to their accounts by the
lead, and that gives them no other page of the cluster.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.http import Http404
from django_scopes import scope, scopes_disabled

from improvenet.network.access import (
    MAX_ID,
    Access,
    can_change_shared_design,
    cluster_for_user,
    member_of_cluster,
)
from improvenet.network.models import Cluster, Organization, Person, current_on
from improvenet.pilots.models import MAKER_KINDS, Pilot, Product

COMPANY = "company"
CANNOT_CHANGE = "Product pilots are changed by the cluster lead and the district design team."


def can_change_pilots(user, cluster: Access[Cluster]) -> bool:
    return can_change_shared_design(user, cluster)


def pilots_access(user, cluster: Access[Cluster]) -> Access[Cluster]:
    """The user's access to the cluster's products and pilots: reading as the cluster, changing as above."""
    return replace(cluster, can_change=can_change_pilots(user, cluster))


def product_for_user(cluster: Access[Cluster], pk: int) -> Access[Product]:
    """A product, given the access of `pilots_access`."""
    return member_of_cluster(Product, cluster, pk, "product", related=["company", "privacy_agreement"])


def pilot_for_user(cluster: Access[Cluster], pk: int) -> Access[Pilot]:
    """A pilot, given the access of `pilots_access` (or of `in_pilot_report`, for its report)."""
    return member_of_cluster(Pilot, cluster, pk, "pilot", related=["product", "product__company"])


def is_company_person(user, pilot: Pilot) -> bool:
    """Whether the user is a current person of the cluster whose home organization makes the pilot's product."""
    return bool(user and user.is_authenticated and user.is_active) and Person.objects.filter(
        current_on(), user=user, home_organization_id=pilot.product.company_id).exists()


@contextmanager
def in_pilot_report(user, slug: str, pilot_id: int) -> Iterator[tuple[Access[Cluster], bool]]:
    """Open the cluster's scope for a pilot's suppressed report: (the cluster's access, whether it is for this
    report only). Read the pilot with `pilot_for_user`.

    Anyone who reads the cluster reads the report (their own access; False); a person of the company that
    makes the product reads it and nothing else of the cluster (the role COMPANY, changing nothing; True), as
    the page kit's outside reader of one page. Everyone else gets 404, as if the cluster did not exist.
    """
    cluster = Cluster.objects.select_related("network").filter(slug=slug).first()
    if cluster is None:
        raise Http404("No such cluster.")
    try:
        access = cluster_for_user(user, slug)
    except Http404:
        access = None
    with scope(cluster=cluster):
        if access is None:
            pilot = (Pilot.objects.select_related("product").filter(pk=pilot_id).first()
                     if 0 < pilot_id <= MAX_ID else None)
            if pilot is None or not is_company_person(user, pilot):
                raise Http404("No such cluster.")
        yield (access, False) if access is not None else (Access(cluster, COMPANY, False), True)


@dataclass(frozen=True)
class CompanyReports:
    """What a person of a company reads, across every cluster where they are one: their pilots' reports."""

    companies: list[Organization]
    pilots: list[Pilot]


def company_reports(user) -> CompanyReports | None:
    """The reports of the pilots of the products the user's companies make; None for a user of no company.

    The same rule as `in_pilot_report`: a current person of a cluster whose home organization is a
    company or nonprofit reads the reports of that cluster's pilots of its products.
    """
    if not (user and user.is_authenticated and user.is_active):
        return None
    with scopes_disabled():
        people = Person.objects.filter(current_on(), user=user, home_organization__kind__in=MAKER_KINDS)
        companies = list(Organization.objects.filter(pk__in=people.values("home_organization_id"))
                         .select_related("cluster").order_by("name", "cluster__name"))
        if not companies:
            return None
        pilots = list(Pilot.objects.filter(product__company__in=companies)
                      .select_related("cluster", "product", "product__company").order_by("cluster__name", "title"))
    return CompanyReports(companies, pilots)
