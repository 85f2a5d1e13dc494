"""Fixtures of the design tests: the demo with its design part, and a small design in the `world`."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.design import driver_graph as dg
from improvenet.design.models import Aim, DesignChallenge, Innovation, InnovationElement, SchoolEnactment
from improvenet.network.models import Membership, Person, Team

OUTLINE = """Students believe they can grow
  Ability grows with effort
    Growth mindset lessons
    Praise strategies
  Students feel they belong
    Praise strategies
Students solve problems
  A shared problem-solving process
    Problem-solving steps in every class
"""


@pytest.fixture
def demo(db):
    with scopes_disabled():
        load_demo()


@pytest.fixture
def design(world):
    """In cluster alpha: a district design team with the researcher on it, a challenge, an aim, a diagram (v1),
    an innovation with a core and an adaptable element, enacted in Alpha High (whose team has the member)."""
    with scope(cluster=world.alpha):
        ddt = Team.objects.create(cluster=world.alpha, name="District design team", kind="district_design")
        researcher = Person.objects.create(cluster=world.alpha, given_name="Ruth", family_name="Res",
                                           user=world.users.researcher)
        member = Person.objects.create(cluster=world.alpha, given_name="Mo", family_name="Member",
                                       user=world.users.member)
        Membership.objects.create(team=ddt, person=researcher, role="Researcher", started_on="2024-09-01")
        Membership.objects.create(team=world.team, person=member, role="Teacher", started_on="2024-09-01")
        challenge = DesignChallenge(cluster=world.alpha, title="Ownership", problem_of_practice="Students give up.")
        challenge.fishbone = [{"category": "Students", "cause": "Fixed mindset"},
                              {"category": "Systems", "cause": "No adult follows each student"}]
        challenge.save()
        aim = Aim.objects.create(challenge=challenge, statement="From 62% to 75% of 9th graders on track",
                                 population="9th graders", baseline=62, target=75, unit="%",
                                 target_date=datetime.date(2027, 6, 30))
        version = aim.diagram().save_version(dg.parse_outline(OUTLINE), user=world.users.lead, note="First")
        lessons = version.nodes.get(text="Growth mindset lessons").change_idea
        innovation = Innovation.objects.create(cluster=world.alpha, name="SOAR", aim=aim)
        core = InnovationElement.objects.create(innovation=innovation, kind="core", name="Lessons",
                                                change_idea=lessons)
        adaptable = InnovationElement.objects.create(innovation=innovation, kind="adaptable", name="Timing")
        enactment = SchoolEnactment.objects.create(innovation=innovation, school=world.high,
                                                   started_on=datetime.date(2025, 1, 6))
    world.ddt, world.challenge, world.aim, world.innovation = ddt, challenge, aim, innovation
    world.core, world.adaptable, world.enactment, world.lessons = core, adaptable, enactment, lessons
    return world
