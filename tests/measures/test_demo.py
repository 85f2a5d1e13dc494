"""The measures demo: ten measures for Riverside and 104 weeks of data per school, from the seed."""

import datetime

import numpy as np
import pytest
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.demo.measures import (
    DEFAULT_ADOPTIONS,
    FIRST_WEEK,
    WEEKS,
    create_measure_data_demo,
)
from improvenet.measures import services
from improvenet.measures.models import ChartBreak, Measure, MeasureValue
from improvenet.network.models import School


@pytest.fixture
def demo(db):
    with scopes_disabled():
        load_demo()
        yield


def test_ten_measures_of_every_kind_with_104_weeks_per_school(demo):
    measures = Measure.objects.filter(cluster__slug="riverside")
    assert measures.count() == 10
    assert set(measures.values_list("kind", flat=True)) == {"outcome", "driver", "process", "balancing"}
    schools = School.objects.filter(cluster__slug="riverside", ended_on__isnull=True).count()
    assert MeasureValue.objects.filter(measure__cluster__slug="riverside").count() == 10 * WEEKS * schools
    for measure in measures:
        value = MeasureValue.objects.filter(measure=measure).first()
        value.full_clean()


def test_innovation_schools_improve_after_adoption(demo):
    from improvenet.cycles.models import PdsaCycle

    measure = Measure.objects.get(cluster__slug="riverside", slug="advisory-check-ins")
    for role, should_improve in (("innovation", True), ("comparison", False)):
        school = School.objects.filter(cluster__slug="riverside", role=role).order_by("name").first()
        adopted = sorted(PdsaCycle.objects.filter(school=school, decision="adopt", decided_on__isnull=False)
                         .values_list("decided_on", flat=True)) or list(DEFAULT_ADOPTIONS)
        cut = adopted[0] + datetime.timedelta(weeks=4)
        values = MeasureValue.objects.filter(measure=measure, school=school)
        before = [v.numerator / v.denominator for v in values if v.period < adopted[0]]
        after = [v.numerator / v.denominator for v in values if v.period > cut]
        if before and after:
            assert bool(np.mean(after) - np.mean(before) > 0.05) is should_improve
    # Their charts start a new part where the data shifted after an adopted change (one place:
    # services.plan_school_parts), and never at a comparison school, which adopts nothing.
    schools = list(School.objects.filter(cluster__slug="riverside", ended_on__isnull=True))
    roles = {school.pk: school.role for school in schools}
    with scope(cluster=measure.cluster):
        plans = services.cluster_chart(Measure.objects.get(pk=measure.pk), schools).plans
        attendance = Measure.objects.get(cluster__slug="riverside", slug="attendance")
        bob_school = ChartBreak.objects.get(measure=attendance, removed_at__isnull=True).school
        bob_plan = services.school_chart(attendance, bob_school).plans[bob_school.pk]
    changes = [(roles[pk], start) for pk, plan in plans.items() for start in plan.starts if start.cause == "change"]
    assert changes and {role for role, _ in changes} == {"innovation"}
    assert all(start.direction == "above" for _, start in changes)  # more check-ins is better
    assert [start.cause for start in bob_plan.starts if start.x == datetime.date(2025, 8, 25)] == ["break"]


def test_the_data_is_deterministic_from_the_seed(demo):
    first = list(MeasureValue.objects.filter(measure__slug="attendance").order_by("school_id", "period")
                 .values_list("numerator", flat=True)[:300])
    assert len(first) == 300 and FIRST_WEEK.weekday() == 0
    riverside_measures = list(Measure.objects.filter(cluster__slug="riverside").values_list("pk", flat=True))
    MeasureValue.objects.filter(measure_id__in=riverside_measures).delete()
    create_measure_data_demo(2026, lambda message: None)
    again = list(MeasureValue.objects.filter(measure__slug="attendance").order_by("school_id", "period")
                 .values_list("numerator", flat=True)[:300])
    assert first == again
