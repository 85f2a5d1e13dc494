"""A measure of the `world` fixture's cluster alpha with weekly data for its two schools."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.measures.models import Measure, MeasureValue
from improvenet.network.models import Membership, Person, Team
from tests.conftest import make_user

FIRST_WEEK = datetime.date(2025, 1, 6)  # a Monday


def weeks(count: int, start: datetime.date = FIRST_WEEK) -> list[datetime.date]:
    return [start + datetime.timedelta(weeks=i) for i in range(count)]


def make_measure(cluster, **fields) -> Measure:
    values = {
        "cluster": cluster, "slug": "on-track", "name": "9th graders on track", "kind": "outcome",
        "operational_definition": "No F in a core course, counted on Mondays.",
        "numerator_label": "9th graders on track", "denominator_label": "9th graders enrolled", "unit": "%",
        "multiply": 100, "frequency": "weekly", "improvement_direction": "up", "target": 75, "chart_type": "p",
        "first_period": FIRST_WEEK, "last_period": FIRST_WEEK + datetime.timedelta(weeks=51),
    }
    values.update(fields)
    measure = Measure(**values)
    measure.full_clean()
    measure.save()
    return measure


@pytest.fixture
def measured(world):
    return build_measured(world)


def build_measured(world):
    """alpha's on-track measure: 24 weeks for Alpha High (a clear shift up after week 12) and Alpha Middle;
    a school design team member `teacher` of Alpha High, and a district design team member `designer`."""
    with scopes_disabled():
        measure = make_measure(world.alpha)
        single = make_measure(world.alpha, slug="contacts", name="Family contacts", kind="process",
                              denominator_label="", unit="contacts", multiply=1, chart_type="c", target=None)
        rows = []
        for i, period in enumerate(weeks(24)):
            high = 60 + (i % 3) if i < 12 else 85 + (i % 3)
            rows.append(MeasureValue(measure=measure, school=world.high, period=period, numerator=high,
                                     denominator=100))
            rows.append(MeasureValue(measure=measure, school=world.middle, period=period, numerator=50 + (i % 4),
                                     denominator=100))
        MeasureValue.objects.bulk_create(rows)
        teacher, designer = make_user("teacher"), make_user("designer")
        for user in (teacher, designer):
            world.alpha.roles.create(user=user, role="member")
        person = Person.objects.create(cluster=world.alpha, given_name="Tea", family_name="Cher", user=teacher)
        Membership.objects.create(team=world.team, person=person, role="Teacher", started_on=datetime.date(2024, 9, 1))
        district = Team.objects.create(cluster=world.alpha, name="District design team", kind="district_design")
        person = Person.objects.create(cluster=world.alpha, given_name="Des", family_name="Igner", user=designer)
        Membership.objects.create(team=district, person=person, role="Member", started_on=datetime.date(2024, 9, 1))
    return SimpleNamespace(world=world, measure=measure, single=single, teacher=teacher, designer=designer)


@pytest.fixture
def alpha_scope(world):
    with scope(cluster=world.alpha):
        yield
