"""The demo's induction: two Riverside cohorts whose outcomes show curves and some hidden cells."""

import datetime

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.induction.models import Cohort, Induction, Log, Mentor, Placement, Progress
from improvenet.induction.outcomes import INDUCTED, OTHERS, cluster_outcomes
from improvenet.network.models import Cluster

AS_OF = datetime.date(2026, 11, 1)


@pytest.fixture(scope="module")
def riverside(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        with scopes_disabled():
            yield Cluster.objects.get(slug="riverside")
        transaction.set_rollback(True)


def test_two_cohorts_with_mentors_plans_logs_and_placements(db, riverside):
    with scope(cluster=riverside):
        cohorts = list(Cohort.objects.all())
        assert [c.name for c in cohorts] == ["2024 cohort", "2025 cohort"]
        assert all(c.milestones.count() == 6 for c in cohorts)
        assert Mentor.objects.count() == 3
        assert all(i.mentor_id for i in Induction.objects.all())
        assert Progress.objects.count() > 50 and Log.objects.count() > 100
        assert Placement.objects.count() == 11
        for record in (*Induction.objects.all()[:5], *Log.objects.all()[:5], *Progress.objects.all()[:5]):
            record.full_clean()


def test_the_outcomes_show_curves_and_hidden_cells(db, riverside):
    with scope(cluster=riverside):
        outcomes = cluster_outcomes(AS_OF)
    shown = {(row["group"], row["years"]) for row in outcomes.cohort_curves if not row["suppressed"]}
    assert {("2024 cohort", 0), ("2024 cohort", 2), ("2025 cohort", 1)} <= shown
    comparison = {(row["group"], row["years"]): row for row in outcomes.comparison}
    assert comparison[(INDUCTED, 1)]["survival"] > comparison[(OTHERS, 1)]["survival"]
    assert outcomes.hire_years == [2024, 2025]
    cells = {(row["cohort"], row["destination"]): row for row in outcomes.destinations}
    assert cells[("2024 cohort", "placed")]["teachers"] == 11
    assert cells[("2024 cohort", "left")]["suppressed"] == 1
    assert outcomes.suppressed_cells > 0
