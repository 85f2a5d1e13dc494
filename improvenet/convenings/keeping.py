"""What a convening saw, kept on its day so that the next convening's packet and the cluster's overview compare
with it: each change idea's evidence level (`home.overview.keep_levels`) and pooled effect
(`synthesis.services.take_snapshot`).

Neither can be computed again later for a past day (thresholds, answered predictions and the evidence ledger
change without a dated history), and the pages that compare with them only read: a scheduler runs
`improvenet convenings keep` once a day (docs/convenings.md), which keeps each cluster's latest convening whose
day has come. An older convening left unkept stays so: today's levels are not what it saw.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django_scopes import scope

from improvenet.convenings.models import Convening
from improvenet.home.overview import keep_levels
from improvenet.network.models import Cluster
from improvenet.synthesis.services import take_snapshot


@dataclass(frozen=True)
class Kept:
    convening: Convening
    levels: int  # the change ideas whose level was kept (those that changed since the level kept before)
    pooled: int  # the pooled effects kept (a change idea and scale with at least one estimate)


def convening_to_keep(cluster: Cluster, today: datetime.date) -> Convening | None:
    """The cluster's latest convening whose day has come, if what it saw is not kept yet."""
    with scope(cluster=cluster):
        latest = Convening.objects.filter(cluster=cluster, held_on__lte=today).order_by("-held_on").first()
    return latest if latest is not None and latest.kept_on is None else None


def keep(convening: Convening, today: datetime.date) -> Kept:
    """Keep the evidence levels and pooled effects of the convening's cluster as they stand today, once."""
    with scope(cluster=convening.cluster, network=convening.cluster.network_id), transaction.atomic():
        locked = Convening.objects.select_for_update().get(pk=convening.pk)
        if locked.kept_on is not None:
            return Kept(locked, 0, 0)
        levels = keep_levels(locked.cluster, locked.held_on)
        pooled = len(take_snapshot(locked))
        locked.kept_on = today
        locked.save(update_fields=["kept_on"])
    convening.kept_on = today  # the caller's copy reads as kept too
    return Kept(locked, levels, pooled)


def keep_due(clusters: list[Cluster], today: datetime.date) -> list[Kept]:
    """Keep what each cluster's latest convening saw, where its day has come and it is not kept yet."""
    return [keep(convening, today) for cluster in clusters if (convening := convening_to_keep(cluster, today))]
