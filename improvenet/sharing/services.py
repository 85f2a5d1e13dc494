"""Publishing a change idea to the network with its de-identified snapshot."""

import datetime

from django.db import transaction
from django.utils import timezone

from improvenet.design.models import ChangeIdea
from improvenet.sharing.models import Publication
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
