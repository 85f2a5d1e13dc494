import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from improvenet.cycles.models import GateRefused, PdsaCycle, Prediction
from tests.cycles.conftest import make_cycle, run_to_act, run_to_study

D = datetime.date


def test_do_needs_a_prediction(pdsa):
    cycle = make_cycle(pdsa)
    with scope(cluster=pdsa.world.alpha):
        with pytest.raises(GateRefused, match="Add at least one prediction before starting Do."):
            cycle.start_do()
        assert cycle.stage == "plan"
        cycle.add_prediction("20 of 25 students write a goal", "The goal log shows 20 goals")
        cycle.start_do(D(2025, 1, 13))
        cycle.refresh_from_db()
        assert cycle.stage == "do" and cycle.do_started_on == D(2025, 1, 13)


def test_a_prediction_needs_what_would_confirm_it(pdsa):
    cycle = make_cycle(pdsa)
    with scope(cluster=pdsa.world.alpha), pytest.raises(ValidationError) as refused:
        cycle.add_prediction("Students like it", "  ")
    assert "confirm_criterion" in refused.value.message_dict


def test_predictions_are_locked_once_do_starts_and_edits_are_kept(pdsa):
    cycle = make_cycle(pdsa, predictions=1)
    user = pdsa.world.users.member
    with scope(cluster=pdsa.world.alpha):
        prediction = cycle.predictions.get()
        assert prediction.edit("Plan-stage wording", prediction.confirm_criterion, user) is None  # free in Plan
        assert prediction.edits.count() == 0
        cycle.start_do(D(2025, 1, 13))
        with pytest.raises(GateRefused, match="say why"):
            prediction.edit("Changed after the fact", "Anything", user)
        prediction.refresh_from_db()
        assert prediction.text == "Plan-stage wording"
        edit = prediction.edit("18 of 25 students write a goal", "The log shows 18", user, reason="Two absent")
        assert (edit.text_before, edit.text_after, edit.edited_by, edit.stage) == (
            "Plan-stage wording", "18 of 25 students write a goal", user, "do")
        assert prediction.edits.count() == 1
        with pytest.raises(GateRefused, match="started Do"):
            cycle.add_prediction("A late prediction", "Something")


def test_study_needs_what_happened_then_closes_only_when_every_prediction_is_answered(pdsa):
    cycle = make_cycle(pdsa, predictions=2)
    with scope(cluster=pdsa.world.alpha):
        cycle.start_do(D(2025, 1, 13))
        with pytest.raises(GateRefused, match="Write what happened"):
            cycle.start_study()
        cycle.what_happened = "It ran."
        cycle.save()
        cycle.start_study(D(2025, 1, 20))
        first, second = cycle.predictions.order_by("number")
        first.answer("confirmed", "22 of 25")
        cycle.learning = "Works"
        cycle.save()
        with pytest.raises(GateRefused, match="prediction 2 is not answered"):
            cycle.close_study()
        with pytest.raises(ValidationError):
            second.answer("maybe", "")
        second.answer("unclear", "Half the log was lost")
        cycle.close_study(D(2025, 1, 24))
        assert cycle.stage == "act"
        with pytest.raises(GateRefused, match="answered in Study"):
            first.answer("not_confirmed", "changed my mind")


def test_study_needs_what_was_learned(pdsa):
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        run_to_study(cycle)
        cycle.predictions.get().answer("confirmed", "yes")
        with pytest.raises(GateRefused, match="what you learned"):
            cycle.close_study()


def test_act_needs_a_decision_and_may_plan_the_next_cycle_of_the_ramp(pdsa):
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        with pytest.raises(GateRefused, match="step of Act"):
            cycle.decide("adopt")
        run_to_act(cycle)
        with pytest.raises(GateRefused, match="Choose a decision"):
            cycle.decide("")
        following = cycle.decide("adapt", D(2025, 2, 3), "Add a sentence starter",
                                 next_objective="Try the sentence starter in two advisories")
        cycle.refresh_from_db()
        assert cycle.stage == "done" and cycle.decision == "adapt" and cycle.decided_on == D(2025, 2, 3)
        assert following.previous == cycle and cycle.next_cycle == following
        assert following.stage == "plan" and following.school == cycle.school
        assert following.ramp() == [cycle, following] == cycle.ramp()


def test_an_abandoned_cycle_ends_its_ramp(pdsa):
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        run_to_act(cycle)
        with pytest.raises(GateRefused, match="ends its ramp"):
            cycle.decide("abandon", next_objective="More of the same")
        cycle.decide("abandon")
        later = make_cycle(pdsa, objective="Another try")
        later.previous = cycle
        with pytest.raises(ValidationError, match="abandoned"):
            later.full_clean()


def test_a_ramp_stays_in_one_school_and_has_one_next_cycle(pdsa):
    first = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        run_to_act(first)
        first.decide("adopt", D(2025, 2, 3), next_objective="Scale to the grade team")
        elsewhere = make_cycle(pdsa, team=pdsa.middle_team)
        elsewhere.previous = first
        with pytest.raises(ValidationError, match="one school"):
            elsewhere.full_clean()
        second = make_cycle(pdsa)
        second.previous = first
        with pytest.raises(ValidationError, match="already has a next cycle"):
            second.full_clean()


def test_a_school_copies_another_schools_cycle_and_the_lineage_is_kept(pdsa):
    original = make_cycle(pdsa, predictions=2, questions="Will students keep it up?")
    user = pdsa.world.users.lead
    with scope(cluster=pdsa.world.alpha):
        run_to_study(original)
        with pytest.raises(GateRefused, match="already this school's"):
            original.copy_to(pdsa.world.team, user)
        copy = original.copy_to(pdsa.middle_team, user, D(2025, 3, 3))
        assert copy.copied_from == original and list(original.copies.all()) == [copy]
        assert copy.school == pdsa.world.middle and copy.stage == "plan" and copy.planned_start == D(2025, 3, 3)
        assert copy.questions == original.questions
        texts = list(copy.predictions.values_list("text", flat=True))
        assert texts == list(original.predictions.values_list("text", flat=True))
        assert not Prediction.objects.filter(cycle=copy).exclude(outcome="").exists()  # answers are not copied


def test_the_team_must_work_in_the_cycles_school_and_the_change_idea_be_the_clusters(pdsa):
    with scope(cluster=pdsa.world.alpha):
        cycle = PdsaCycle(cluster=pdsa.world.alpha, school=pdsa.world.high, team=pdsa.middle_team,
                          change_idea=pdsa.beta_idea, objective="x", planned_start=D(2025, 1, 1))
        with pytest.raises(ValidationError) as refused:
            cycle.full_clean()
    assert set(refused.value.message_dict) == {"team", "change_idea"}


def test_stage_fields_are_fixed_once_the_stage_is_over(pdsa):
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        cycle.check_changeable(["objective", "who"])
        with pytest.raises(ValidationError, match="is written in Study"):
            cycle.check_changeable(["learning"])
        cycle.start_do()
        with pytest.raises(ValidationError, match="belongs to Plan"):
            cycle.check_changeable(["objective"])
        cycle.check_changeable(["what_happened"])


def test_next_step_says_what_is_missing_in_plain_language(pdsa):
    cycle = make_cycle(pdsa)
    with scope(cluster=pdsa.world.alpha):
        assert cycle.next_step() == {"label": "Start Do",
                                     "missing": ["Add at least one prediction, with what would confirm it."]}
        cycle.add_prediction("a", "b")
        assert cycle.next_step()["missing"] == []
