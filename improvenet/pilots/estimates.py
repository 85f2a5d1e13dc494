"""Finished pilots' effect estimates, given to the evidence ledger (`improvenet.synthesis.sources`).

A pilot decided (adopt, adapt or abandon) with an effect estimate and its standard error is one site
of evidence about its product: its cluster, on the Hedges' g scale. Only pilots of the clusters the
reader may read are given, and nothing below the pilot (no school, no student).
"""

from collections.abc import Iterable

from django.urls import reverse
from django_scopes import scopes_disabled

from improvenet.pilots.models import Pilot
from improvenet.synthesis.sources import SiteEstimate

SOURCE = "pilots"


def finished_pilot_estimates(subject_kind: str, subject_id: int,
                             readable_cluster_ids: frozenset[int]) -> Iterable[SiteEstimate]:
    if subject_kind != "product":
        return []
    with scopes_disabled():
        pilots = Pilot.objects.filter(
            product_id=subject_id, cluster_id__in=readable_cluster_ids, stage=Pilot.Stage.DONE,
            effect_size__isnull=False, effect_standard_error__isnull=False,
        ).select_related("cluster", "product").order_by("decided_on", "pk")
        return [
            SiteEstimate(
                source=SOURCE, site=f"{pilot.cluster.name}: {pilot.title}", cluster_id=pilot.cluster_id,
                yi=pilot.effect_size, vi=pilot.effect_standard_error ** 2, outcome=pilot.effect_outcome,
                label=f"Pilot of {pilot.product} ({pilot.get_decision_display().lower()}ed on {pilot.decided_on})",
                url=reverse("pilots:pilot", args=[pilot.cluster.slug, pilot.pk]),
                moderators={"schools": pilot.schools.count(), "cluster": pilot.cluster.name},
            )
            for pilot in pilots
        ]
