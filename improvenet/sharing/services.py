"""What the sharing app offers the rest of improvenet: publishing, and the lineage of adopted ideas.

`adoptions_out_of(cluster)` and `adoptions_into(cluster)` let the learning app count how far a
cluster's ideas scaled out to the network's other clusters, and where a cluster's ideas came from.
"""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope

from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster
from improvenet.sharing.models import Adoption, Publication
from improvenet.sharing.snapshot import build_snapshot


def publish(change_idea: ChangeIdea, user, *, names_schools: bool = False,
            at: datetime.datetime | None = None) -> Publication:
    """Publish the idea to its network with a snapshot taken now; run inside the idea's cluster scope.

    The title other clusters read is the snapshot's de-identified one, never the idea's own.
    """
    at = at or timezone.now()
    snapshot = build_snapshot(change_idea, names_schools=names_schools, on=timezone.localdate(at))
    publication = Publication(
        cluster_id=change_idea.cluster_id, change_idea=change_idea, title=snapshot["title"][:200],
        evidence_level=snapshot["evidence"]["level"], names_schools=names_schools, snapshot=snapshot,
        published_at=at, published_by=user,
    )
    with transaction.atomic():
        publication.full_clean(validate_constraints=False)  # check_conflicts() names the open publication
        publication.check_conflicts()
        publication.save()
    return publication


def adoptions_out_of(cluster: Cluster) -> QuerySet[Adoption]:
    """Adoptions by the network's other clusters of ideas this cluster published, newest first."""
    with scope(network=cluster.network_id):
        return Adoption.in_network.filter(publication__cluster=cluster).select_related("cluster", "publication")


def adoptions_into(cluster: Cluster) -> QuerySet[Adoption]:
    """This cluster's change ideas that started from another cluster's publication, newest first."""
    with scope(cluster=cluster):
        return Adoption.objects.filter(cluster=cluster).select_related("change_idea")
