"""Data use agreements say exactly what a request lacks; the audit log cannot be changed, even in SQL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from improvenet.data.models import (
    AgreementRefused,
    AppendOnlyError,
    AuditEvent,
    DataRequest,
    DataUseAgreement,
)

D = datetime.date


@pytest.fixture
def agreement(world):
    with scopes_disabled():
        agreement = DataUseAgreement.objects.create(
            cluster=world.alpha, project="Ninth-grade transitions", purpose="Study on-track rates.",
            permitted_fields=["student.*", "student_school_association.grade_level"],
            starts_on=D(2026, 1, 1), expires_on=D(2026, 12, 31),
        )
        agreement.researchers.add(world.users.researcher)
        agreement.schools.add(world.high)
    return agreement


MID_2026 = D(2026, 6, 1)


def request_for(fields, schools, on=MID_2026) -> DataRequest:
    return DataRequest(frozenset(fields), frozenset(school.pk for school in schools), on)


def test_an_agreement_covers_a_request_within_its_fields_schools_and_period(world, agreement):
    with scopes_disabled():
        found = DataUseAgreement.covering(
            world.users.researcher, world.alpha,
            request_for({"student.sex", "student_school_association.grade_level"}, [world.high]),
        )
    assert found == agreement


@pytest.mark.parametrize(
    ("fields", "school_names", "on", "named"),
    [
        ({"student_school_attendance_event.category"}, ["high"], D(2026, 6, 1),
         "the fields student_school_attendance_event.category"),
        ({"student.sex"}, ["high", "middle"], D(2026, 6, 1), "the schools Alpha Middle"),
        ({"student.sex"}, ["high"], D(2027, 1, 1), "is not active on January 1, 2027"),
        ({"student.sex"}, ["high"], D(2025, 12, 31), "starts on January 1, 2026"),
    ],
)
def test_a_request_outside_the_agreement_is_refused_naming_what_is_missing(
    world, agreement, fields, school_names, on, named
):
    schools = [getattr(world, name) for name in school_names]
    with scopes_disabled(), pytest.raises(AgreementRefused) as refused:
        DataUseAgreement.covering(world.users.researcher, world.alpha, request_for(fields, schools, on))
    assert named in str(refused.value)
    assert "Ninth-grade transitions" in str(refused.value)


def test_someone_not_named_in_any_agreement_is_told_to_ask_the_lead(world, agreement):
    with scopes_disabled(), pytest.raises(AgreementRefused, match="ask the cluster lead"):
        DataUseAgreement.covering(world.users.viewer, world.alpha, request_for({"student.sex"}, [world.high]))


def test_an_ended_agreement_covers_nothing_after_its_end(world, agreement):
    with scopes_disabled():
        agreement.end(D(2026, 3, 1))
        with pytest.raises(AgreementRefused):
            DataUseAgreement.covering(world.users.researcher, world.alpha, request_for({"student.sex"}, [world.high]))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (["pupil.name"], "The store has no field pupil.name"),
        (["student.given_name"], "The store has no field student.given_name"),
        ([], "at least one field"),
        ("student.*", "table.column"),
    ],
)
def test_agreement_fields_must_name_the_store(world, fields, message):
    agreement = DataUseAgreement(
        cluster=world.alpha, project="P", purpose="P", permitted_fields=fields,
        starts_on=D(2026, 1, 1), expires_on=D(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as invalid:
        agreement.full_clean()
    assert message in str(invalid.value.message_dict["permitted_fields"])


def test_an_agreement_cannot_expire_before_it_starts(world):
    agreement = DataUseAgreement(
        cluster=world.alpha, project="P", purpose="P", permitted_fields=["student.*"],
        starts_on=D(2026, 1, 1), expires_on=D(2025, 12, 31),
    )
    with pytest.raises(ValidationError, match="expire after it starts"):
        agreement.full_clean()


@pytest.fixture
def event(world):
    with scopes_disabled():
        return AuditEvent.objects.create(
            cluster=world.alpha, user=world.users.researcher, username="researcher", channel="cli",
            action="metric chronic-absenteeism", detail={"schools": [world.high.pk]},
        )


def test_audit_entries_cannot_be_changed_or_deleted_through_the_models(world, event):
    event.action = "nothing to see"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with scopes_disabled():
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(action="changed")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "metric chronic-absenteeism"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE data_auditevent SET action = 'changed'", "DELETE FROM data_auditevent"],
)
def test_the_database_itself_refuses_to_change_the_audit_log(world, event, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    with scopes_disabled():
        assert AuditEvent.objects.get(pk=event.pk).action == "metric chronic-absenteeism"
