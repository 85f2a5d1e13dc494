"""A searchable world: `world` with the cycles and the design fixtures, and a cycle in cluster beta."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.network.models import Team
from tests.cycles.conftest import make_cycle, pdsa, run_to_act  # noqa: F401  (pdsa is a fixture)
from tests.design.conftest import design  # noqa: F401  (a fixture)

D = datetime.date


@pytest.fixture
def searchable(pdsa, design):  # noqa: F811
    world = pdsa.world
    cycle = make_cycle(pdsa, predictions=1, objective="Advisors hold weekly goal conferences",
                       questions="Do ninth graders keep their goals?")
    with scope(cluster=world.alpha):
        run_to_act(cycle)
        cycle.decide("adapt", D(2025, 2, 3), "Shorter conferences, with a sentence starter.")
    middle = make_cycle(pdsa, team=pdsa.middle_team, objective="Exit tickets in sixth grade math",
                        planned_start=D(2025, 9, 8))
    with scopes_disabled():
        beta_team = Team.objects.create(cluster=world.beta, name="Beta High design team", kind="school_design",
                                        school=world.beta_school)
        beta_cycle = PdsaCycle.objects.create(
            cluster=world.beta, school=world.beta_school, team=beta_team, change_idea=pdsa.beta_idea,
            objective="Confidential goal conferences in Beta", learning="Zanzibar protocol works for goal setting.",
            planned_start=D(2025, 1, 20),
        )
    return SimpleNamespace(world=world, pdsa=pdsa, cycle=cycle, middle=middle, beta_cycle=beta_cycle)
