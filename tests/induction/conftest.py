"""An induction world on top of the shared `world` (tests/conftest.py): in cluster alpha, a cohort with a
plan, a mentor at Alpha High, an inducted teacher and a comparison teacher; in beta, a cohort of its own."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from improvenet.induction.models import Cohort, Induction, Mentor, Milestone, NewTeacher
from improvenet.network.models import Person

D = datetime.date


@pytest.fixture
def inducted(world):
    alpha = world.alpha
    with scopes_disabled():
        cohort = Cohort.objects.create(cluster=alpha, name="2024 cohort", starts_on=D(2024, 8, 19))
        milestone = Milestone.objects.create(cluster=alpha, cohort=cohort, title="First observation", year=1,
                                             due_month=3)
        mentor = Mentor.objects.create(cluster=alpha, person=world.person, school=world.high,
                                       role_title="Master teacher", started_on=D(2024, 7, 1))
        person = Person.objects.create(cluster=alpha, given_name="Ana", family_name="Lopez",
                                       home_organization=world.high)
        teacher = NewTeacher.objects.create(cluster=alpha, staff_ref="T-1", hired_on=D(2024, 8, 12),
                                            first_school=world.high)
        other = NewTeacher.objects.create(cluster=alpha, staff_ref="T-2", hired_on=D(2024, 8, 12),
                                          other_school="Jefferson Elementary", left_on=D(2025, 6, 30))
        induction = Induction.objects.create(cluster=alpha, new_teacher=teacher, person=person, cohort=cohort,
                                             school=world.high, mentor=mentor, started_on=D(2024, 8, 19))
        beta_cohort = Cohort.objects.create(cluster=world.beta, name="Beta cohort", starts_on=D(2024, 8, 19))
    return SimpleNamespace(world=world, cohort=cohort, milestone=milestone, mentor=mentor, person=person,
                           teacher=teacher, other=other, induction=induction, beta_cohort=beta_cohort)
