"""Demo convenings: Riverside's school teams met in December 2025 and March 2026.

Both fall in the second school year of the PDSA demo, so the packets show cycles decided, chart
signals after adoptions, an adaptation awaiting its decision and the spread of change ideas. The
levels of evidence the spring convening saw are kept, two of them weaker than today's, so that the cluster
overview names the ideas whose level changed since. The dates are fixed (no randomness), like the
calendar of the cycles demo.
"""

from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model

from improvenet.convenings.models import Convening
from improvenet.demo.network import ALICE, RIVERSIDE
from improvenet.home.models import EvidenceLevelSeen
from improvenet.learning.evidence import Level
from improvenet.learning.services import evidence_index
from improvenet.network.models import Cluster

CONVENINGS = (
    (date(2025, 12, 11), "Winter convening of the school teams", "Riverside district office, board room",
     "Each school design team brings its packet: ten minutes of share-out per team, then the prompts in small groups."),
    (date(2026, 3, 12), "Spring convening of the school teams", "Riverside State University, conference center",
     "Share-out by school, then a decision on the adaptations awaiting the district design team."),
)


def create_convenings_demo(seed: int, report: Callable[[str], None]) -> None:
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    lead = get_user_model().objects.filter(username=ALICE).first()
    report(f"Planning {len(CONVENINGS)} convenings of {cluster.name}'s school teams")
    last_day = CONVENINGS[-1][0]
    Convening.objects.bulk_create(
        Convening(cluster=cluster, held_on=held_on, title=title, place=place, notes=notes, created_by=lead,
                  kept_on=held_on if held_on == last_day else None)
        for held_on, title, place, notes in CONVENINGS
    )
    _levels_seen_at(cluster, last_day)


# The levels that rose since the spring convening: (level today, level the convening saw).
ROSE_FROM = {Level.SUPPORTED: Level.PROMISING, Level.PROMISING: Level.BEING_TESTED,
             Level.NOT_SUPPORTED: Level.BEING_TESTED}
CHANGED_SINCE = 2


def _levels_seen_at(cluster: Cluster, held_on: date) -> None:
    """Each change idea's level as the convening saw it: today's, but weaker for CHANGED_SINCE ideas."""
    found = evidence_index(cluster)
    rose = [e.idea.pk for e in found if e.level in ROSE_FROM][:CHANGED_SINCE]
    EvidenceLevelSeen.objects.bulk_create(
        EvidenceLevelSeen(cluster=cluster, change_idea=e.idea, seen_on=held_on,
                          level=(ROSE_FROM[e.level] if e.idea.pk in rose else e.level).value)
        for e in found
    )
