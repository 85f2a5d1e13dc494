"""A sharing world on top of `world`: Alpha tests a change idea in a decided cycle full of things never to publish.

Beta's lead (`world.users.outsider`, a lead in the same network) is the cross-cluster reader and
adopter; `stranger` leads a cluster of another network and must find nothing.
"""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, ClusterRole, Membership, Network, Person
from improvenet.sharing.services import publish
from tests.conftest import make_user

D = datetime.date
FIRST_MONDAY = D(2025, 1, 13)
STUDENT_ID = "4417823"
EMAIL = "rosa.diaz@alpha.k12.example.us"
PHONE = "(555) 123-4567"


def decided_cycle(cluster, team, idea, *, decision="adopt", objective="", start=FIRST_MONDAY) -> PdsaCycle:
    """A cycle of `idea` run to its decision, with a prediction confirmed; inside the cluster's scope."""
    cycle = PdsaCycle.objects.create(
        cluster=cluster, school=team.school, team=team, change_idea=idea, planned_start=start,
        objective=objective or "Students write a next step on an exit ticket",
        who="Rosa Diaz and Mr. Okafor", where="Room 12, third period",
    )
    cycle.add_prediction("At least 20 of 25 students write a next step", "20 tickets or more")
    cycle.start_do(start)
    cycle.what_happened = "Ran for two weeks."
    cycle.observations = f"Student {STUDENT_ID} asked for help"
    cycle.save()
    cycle.start_study(start + datetime.timedelta(days=14))
    cycle.predictions.get().answer("confirmed", f"22 of 25; ask {EMAIL} for the tickets")
    cycle.learning = f"Rosa Diaz saw that student {STUDENT_ID} at Alpha High needed a sentence starter."
    cycle.save()
    cycle.close_study(start + datetime.timedelta(days=16))
    cycle.decide(decision, start + datetime.timedelta(days=17), f"Keep it; call {PHONE} for the materials.")
    return cycle


@pytest.fixture
def shared(world):
    with scopes_disabled():
        idea = ChangeIdea.objects.create(
            cluster=world.alpha, title="Exit tickets with a next step",
            description=f"Students end class by writing their next step. Questions: {EMAIL} or {PHONE}.",
        )
        Membership.objects.create(team=world.team, person=world.person, role="Chair", started_on=D(2024, 9, 2),
                                  ended_on=D(2025, 6, 30))
        successor = Person.objects.create(cluster=world.alpha, given_name="Li", family_name="Wei")
        Membership.objects.create(team=world.team, person=successor, role="Chair", started_on=D(2025, 7, 1))
        south = Network.objects.create(slug="south", name="South Network")
        gamma = Cluster.objects.create(network=south, slug="gamma", name="Gamma")
        stranger = make_user("stranger")
        ClusterRole.objects.create(cluster=gamma, user=stranger, role="lead")
    with scope(cluster=world.alpha):
        cycle = decided_cycle(world.alpha, world.team, idea)
    return SimpleNamespace(world=world, idea=idea, cycle=cycle, successor=successor, stranger=stranger,
                           gamma=gamma, users=world.users)


@pytest.fixture
def published(shared):
    """`shared` with the idea published by Alpha's lead."""
    with scope(cluster=shared.world.alpha):
        shared.publication = publish(shared.idea, shared.users.lead)
    return shared
