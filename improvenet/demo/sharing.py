"""Demo sharing: a change idea published by Riverside and adopted by Lakeside.

Riverside's cluster lead publishes the change idea with the strongest evidence from the demo's
cycles (the highest level of evidence, then the most schools that adopted it, then the most
cycles); Lakeside's lead adopts it, and Lakeside's school design team runs one cycle of it, so the
lineage shows from both sides. Fixed dates after the demo cycles' last decisions; the seed decides
only through the cycles it made. Runs inside `load_demo`'s transaction with scopes disabled.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model
from django_scopes import scope

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.demo.network import ALICE, DAN, LAKESIDE, RIVERSIDE
from improvenet.design.models import ChangeIdea
from improvenet.learning.services import evidence_index
from improvenet.network.models import Cluster, Team, current_on
from improvenet.sharing.models import Adoption
from improvenet.sharing.services import publish

PUBLISHED_AT = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)
ADOPTED_AT = datetime(2026, 6, 22, 15, 0, tzinfo=UTC)
LAKESIDE_CYCLE_START = date(2026, 9, 14)


def create_sharing_demo(seed: int, report: Callable[[str], None]) -> None:
    riverside = Cluster.objects.get(slug=RIVERSIDE)
    lakeside = Cluster.objects.get(slug=LAKESIDE)
    users = get_user_model().objects.in_bulk([ALICE, DAN], field_name="username")
    with scope(cluster=riverside, network=riverside.network_id):
        idea = strongest_idea(riverside)
        if idea is None:
            return
        report(f"Publishing “{idea.title}” from {riverside.name} to the network")
        publication = publish(idea, users.get(ALICE), at=PUBLISHED_AT)
    with scope(cluster=lakeside, network=lakeside.network_id):
        report(f"{lakeside.name} adopts “{idea.title}” and tests it in one cycle")
        adoption = publication.adopt(lakeside, users.get(DAN), on=ADOPTED_AT)
        _first_lakeside_cycle(lakeside, adoption, users.get(DAN))


def strongest_idea(cluster: Cluster) -> ChangeIdea | None:
    """The cluster's tested idea with the strongest evidence; ties go to more adopting schools, then cycles."""
    def strength(found) -> tuple[int, int, int]:
        adopting = {cycle.school_id for cycle in found.cycles if cycle.decision == PdsaCycle.Decision.ADOPT}
        return found.level.rank, len(adopting), len(found.cycles)

    tested = [found for found in evidence_index(cluster) if found.cycles]
    strongest = max(tested, key=strength, default=None)
    return strongest.idea if strongest else None


def _first_lakeside_cycle(cluster: Cluster, adoption: Adoption, user) -> None:
    team = (Team.objects.filter(current_on(), cluster=cluster, kind=Team.Kind.SCHOOL_DESIGN)
            .select_related("school").order_by("pk").first())
    if team is None:
        return
    idea = adoption.change_idea
    cycle = PdsaCycle.objects.create(
        cluster=cluster, school=team.school, team=team, change_idea=idea, created_by=user,
        objective=f"Try “{idea.title}”, adopted from {adoption.source_cluster_name}, with one advisory group "
                  "of 9th graders for two weeks.",
        questions="Does it work in our school as it did in theirs? What do we need to adapt?",
        scale=PdsaCycle.Scale.STUDENT_GROUP, planned_start=LAKESIDE_CYCLE_START,
        planned_end=date(2026, 9, 25), where="One advisory group of 9th graders",
    )
    prediction = cycle.add_prediction(
        "At least 9 of 12 students use the change without a reminder by the second week.",
        "The advisor's tally on Friday of the second week: 9 or more.", user,
    )
    cycle.start_do(LAKESIDE_CYCLE_START)
    cycle.what_happened = "The advisory group used it for two weeks; one session was lost to a fire drill."
    cycle.save()
    cycle.start_study(date(2026, 9, 28))
    prediction.answer(Prediction.Outcome.CONFIRMED, "10 of 12: more than predicted.", user)
    cycle.learning = "It worked here as it did in Riverside; our students wanted the steps posted in the room."
    cycle.save()
    cycle.close_study(date(2026, 9, 30))
    cycle.decide(PdsaCycle.Decision.ADAPT, date(2026, 10, 2),
                 "Keep it, post the steps in the room, and test it with a whole classroom next.", user=user)

