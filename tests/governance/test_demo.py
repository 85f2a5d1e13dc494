"""The demo's standing panel: every constituency, past members, decided votes, an open vote, an agenda."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.demo.governance import OPEN_VOTE_TITLE
from improvenet.governance import voting
from improvenet.governance.models import AgendaChange, Constituency, Decision, PanelMember, Vote, agenda_on
from improvenet.network.models import Cluster

D = datetime.date


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        with scopes_disabled():
            riverside = Cluster.objects.get(slug="riverside")
        yield SimpleNamespace(riverside=riverside)
        transaction.set_rollback(True)


@pytest.fixture
def riverside(db, demo):
    with scope(cluster=demo.riverside):
        yield demo


def test_the_panel_covers_every_constituency_and_has_past_members(riverside):
    on = D(2026, 10, 15)
    serving = PanelMember.objects.filter(PanelMember.serving(on))
    assert set(serving.values_list("constituency", flat=True)) == set(Constituency.values)
    past = [m for m in PanelMember.objects.all() if m.last_day < on]
    assert len(past) >= 2, "the graduated student and the union president's pilot-year term"


def test_two_votes_are_decided_one_of_each_method(riverside):
    decided = Vote.objects.filter(decision__isnull=False)
    assert sorted(decided.values_list("method", flat=True)) == [voting.APPROVAL, voting.RANKED_CHOICE]
    for vote in decided:
        assert vote.quorum_met and vote.winner is not None
        assert vote.count().decision == str(vote.winner.pk)


def test_the_ranked_choice_winner_is_not_the_plurality_leader(riverside):
    vote = Vote.objects.get(method=voting.RANKED_CHOICE)
    runoff = vote.count().ranked.runoffs[0]
    first_round = runoff.rounds[0].counts
    assert max(first_round, key=first_round.get) != runoff.winner
    assert len(runoff.rounds) == 3


def test_one_vote_missed_quorum_and_one_is_open_short_of_quorum(riverside):
    missed = Vote.objects.get(quorum_met=False)
    assert Decision.refusal(missed).startswith(f"The vote “{missed.title}” did not reach quorum")
    open_vote = Vote.objects.get(title=OPEN_VOTE_TITLE)
    assert open_vote.is_open
    quorum = open_vote.count().quorum
    assert (quorum.voted, quorum.required) == (5, 7), "the browser test records the two missing ballots"


def test_the_agenda_has_a_history(riverside):
    assert [c.title for c in agenda_on(D(2025, 6, 1))] == ["Students rarely own their learning goals",
                                                          "Chronic absence in ninth grade"]
    assert len(agenda_on(D(2026, 1, 1))) == 3
    assert agenda_on(D(2025, 1, 1)) == []
    changed = AgendaChange.objects.get(action="changed")
    assert changed.description.startswith("Now studied through advisory")
    assert len(changed.studies) == 2
