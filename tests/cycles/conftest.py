"""A PDSA world on top of `world`: a change idea, the member on Alpha High's design team, a second school team."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Membership, Person, Team


@pytest.fixture
def pdsa(world):
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Weekly goal-setting conferences")
        beta_idea = ChangeIdea.objects.create(cluster=world.beta, title="Beta's idea")
        member = Person.objects.create(cluster=world.alpha, given_name="Mia", family_name="Reyes",
                                       home_organization=world.high, user=world.users.member)
        Membership.objects.create(team=world.team, person=member, role="Teacher", started_on="2024-10-01")
        middle_team = Team.objects.create(cluster=world.alpha, name="Alpha Middle design team", kind="school_design",
                                          school=world.middle)
    return SimpleNamespace(world=world, idea=idea, beta_idea=beta_idea, middle_team=middle_team)


def make_cycle(pdsa, team=None, predictions=0, **fields) -> PdsaCycle:
    world = pdsa.world
    team = team or world.team
    with scope(cluster=world.alpha):
        cycle = PdsaCycle.objects.create(
            cluster=world.alpha, school=team.school, team=team, change_idea=pdsa.idea,
            objective=fields.pop("objective", "Students set a weekly goal with their advisor"),
            planned_start=fields.pop("planned_start", datetime.date(2025, 1, 13)), **fields,
        )
        for number in range(1, predictions + 1):
            cycle.add_prediction(f"At least {15 + number} of 25 students set a goal",
                                 f"The goal log shows {15 + number} goals")
    return cycle


def run_to_study(cycle: PdsaCycle) -> None:
    cycle.start_do(datetime.date(2025, 1, 13))
    cycle.what_happened = "Advisors held the conferences on Monday."
    cycle.save()
    cycle.start_study(datetime.date(2025, 1, 27))


def run_to_act(cycle: PdsaCycle, user=None) -> None:
    run_to_study(cycle)
    for prediction in cycle.predictions.all():
        prediction.answer("confirmed", "22 of 25 students wrote a goal.", user)
    cycle.learning = "Students need a sentence starter."
    cycle.save()
    cycle.close_study(datetime.date(2025, 1, 31))
