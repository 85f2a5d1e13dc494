"""The PDSA demo: about 60 cycles over two school years, run through the model's own gates."""

from collections import Counter
from datetime import date

import pytest
from django_scopes import scopes_disabled

from improvenet.cycles.models import PdsaCycle, PredictionEdit
from improvenet.demo import DEFAULT_SEED, load_demo
from improvenet.demo.cycles import create_cycles_demo
from improvenet.network.models import Person, Team


@pytest.fixture
def cycles_demo(db):
    load_demo()
    with scopes_disabled():
        # Riverside's cycles; Lakeside runs one cycle of the change idea it adopted (the sharing demo).
        yield list(PdsaCycle.objects.filter(cluster__slug="riverside").select_related("school").order_by("pk"))


def signature(cycles):
    return [(c.school.name, c.objective, c.stage, c.decision, c.planned_start, c.decided_on) for c in cycles]


def test_about_sixty_cycles_in_the_three_innovation_schools_over_two_years(cycles_demo):
    assert 50 <= len(cycles_demo) <= 70
    schools = Counter(c.school.name for c in cycles_demo)
    assert len(schools) == 3 and all(c.school.role == "innovation" and c.school.level == "high" for c in cycles_demo)
    assert min(c.planned_start for c in cycles_demo) >= date(2024, 10, 1)
    assert max(c.planned_start for c in cycles_demo) <= date(2026, 6, 30)
    assert {c.planned_start.year for c in cycles_demo} == {2024, 2025, 2026}


def test_decisions_ramps_copies_and_open_work(cycles_demo):
    with scopes_disabled():
        decisions = Counter(c.decision for c in cycles_demo if c.stage == "done")
        assert decisions["adopt"] and decisions["adapt"] and decisions["abandon"]
        assert sum(1 for c in cycles_demo if c.previous_id) >= 10
        copies = [c for c in cycles_demo if c.copied_from_id]
        assert copies and all(c.copied_from.school_id != c.school_id for c in copies)
        assert all(c.predictions.exists() for c in cycles_demo)
        assert all(c.change_idea_id for c in cycles_demo)
        done = [c for c in cycles_demo if c.stage == "done"]
        assert all(p.outcome and p.what_happened for c in done for p in c.predictions.all())
        assert PredictionEdit.objects.count() >= 2


def test_bobs_team_board_has_work_in_every_stage_and_a_cycle_with_edits(cycles_demo):
    with scopes_disabled():
        bob = Person.objects.get(user__username="bob")
        team = Team.objects.get(kind="school_design", memberships__person=bob)
        stages = {c.stage for c in cycles_demo if c.team_id == team.pk}
        assert stages == {"plan", "do", "study", "act", "done"}
        assert PredictionEdit.objects.filter(prediction__cycle__team=team).count() >= 2


def test_the_demo_is_the_same_for_the_same_seed(cycles_demo):
    first = signature(cycles_demo)
    with scopes_disabled():
        PredictionEdit.objects.all().delete()
        PdsaCycle.objects.update(previous=None, copied_from=None)
        PdsaCycle.objects.all().delete()
        create_cycles_demo(DEFAULT_SEED, lambda message: None)
        again = signature(PdsaCycle.objects.select_related("school").order_by("pk"))
    # The learning demo adds its abandoned trials after the cycles demo's own cycles.
    assert again == first[:len(again)] and len(again) >= 50
