"""API routes of sharing between clusters: the network library, publishing, withdrawing and adopting.

The library (`/networks/{network}/library`) is read by everyone with a role in the network; outside
it, 404. Publishing and withdrawing happen under the publishing cluster, adopting under the adopting
cluster (`/clusters/{cluster}/adoptions`), each by whoever changes that cluster's shared design (403
otherwise). A withdrawn publication cannot be adopted (422); adopting the same publication twice, or
publishing an idea that is already published, answers 409.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from ninja import Field, FilterLookup, Query, Router, Schema, Status
from pydantic import StrictBool

from improvenet.design.models import ChangeIdea
from improvenet.network.access import MAX_ID
from improvenet.network.models import current_on
from improvenet.resources import ClusterResource, Day, Filters, PageParams, RecordId, Text, page_schema, paginate
from improvenet.sharing import access as sacc
from improvenet.sharing.models import Adoption, Publication
from improvenet.sharing.services import publish

router = Router(tags=["Sharing"])


class AdoptionOut(Schema):
    id: int
    cluster: str = Field(..., description="The adopting cluster's short name.")
    cluster_name: str
    change_idea_id: int = Field(..., description="The adopted idea, in the adopting cluster.")
    change_idea_title: str
    adopted_at: datetime.datetime
    adopted_by: str
    publication_id: int | None = Field(..., description="Empty when the source is known only as text (archives).")
    source_cluster_name: str
    source_idea_title: str
    source_published_on: datetime.date
    source_evidence_label: str


class PublicationSummary(Schema):
    id: int
    cluster: str = Field(..., description="The publishing cluster's short name.")
    cluster_name: str
    title: str
    evidence_level: str = Field(..., description="The level when published: untested, being_tested, promising, "
                                                 "supported or not_supported.")
    evidence_label: str
    names_schools: bool
    published_at: datetime.datetime
    published_by: str
    withdrawn_on: datetime.date | None
    withdrawal_reason: str
    adoption_count: int


class PublicationOut(PublicationSummary):
    snapshot: dict = Field(..., description="The de-identified fields published (docs/sharing.md).")
    adoptions: list[AdoptionOut]


class LibraryFilters(Filters):
    evidence_level: str | None = Field(None, description="Only publications at this level of evidence.")
    cluster: Annotated[str | None, FilterLookup("cluster__slug")] = Field(
        None, description="Only publications of this cluster (short name).")
    q: Annotated[str | None, FilterLookup("title__icontains")] = Field(
        None, description="Only publications whose title contains this text.")


class PublishIn(Schema):
    change_idea_id: RecordId = Field(..., description="The cluster's change idea to publish.")
    names_schools: StrictBool = Field(False, description="Name the schools of the published cycles (default: "
                                                         "level and role only).")


class WithdrawIn(Schema):
    reason: str = Field(..., description="Why the publication is withdrawn; shown in the library.")
    ended_on: Day | None = Field(None, description="The day it is withdrawn, from the day it was published "
                                                   "to today; today when left out.")


class AdoptIn(Schema):
    publication_id: int = Field(..., gt=0, le=MAX_ID,
                                description="A current publication of another cluster of the network.")
    title: str = Field("", max_length=200, description="The new idea's title; the published title when empty.")


def adoption_out(adoption: Adoption) -> dict:
    return {
        "id": adoption.pk, "cluster": adoption.cluster.slug, "cluster_name": adoption.cluster.name,
        "change_idea_id": adoption.change_idea_id, "change_idea_title": adoption.change_idea_title,
        "adopted_at": adoption.adopted_at, "adopted_by": adoption.adopted_by_name,
        "publication_id": adoption.publication_id, "source_cluster_name": adoption.source_cluster_name,
        "source_idea_title": adoption.source_idea_title, "source_published_on": adoption.source_published_on,
        "source_evidence_label": adoption.source_evidence_label,
    }


def _summary(publication: Publication, adoption_count: int) -> dict:
    return {
        "id": publication.pk, "cluster": publication.cluster.slug, "cluster_name": publication.cluster.name,
        "title": publication.title, "evidence_level": publication.evidence_level,
        "evidence_label": publication.evidence_label, "names_schools": publication.names_schools,
        "published_at": publication.published_at, "published_by": publication.published_by_name,
        "withdrawn_on": publication.ended_on, "withdrawal_reason": publication.withdrawal_reason,
        "adoption_count": adoption_count,
    }


def publication_out(publication: Publication) -> dict:
    """The publication with its adoptions; run inside the network's scope."""
    adoptions = Adoption.in_network.filter(publication=publication).select_related("cluster")
    found = [adoption_out(a) for a in adoptions]
    return {**_summary(publication, len(found)), "snapshot": publication.snapshot, "adoptions": found}


@router.get("/networks/{network}/library", response=page_schema(PublicationSummary), operation_id="list_library",
            summary="List the network's published change ideas")
def list_library(request, network: Text, filters: Query[LibraryFilters], page: Query[PageParams]):
    with sacc.in_library(request.auth, network):
        publications = filters.filter(Publication.in_network.select_related("cluster", "published_by"))
        publications = publications.annotate(adoption_count=Count("adoptions")).order_by("-published_at", "-id")
        listed = paginate(publications, page)
        listed["items"] = [_summary(p, p.adoption_count) for p in listed["items"]]
        return listed


@router.get("/networks/{network}/library/{publication_id}", response=PublicationOut, operation_id="read_publication",
            summary="Read a published change idea, its snapshot and its adoptions")
def read_publication(request, network: Text, publication_id: RecordId):
    with sacc.in_library(request.auth, network):
        return publication_out(sacc.publication_in_library(publication_id))


@router.post("/clusters/{cluster}/publications", response={201: PublicationOut}, operation_id="publish_change_idea",
             summary="Publish one of the cluster's change ideas to its network")
def publish_change_idea(request, cluster: Text, payload: PublishIn):
    with sacc.in_cluster_library(request.auth, cluster) as access, transaction.atomic():
        sacc.require_sharing(request.auth, access)
        idea = ChangeIdea.objects.filter(current_on(), pk=payload.change_idea_id).first()
        if idea is None:
            raise ValidationError({"change_idea_id": f"There is no current change idea with id "
                                                     f"{payload.change_idea_id} in this cluster."})
        publication = publish(idea, request.auth, names_schools=payload.names_schools)
        return Status(201, publication_out(publication))


@router.post("/clusters/{cluster}/publications/{publication_id}/withdraw", response=PublicationOut,
             operation_id="withdraw_publication", summary="Withdraw a publication (it stays, marked withdrawn)")
def withdraw_publication(request, cluster: Text, publication_id: RecordId, payload: WithdrawIn):
    with sacc.in_cluster_library(request.auth, cluster) as access, transaction.atomic():
        publication = sacc.publication_of_cluster(request.auth, access, publication_id).require_change()
        publication.withdraw(request.auth, payload.reason, payload.ended_on)
        return publication_out(publication)


ClusterResource(
    path="adoptions", label="adoption", model=Adoption, out=AdoptionOut, verbs=("list",),
    enter=sacc.in_cluster_library, select_related=["cluster"],
    present=lambda adoptions: [adoption_out(adoption) for adoption in adoptions],
    summaries={"list": "List the change ideas the cluster adopted from other clusters, with where they came from"},
    tag="Sharing",
).register(router)


@router.post("/clusters/{cluster}/adoptions", response={201: AdoptionOut}, operation_id="adopt_publication",
             summary="Adopt another cluster's published change idea as the start of the cluster's own")
def adopt_publication(request, cluster: Text, payload: AdoptIn):
    with sacc.in_cluster_library(request.auth, cluster) as access:
        adopting = sacc.require_sharing(request.auth, access, sacc.CANNOT_ADOPT)
        publication = sacc.publication_in_library(payload.publication_id)
        adoption = publication.adopt(adopting, request.auth, payload.title)
        return Status(201, adoption_out(adoption))
