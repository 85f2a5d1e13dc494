"""A partnership world on top of `world` (tests/conftest.py): alpha's partners, two rounds, an outcome measure."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.network.models import Organization, Person
from improvenet.partnership.models import Round

D = datetime.date


@pytest.fixture
def partners(world):
    with scopes_disabled():
        university = Organization.objects.create(cluster=world.alpha, name="Alpha University", kind="university")
        union = Organization.objects.create(cluster=world.alpha, name="Alpha Teachers Union", kind="union")
        # The researcher works for the university: they record its self-assessments.
        Person.objects.create(cluster=world.alpha, given_name="Ines", family_name="Okafor",
                              home_organization=university, user=world.users.researcher)
        fall = Round.objects.create(cluster=world.alpha, held_on=D(2024, 10, 7), title="Fall 2024")
        spring = Round.objects.create(cluster=world.alpha, held_on=D(2025, 3, 3), title="Spring 2025")
    return SimpleNamespace(world=world, district=world.district, university=university, union=union, fall=fall,
                           spring=spring)


@pytest.fixture
def in_alpha(partners):
    with scope(cluster=partners.world.alpha):
        yield partners


def ratings(ci=1, equity=1, coordination=1, capacity=1, evidence="Minutes of the data meeting.") -> dict:
    return {
        "continuous_improvement": (("beginning", "developing", "established", "sustaining")[ci - 1], evidence),
        "equity": (("beginning", "developing", "established", "sustaining")[equity - 1], evidence),
        "coordination": (("beginning", "developing", "established", "sustaining")[coordination - 1], evidence),
        "capacity_building": (("beginning", "developing", "established", "sustaining")[capacity - 1], evidence),
    }
