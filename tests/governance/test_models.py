"""The panel's rules: terms, ballots, closing and counting with governance.voting, decisions and the agenda."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.governance.models import AgendaChange, Decision, PanelMember, Vote, agenda_on, study_problems
from improvenet.lib.errors import Conflict
from tests.governance.conftest import VOTE_DAY

D = datetime.date


def test_a_person_serves_one_term_at_a_time(alpha_scope):
    first = alpha_scope.members[0]
    overlapping = PanelMember(cluster=alpha_scope.alpha, person=first.person, constituency="community",
                              term_starts_on=D(2026, 1, 1), term_ends_on=D(2027, 1, 1))
    with pytest.raises(Conflict, match="Ana Ruiz is already on the panel from September 1, 2024"):
        overlapping.check_conflicts()
    # Leaving early frees the person for a new term from that day.
    first.end(D(2025, 12, 1))
    overlapping.term_starts_on = D(2025, 12, 1)
    overlapping.check_conflicts()


def test_a_term_cannot_end_before_it_starts(alpha_scope):
    member = alpha_scope.members[0]
    member.term_ends_on = D(2024, 1, 1)
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert error.value.message_dict["term_ends_on"] == ["The term cannot end before it starts."]


def test_only_members_serving_on_the_day_of_the_vote_are_eligible(alpha_scope):
    vote = alpha_scope.vote
    assert set(vote.eligible()) == set(alpha_scope.members)
    with pytest.raises(ValidationError, match="Gus Hale is not on the panel on March 3, 2025"):
        vote.record_ballot(alpha_scope.past, [], None)


def test_one_ballot_per_member_and_only_proposals_on_the_ballot(alpha_scope):
    vote, (absence, algebra, _), ana = alpha_scope.vote, alpha_scope.proposals, alpha_scope.members[0]
    vote.record_ballot(ana, [absence], None)
    with pytest.raises(Conflict, match="Ana Ruiz already has a ballot in this vote"):
        vote.record_ballot(ana, [algebra], None)
    other = Vote.objects.create(cluster=alpha_scope.alpha, title="Other", method="approval", held_on=VOTE_DAY)
    other.proposals.set([algebra])
    with pytest.raises(ValidationError) as error:
        other.record_ballot(ana, [absence, algebra, algebra], None)
    assert error.value.message_dict["choices"] == ["“Absence” is not on this vote's ballot.",
                                                   "“Algebra” is named more than once; name each proposal once."]
    assert not other.ballots.exists()


def test_closing_counts_with_the_library_and_keeps_the_result(alpha_scope):
    vote, (absence, _, goals) = alpha_scope.vote, alpha_scope.proposals
    for member, choices in zip(alpha_scope.members, [[absence], [absence, goals], [goals], [absence], []],
                               strict=False):
        vote.record_ballot(member, choices, None)
    result = vote.close(None)
    assert (result.quorum.voted, result.quorum.required, result.quorum.met) == (5, 3, True)
    vote.refresh_from_db()
    assert vote.winner == absence and vote.quorum_met and not vote.is_open
    assert set(vote.eligible_members.all()) == set(alpha_scope.members)
    balance = {b.proposal: b for b in result.balance}[str(absence.pk)]
    assert (balance.rests_on, balance.total) == ("Researchers", 3)
    # Ending a member's term later does not change who was eligible for the closed vote.
    alpha_scope.members[5].end(D(2025, 1, 1) + datetime.timedelta(days=600))
    assert vote.count().quorum.eligible == 6
    with pytest.raises(ValidationError, match="no more ballots"):
        vote.record_ballot(alpha_scope.members[5], [], None)
    with pytest.raises(ValidationError, match="already closed"):
        vote.close(None)


def test_ranked_choice_vote_runs_the_instant_runoff(alpha_scope):
    absence, algebra, goals = alpha_scope.proposals
    vote = Vote.objects.create(cluster=alpha_scope.alpha, title="Ranked", method="ranked_choice", held_on=VOTE_DAY)
    vote.proposals.set(alpha_scope.proposals)
    ballots = [[absence], [absence], [algebra, goals], [algebra, goals], [goals, algebra]]
    for member, choices in zip(alpha_scope.members, ballots, strict=False):
        vote.record_ballot(member, choices, None)
    result = vote.close(None)
    assert result.decision == str(algebra.pk)
    assert len(result.ranked.runoffs[0].rounds) == 2


def test_a_vote_without_quorum_has_no_decision(alpha_scope):
    vote = alpha_scope.vote
    vote.required_constituencies = ["students"]
    vote.save()
    for member in alpha_scope.members[:5]:
        vote.record_ballot(member, [alpha_scope.proposals[0]], None)
    result = vote.close(None)
    assert "No member from Students voted; quorum needs at least one." in result.summary
    assert not vote.quorum_met and vote.winner is None
    decision = Decision(cluster=alpha_scope.alpha, vote=vote, decided_on=VOTE_DAY, result="x", rationale="y")
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert error.value.message_dict["vote"] == [
        "The vote “Spring priorities” did not reach quorum, so it has no decision. Hold the vote again with more "
        "members present."]


def _decided(scope, on: datetime.date, title: str) -> Decision:
    vote = Vote.objects.create(cluster=scope.alpha, title=title, method="approval", held_on=on)
    vote.proposals.set(scope.proposals)
    for member in scope.members:
        vote.record_ballot(member, [scope.proposals[0]], None)
    vote.close(None)
    decision = Decision(cluster=scope.alpha, vote=vote, decided_on=on, result=f"{title} decided", rationale="Why")
    decision.full_clean()
    decision.save()
    return decision


def test_the_agenda_on_any_day_follows_the_decisions(alpha_scope):
    first = _decided(alpha_scope, D(2025, 1, 10), "First")
    added = first.change_agenda("added", title="Absence", design_challenges=[alpha_scope.challenge],
                                studies=[{"title": "Attendance study", "url": "https://example.org/a", "notes": ""}])
    second = _decided(alpha_scope, D(2025, 6, 10), "Second")
    second.change_agenda("changed", added.priority, title="Absence in ninth grade")
    second.change_agenda("added", title="Goals")
    third = _decided(alpha_scope, D(2026, 1, 10), "Third")
    retired = third.change_agenda("retired", added.priority)
    assert retired.title == "Absence in ninth grade" and list(retired.design_challenges.all()) == []
    assert agenda_on(D(2025, 1, 9)) == []
    assert [c.title for c in agenda_on(D(2025, 1, 10))] == ["Absence"]
    assert [c.title for c in agenda_on(D(2025, 7, 1))] == ["Absence in ninth grade", "Goals"]
    assert [c.title for c in agenda_on(D(2026, 2, 1))] == ["Goals"]
    with pytest.raises(ValidationError, match="not on the agenda on January 10, 2026"):
        third.change_agenda("changed", added.priority, title="Back again")
    assert AgendaChange.objects.count() == 4


def test_the_decision_comes_after_its_vote_and_gives_reasons(alpha_scope):
    decision = _decided(alpha_scope, D(2025, 1, 10), "First")
    late = Decision(cluster=alpha_scope.alpha, vote=decision.vote, decided_on=D(2025, 1, 9), result=" ", rationale="")
    with pytest.raises(ValidationError) as error:
        late.full_clean(validate_unique=False)
    assert set(error.value.message_dict) == {"decided_on", "result", "rationale"}
    with pytest.raises(Conflict, match="already has its decision"):
        late.check_conflicts()


def test_studies_need_a_title_and_a_web_link():
    assert study_problems([{"title": "A", "url": "https://example.org"}, {"title": " "},
                           {"title": "B", "url": "ftp://x"}]) == [
        "Study 2 needs a title.", "Study 3's link “ftp://x” is not a web address (http:// or https://)."]


@settings(max_examples=60, deadline=None)
@given(start=st.dates(D(2020, 1, 1), D(2030, 1, 1)), length=st.integers(0, 2000), left=st.integers(-5, 2100),
       day=st.dates(D(2019, 1, 1), D(2032, 1, 1)))
def test_serving_on_a_day_agrees_with_the_query_rule(start, length, left, day):
    """`serves_on` (used by the pages) and `serving` (used by queries) say the same for every term."""
    end = start + datetime.timedelta(days=length)
    ended = start + datetime.timedelta(days=left) if left > 0 else None
    member = PanelMember(term_starts_on=start, term_ends_on=end, ended_on=ended)
    q = PanelMember.serving(day)
    by_query = all(_holds(child, member) for child in q.children) if q.connector == "AND" else None
    assert member.serves_on(day) == by_query
    assert member.serves_on(member.last_day) or member.last_day < start


def _holds(condition, member) -> bool:
    """Evaluate the simple Q of `PanelMember.serving` on an unsaved member."""
    if hasattr(condition, "children"):
        results = [_holds(child, member) for child in condition.children]
        return any(results) if condition.connector == "OR" else all(results)
    lookup, value = condition
    field, _, op = lookup.partition("__")
    actual = getattr(member, field)
    if op == "isnull":
        return (actual is None) == value
    if actual is None:
        return False
    return {"lte": actual <= value, "gte": actual >= value, "gt": actual > value}[op]


def test_a_vote_read_before_it_closed_takes_no_ballot_and_closes_once(alpha_scope):
    """Two requests hold the same vote: once one closes it, the other can neither add a ballot nor count again."""
    stale, closing = Vote.objects.get(pk=alpha_scope.vote.pk), Vote.objects.get(pk=alpha_scope.vote.pk)
    for member in alpha_scope.members[:3]:
        closing.record_ballot(member, [alpha_scope.proposals[0]], None)
    closing.close(None)
    with pytest.raises(ValidationError, match="This vote closed on"):
        stale.record_ballot(alpha_scope.members[3], [alpha_scope.proposals[1]], None)
    with pytest.raises(ValidationError, match="This vote already closed on"):
        stale.close(None)
    assert alpha_scope.vote.ballots.count() == 3


def test_studies_fields_must_be_text():
    assert study_problems([{"title": "Goal study", "notes": {"deep": [1, 2]}, "url": ["https://example.org"]}]) == [
        "Study 1's url must be text.", "Study 1's notes must be text."]
    assert study_problems([{"title": ["Goal study"]}]) == ["Study 1 needs a title."]
