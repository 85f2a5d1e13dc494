"""The rules of engagement records: objections need a response once answered, a school is a candidate
once per decision, and a decision is final only when every candidate has an outcome and a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvenet.engagement.models import Candidate, EngagementEvent, Objection, SelectionDecision, Tag
from improvenet.lib.errors import Conflict

D = datetime.date


def messages(error: ValidationError) -> dict:
    return error.value.message_dict


def test_an_answered_objection_needs_a_response_and_its_date(heard, alpha_scope):
    objection = Objection(cluster=heard.world.alpha, school=heard.world.high, raised_on=D(2024, 3, 1),
                          raised_by="Student council", objection="Too many surveys.", status="addressed")
    with pytest.raises(ValidationError) as error:
        objection.full_clean()
    assert messages(error) == {"response": ["An addressed objection needs the district's response."],
                               "responded_on": ["An addressed objection needs the date of the response."]}
    objection.response, objection.responded_on = "Surveys happen in advisory.", D(2024, 2, 1)
    with pytest.raises(ValidationError) as error:
        objection.full_clean()
    assert messages(error) == {"responded_on": ["The response cannot come before the objection was raised."]}
    objection.responded_on = D(2024, 3, 20)
    objection.full_clean()
    objection.status, objection.response, objection.responded_on = "open", "", None
    objection.full_clean()


def test_an_event_counts_people_and_belongs_to_a_school_of_its_cluster(heard, alpha_scope):
    event = EngagementEvent(cluster=heard.world.alpha, held_on=D(2024, 3, 1), kind="gathering", title="X",
                            attendance=-1, school=heard.world.beta_school)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert set(messages(error)) == {"kind", "attendance", "school"}
    assert messages(error)["school"] == ["The school must belong to this cluster."]


def test_a_school_is_a_candidate_once_per_decision(heard, alpha_scope):
    again = Candidate(decision=heard.decision, school=heard.world.high)
    with pytest.raises(Conflict) as conflict:
        again.check_conflicts()
    assert conflict.value.message == ("Alpha High is already a candidate of this decision; "
                                      "change its entry instead.")
    other = SelectionDecision.objects.create(cluster=heard.world.alpha, title="Second round")
    Candidate(decision=other, school=heard.world.high).check_conflicts()


def test_a_decision_is_final_only_with_an_outcome_and_reason_for_every_candidate(heard, alpha_scope):
    decision = heard.decision
    decision.status = "final"
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert messages(error) == {
        "decided_on": ["A final decision needs the date it was decided."],
        "decided_by": ["A final decision needs who decided."],
        "reasons": ["A final decision needs its reasons."],
        "status": ["Record an outcome and a reason for every candidate before the decision is final; "
                   "missing for Alpha High, Alpha Middle."],
    }
    decision.decided_on, decision.decided_by, decision.reasons = D(2024, 5, 1), "Cabinet", "Support."
    heard.high.outcome, heard.high.reason = "selected", "Support at the family meeting."
    heard.high.save()
    heard.middle.outcome = "withdrawn"
    heard.middle.save()
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert messages(error) == {"status": ["Record an outcome and a reason for every candidate before the decision "
                                          "is final; missing for Alpha Middle."]}
    heard.middle.reason = "The objection was upheld."
    heard.middle.save()
    decision.full_clean()


def test_a_final_decision_without_candidates_is_refused(heard, alpha_scope):
    decision = SelectionDecision(cluster=heard.world.alpha, title="Empty", status="final", decided_on=D(2024, 5, 1),
                                 decided_by="Cabinet", reasons="None.")
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert messages(error) == {"status": ["Add the candidate schools before the decision is final."]}


def test_a_candidate_needs_a_reason_with_its_outcome_and_cites_only_its_own_schools_objection(heard, alpha_scope):
    candidate = heard.high
    candidate.outcome, candidate.objection = "withdrawn", heard.objection
    with pytest.raises(ValidationError) as error:
        candidate.full_clean()
    assert messages(error) == {"reason": ["Give the reason for this outcome."],
                               "objection": ["The objection cited must be one raised about this school."]}
    middle = heard.middle
    middle.outcome, middle.reason, middle.objection = "selected", "Chosen.", heard.objection
    with pytest.raises(ValidationError) as error:
        middle.full_clean()
    assert "Only a withdrawn or not-selected candidate cites an objection" in messages(error)["objection"][0]
    middle.outcome = "withdrawn"
    middle.full_clean()


def test_a_new_candidate_of_a_final_decision_needs_its_outcome(heard, alpha_scope):
    decision = heard.decision
    decision.status = "final"
    candidate = Candidate(decision=decision, school=heard.world.high)
    with pytest.raises(ValidationError) as error:
        candidate.full_clean(validate_constraints=False)
    assert messages(error) == {"outcome": ["The decision is final: record this candidate's outcome and reason."]}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(alphabet="abcAB -", min_size=0, max_size=12), max_size=6))
def test_tags_are_reused_whatever_their_case_and_spacing(heard, names):
    """For any names, one tag per distinct name (ignoring case and extra spaces), reusing existing ones."""
    alpha = heard.world.alpha
    with scope(cluster=alpha), transaction.atomic():
        before = Tag.objects.count()
        tags = Tag.for_names(alpha, names)
        distinct = {" ".join(n.split()).lower() for n in names} - {""}
        assert {t.name.lower() for t in tags} == distinct
        assert Tag.for_names(alpha, [f" {n.upper()}" for n in names]) == tags
        assert Tag.objects.count() == before + len(distinct - {"advisory", "student privacy", "teacher workload"})
        transaction.set_rollback(True)
