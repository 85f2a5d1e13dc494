"""The rules of induction records: each refusal names the field and the problem."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from improvenet.induction.models import Induction, Log, Milestone, NewTeacher, Placement, Progress

D = datetime.date


def messages(record) -> dict:
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    return error.value.message_dict


def test_a_new_teacher_has_one_first_school(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        both = NewTeacher(cluster=w.alpha, staff_ref="T-9", hired_on=D(2024, 8, 1), first_school=w.high,
                          other_school="Jefferson")
        assert "not both" in messages(both)["other_school"][0]
        neither = NewTeacher(cluster=w.alpha, staff_ref="T-9", hired_on=D(2024, 8, 1))
        assert "other_school" in messages(neither)
        early = NewTeacher(cluster=w.alpha, staff_ref="T-9", hired_on=D(2024, 8, 1), other_school="Jefferson",
                           left_on=D(2024, 7, 1))
        assert "before they were hired" in messages(early)["left_on"][0]


def test_a_milestone_falls_within_the_induction(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        late = Milestone(cluster=w.alpha, cohort=inducted.cohort, title="Year three", year=3, due_month=13)
        found = messages(late)
        assert "lasts 2 years" in found["year"][0] and "1 to 12" in found["due_month"][0]
        milestone = Milestone(cluster=w.alpha, cohort=inducted.cohort, title="Exit", year=2, due_month=10)
        assert milestone.due_on == D(2026, 5, 1)


def test_an_induction_is_in_the_teachers_first_school(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        induction = Induction(cluster=w.alpha, new_teacher=inducted.other, person=inducted.person,
                              cohort=inducted.cohort, school=w.high, started_on=D(2024, 8, 1))
        found = messages(induction)
        assert "first school" in found["school"][0] and "hire date" in found["started_on"][0]


def test_progress_is_on_the_teachers_own_cohort_plan(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        from improvenet.induction.models import Cohort

        other = Cohort.objects.create(cluster=w.alpha, name="2025 cohort", starts_on=D(2025, 8, 18))
        foreign = Milestone.objects.create(cluster=w.alpha, cohort=other, title="Other plan", year=1, due_month=1)
        progress = Progress(cluster=w.alpha, induction=inducted.induction, milestone=foreign,
                            completed_on=D(2025, 9, 1))
        assert "2025 cohort" in messages(progress)["milestone"][0]


def test_logs_and_placements_follow_the_induction(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        log = Log(cluster=w.alpha, induction=inducted.induction, mentor=inducted.mentor, held_on=D(2024, 1, 1),
                  kind="observation", minutes=0)
        found = messages(log)
        assert "1 to 600" in found["minutes"][0]
        placement = Placement(cluster=w.alpha, induction=inducted.induction, school_name=w.high.name,
                              placed_on=D(2026, 8, 17))
        assert "elsewhere" in messages(placement)["school_name"][0]


def test_records_of_another_cluster_cannot_be_linked(inducted):
    w = inducted.world
    with scope(cluster=w.alpha):
        milestone = Milestone(cluster=w.alpha, cohort=inducted.beta_cohort, title="X", year=1, due_month=1)
        assert "another cluster" in messages(milestone)["cohort"][0]
