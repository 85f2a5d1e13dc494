"""A study's rules: one subject, known outcomes, at most two secondary ones; pre-registration locks the design
and keeps every later change; allocations are append-only even in SQL, saved once, replaced only with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from improvenet.data.models import AppendOnlyError, AuditEvent
from improvenet.studies import randomization
from improvenet.studies.models import Allocation, Study, StudyError


def _units(world):
    return [{"unit": str(world.high.pk), "name": world.high.name, "block": ""},
            {"unit": str(world.middle.pk), "name": world.middle.name, "block": ""}]


def _allocate(study, world, reason=""):
    units = _units(world)
    drawn = randomization.Procedure(units=[unit["unit"] for unit in units]).draw(7)
    return Allocation.record(study, drawn, units, 0.5, {}, world.users.lead, "web", reason)


def _errors(error: ValidationError) -> dict:
    return error.message_dict


def test_a_study_is_about_exactly_one_thing(world, study):
    with scopes_disabled():
        study.change_idea = None
        with pytest.raises(ValidationError) as refused:
            study.full_clean()
    assert "exactly one" in _errors(refused.value)["change_idea"][0]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("secondary_outcomes", ["chronic-absenteeism", "absence-rate", "gpa"], "At most 2"),
    ("secondary_outcomes", ["on-track"], "Name each outcome once"),
    ("primary_outcome", "reading-scores", "No outcome “reading-scores”"),
    ("primary_outcome", "measure:999999", "No outcome “measure:999999”"),
    ("smallest_effect", 0.0, "above 0"),
    ("smallest_effect", 5.0, "at most 2"),
    ("block_level", "school", "larger than the unit"),
    ("power_parameters", {"n": 60, "J": 20, "rho2": 0.15, "rho": 0.2}, "No power parameter “rho”"),
])
def test_bad_design_fields_are_refused_by_name(world, study, field, value, message):
    with scopes_disabled():
        setattr(study, field, value)
        with pytest.raises(ValidationError) as refused:
            study.full_clean()
    assert message in _errors(refused.value)[field][0]


def test_registration_locks_the_design_and_keeps_each_later_change(world, study):
    with scopes_disabled():
        study.register(world.users.researcher)
        study.refresh_from_db()
        assert study.is_registered and study.registered_by == world.users.researcher
        with pytest.raises(StudyError, match="registered on"):
            study.register(world.users.lead)

        study.title = "Success teams trial, year one"  # not locked: no revision
        study.full_clean()
        study.save()
        assert not study.revisions.exists()

        study.smallest_effect = 0.25
        with pytest.raises(ValidationError) as refused:
            study.full_clean()
        assert "say why" in _errors(refused.value)["revision_reason"][0]
        with pytest.raises(StudyError):
            study.save()
        assert Study.objects.get(pk=study.pk).smallest_effect == 0.2

        study.revision_reason = "The board asked for a larger effect to justify the cost."
        study.revised_by = world.users.lead
        study.full_clean()
        study.save()
        revision = study.revisions.get()
    assert revision.changes == {"smallest_effect": [0.2, 0.25]}
    assert revision.reason.startswith("The board") and revision.editor_name == "lead"


def test_registration_needs_the_agreement_and_the_power_design(world, study):
    with scopes_disabled():
        study.agreement = None
        with pytest.raises(StudyError, match="the data use agreement"):
            study.register(world.users.lead)
        assert not Study.objects.filter(registered_at__isnull=False).exists()


def test_an_allocation_waits_for_registration_is_audited_and_is_not_run_twice(world, study):
    with scopes_disabled():
        with pytest.raises(StudyError, match="Register the study first"):
            _allocate(study, world)
        study.register(world.users.lead)
        first = _allocate(study, world)
        assert first.number == 1 and first.treated_count == 1 and first.seed == 7
        event = AuditEvent.objects.get(action__startswith="study allocation saved")
        assert event.detail["seed"] == 7 and event.agreement == study.agreement
        with pytest.raises(StudyError, match="running it again is refused"):
            _allocate(study, world)
        second = _allocate(study, world, reason="Alpha Middle closed; the board replaced it.")
        assert second.number == 2 and study.current_allocation() == second
        assert Allocation.objects.count() == 2


def test_allocations_are_append_only_in_the_models(world, study):
    with scopes_disabled():
        study.register(world.users.lead)
        allocation = _allocate(study, world)
        allocation.reason = "changed"
        with pytest.raises(AppendOnlyError):
            allocation.save()
        with pytest.raises(AppendOnlyError):
            allocation.delete()
        with pytest.raises(AppendOnlyError):
            Allocation.objects.filter(pk=allocation.pk).update(seed=8)
        with pytest.raises(AppendOnlyError):
            Allocation.objects.filter(pk=allocation.pk).delete()


@pytest.mark.parametrize("statement", ["UPDATE studies_allocation SET seed = 8", "DELETE FROM studies_allocation"])
def test_the_database_itself_refuses_to_change_an_allocation(world, study, statement):
    with scopes_disabled():
        study.register(world.users.lead)
        allocation = _allocate(study, world)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    with scopes_disabled():
        assert Allocation.objects.get(pk=allocation.pk).seed == 7


def test_only_randomized_trials_are_allocated(world, study):
    with scopes_disabled():
        study.design = "did"
        study.block_level = ""
        study.full_clean()
        study.save()
        study.register(world.users.lead)
        with pytest.raises(StudyError, match="Only a randomized trial"):
            _allocate(study, world)
