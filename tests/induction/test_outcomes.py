"""The cluster's induction outcomes: no published number gives back a hidden one by subtraction."""

import datetime

from django_scopes import scope, scopes_disabled

from improvenet.induction.models import Cohort, Induction, NewTeacher
from improvenet.induction.outcomes import INDUCTED, cluster_outcomes
from improvenet.network.models import Person

D = datetime.date


def _induct(world, cohort, count: int, prefix: str) -> None:
    for number in range(count):
        teacher = NewTeacher.objects.create(cluster=world.alpha, staff_ref=f"{prefix}-{number}",
                                            hired_on=D(2024, 8, 12), first_school=world.high)
        person = Person.objects.create(cluster=world.alpha, given_name=prefix, family_name=str(number),
                                       home_organization=world.high)
        Induction.objects.create(cluster=world.alpha, new_teacher=teacher, person=person, cohort=cohort,
                                 school=world.high, started_on=D(2024, 8, 19))


def test_the_inducted_curve_does_not_give_back_a_hidden_cohort(world):
    with scopes_disabled():
        large = Cohort.objects.create(cluster=world.alpha, name="Large", starts_on=D(2024, 8, 19))
        small = Cohort.objects.create(cluster=world.alpha, name="Small", starts_on=D(2024, 8, 20))
        _induct(world, large, 12, "L")
        _induct(world, small, 3, "S")
    with scope(cluster=world.alpha):
        outcomes = cluster_outcomes(D(2026, 9, 1), min_n=10)
    cohort_rows = {(row["group"], row["years"]): row for row in outcomes.cohort_curves}
    assert cohort_rows[("Small", 0)]["suppressed"] == 1 and cohort_rows[("Large", 0)]["teachers"] == 12
    inducted = [row for row in outcomes.comparison if row["group"] == INDUCTED]
    # Shown, the inducted teachers (15) minus the large cohort (12) would reveal the small one (3).
    assert inducted and all(row["teachers"] is None and row["at_risk"] is None for row in inducted)
