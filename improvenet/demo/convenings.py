"""Demo convenings: Riverside's school teams met in December 2025 and March 2026.

Both fall in the second school year of the PDSA demo, so the packets show cycles decided, chart
signals after adoptions, an adaptation awaiting its decision and the spread of change ideas. The
dates are fixed (no randomness), like the calendar of the cycles demo.
"""

from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model

from improvenet.convenings.models import Convening
from improvenet.demo.network import ALICE, RIVERSIDE
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
    Convening.objects.bulk_create(
        Convening(cluster=cluster, held_on=held_on, title=title, place=place, notes=notes, created_by=lead)
        for held_on, title, place, notes in CONVENINGS
    )
