"""The panel's votes in improvenet.governance.voting: hand-worked counts, ties, quorum, balance, and properties."""

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.governance.voting import (
    APPROVAL,
    RANKED_CHOICE,
    Ballot,
    Member,
    Proposal,
    Quorum,
    Vote,
    VoteError,
    count_approval,
    count_ranked,
    count_vote,
)

CITIES = tuple(Proposal(name[0], name) for name in ("Memphis", "Nashville", "Chattanooga", "Knoxville"))


def panel(*constituencies: str) -> tuple[Member, ...]:
    return tuple(Member(f"m{i}", f"Member {i}", c) for i, c in enumerate(constituencies, start=1))


def ballots_for(groups: list[tuple[int, str]]) -> list[Ballot]:
    """`(3, "ABC")` is three ballots ranking (or approving) A, B, C; members are numbered in order."""
    ballots = []
    for count, choices in groups:
        for _ in range(count):
            ballots.append(Ballot(f"m{len(ballots) + 1}", tuple(choices)))
    return ballots


def vote_of(method: str, proposals, ballots, members=None, **options) -> Vote:
    members = members or panel(*["community"] * len(ballots))
    return Vote("Which problem first?", method, members, tuple(proposals), **options)


def proposals(keys: str) -> tuple[Proposal, ...]:
    return tuple(Proposal(key, f"Problem {key}") for key in keys)


# Ranked choice: hand-worked -------------------------------------------------------------------------


def test_the_plurality_winner_loses_the_instant_runoff():
    # The classic Tennessee capital example: Memphis leads first preferences but Knoxville wins.
    ballots = ballots_for([(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")])
    result = count_vote(vote_of(RANKED_CHOICE, CITIES, ballots), ballots)
    rounds = result.ranked.runoffs[0].rounds
    assert [r.counts for r in rounds] == [
        {"M": 42, "N": 26, "C": 15, "K": 17}, {"M": 42, "N": 26, "K": 32}, {"M": 42, "K": 58},
    ]
    assert [r.eliminated for r in rounds] == ["C", "N", None]
    assert rounds[0].reason == "Chattanooga has the fewest ballots (15) and is eliminated."
    assert rounds[2].reason == "Knoxville has 58 ballots of 100 still counting, more than half."
    assert result.decision == "K"
    assert result.ranked.runoffs[0].tie_break_used is False
    assert "Knoxville wins after 3 rounds of instant runoff." in result.summary


def test_full_ranking_repeats_the_runoff_without_the_winners():
    ballots = ballots_for([(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")])
    result = count_vote(vote_of(RANKED_CHOICE, CITIES, ballots, full_ranking=True), ballots)
    # Without Knoxville: M 42, N 26, C 32 → N out → M 42, C 58. Then M 42 v N 58. Memphis last.
    assert result.ranked.ranking == ("K", "C", "N", "M")
    assert len(result.ranked.runoffs) == 4
    assert result.summary[-1] == (
        "Full ranking by repeated runoff: 1. Knoxville; 2. Chattanooga; 3. Nashville; 4. Memphis."
    )
    assert result.balance[0].rests_on is None  # one constituency on the panel: no group to single out


def test_a_tie_for_fewest_is_broken_by_first_preferences():
    # Round 1: A 4, B 3, C 2, D 1 → D out, its ballot moves to C. Round 2: A 4, B 3, C 3 → B and C tie;
    # C had fewer first preferences, so C goes. Round 3: A 4 of the 7 ballots still counting.
    ballots = ballots_for([(4, "A"), (3, "B"), (2, "C"), (1, "DC")])
    runoff = count_ranked(proposals("ABCD"), ballots).runoffs[0]
    assert [r.eliminated for r in runoff.rounds] == ["D", "C", None]
    assert runoff.rounds[1].reason == (
        "Problem B and Problem C tie with 3 ballots each; Problem C had the fewest first preferences and is eliminated."
    )
    assert runoff.rounds[2].exhausted == 3
    assert runoff.winner == "A"
    assert runoff.tie_break_used is True


def test_a_tie_in_every_round_is_broken_by_alphabetical_order():
    # Round 1: A 3, B 2, C 2, D 1, E 1 → D and E tie, with no earlier round: E comes last, so E goes.
    # Round 2: A 3, B 2, C 2, D 1 → D goes. Round 3: B and C tie at 2, as in rounds 1 and 2: C goes.
    ballots = ballots_for([(3, "A"), (2, "B"), (2, "C"), (1, "D"), (1, "E")])
    runoff = count_ranked(proposals("ABCDE"), ballots).runoffs[0]
    assert [r.eliminated for r in runoff.rounds] == ["E", "D", "C", None]
    assert [r.tie_break for r in runoff.rounds] == [True, False, True, False]
    assert runoff.rounds[0].reason == (
        "Problem D and Problem E tie with 1 ballot each; Problem E comes last in alphabetical order and is eliminated."
    )
    assert runoff.rounds[2].reason == (
        "Problem B and Problem C tie with 2 ballots each and in every earlier round; Problem C comes last in "
        "alphabetical order and is eliminated."
    )
    assert runoff.winner == "A"


def test_a_tie_in_first_preferences_too_is_broken_by_the_next_round():
    # Round 1: A 6, B 2, C 2, D 1, E 1 → E out (name), its ballot to C: round 2: A 6, B 2, C 3, D 1 → D out,
    # its ballot to B: round 3: A 6, B 3, C 3. Tied in round 1 (2 v 2); in round 2 B 2 < C 3 → B goes.
    ballots = ballots_for([(6, "A"), (2, "B"), (2, "C"), (1, "DB"), (1, "EC")])
    runoff = count_ranked(proposals("ABCDE"), ballots).runoffs[0]
    assert [r.eliminated for r in runoff.rounds[:3]] == ["E", "D", "B"]
    assert runoff.rounds[2].reason == (
        "Problem B and Problem C tie with 3 ballots each; Problem B had the fewest ballots in round 2 and is "
        "eliminated."
    )


def test_an_even_split_is_decided_by_the_documented_tie_break_and_says_so():
    ballots = ballots_for([(2, "A"), (2, "B")])
    result = count_vote(vote_of(RANKED_CHOICE, proposals("AB"), ballots), ballots)
    assert result.decision == "A"
    assert result.ranked.runoffs[0].tie_break_used is True
    assert "A tie for fewest ballots was decided by the tie-break rule; the rounds below show how." in result.summary


def test_only_empty_ballots_give_no_winner():
    ballots = ballots_for([(3, "")])
    result = count_vote(vote_of(RANKED_CHOICE, proposals("AB"), ballots), ballots)
    assert result.quorum.met
    assert result.decision is None
    assert result.ranked.ranking == ()
    assert result.ranked.runoffs[0].rounds[0].exhausted == 3
    assert "No ballot ranks any proposal, so there is no winner." in result.summary


# Approval: hand-worked ------------------------------------------------------------------------------


def test_approval_ranks_by_approvals_and_tied_proposals_share_a_place():
    result = count_approval(proposals("ABCD"), ballots_for([(2, "AB"), (1, "BC"), (1, "A")]))
    assert [(t.proposal, t.approvals, t.place) for t in result.tallies] == [
        ("A", 3, 1), ("B", 3, 1), ("C", 1, 3), ("D", 0, 4),
    ]
    assert result.leaders == ("A", "B")
    assert result.ties == (("A", "B"),)


def test_a_tie_for_first_is_reported_not_broken():
    ballots = ballots_for([(2, "AB"), (1, "BC"), (1, "A")])
    result = count_vote(vote_of(APPROVAL, proposals("ABCD"), ballots), ballots)
    assert result.decision is None
    assert "Problem A and Problem B tie for first place with 3 approvals each; the panel must break the tie." in (
        result.summary
    )


def test_a_clear_approval_winner_is_the_decision():
    ballots = ballots_for([(2, "AB"), (2, "A"), (1, "C")])
    result = count_vote(vote_of(APPROVAL, proposals("ABC"), ballots), ballots)
    assert result.decision == "A"
    assert "Problem A has the most approvals (4)." in result.summary


def test_no_approvals_means_no_leader():
    ballots = ballots_for([(3, "")])
    result = count_vote(vote_of(APPROVAL, proposals("AB"), ballots), ballots)
    assert result.approval.leaders == ()
    assert result.decision is None
    assert "No proposal received an approval." in result.summary


# Quorum ---------------------------------------------------------------------------------------------


def test_without_quorum_there_is_no_decision_and_the_message_says_what_is_missing():
    members = panel(*["researchers"] * 5, *["district leaders"] * 4, "families", "students")
    ballots = [Ballot("m1", ("A",)), Ballot("m2", ("A",)), Ballot("m6", ("A",))]
    vote = Vote("Problem", APPROVAL, members, proposals("AB"), Quorum(0.5, constituencies=frozenset({"families"})))
    result = count_vote(vote, ballots)
    assert result.quorum.summary == (
        "3 of 11 members voted; quorum is 6.",
        "No member from families voted; quorum needs at least one.",
        "Quorum is not met.",
    )
    assert result.quorum.missing_constituencies == ("families",)
    assert result.decision is None
    assert result.approval.leaders == ("A",)  # counts are still shown, for information
    assert "Without quorum this vote has no decision; the counts below are for information only." in result.summary


def test_quorum_is_the_larger_of_the_share_and_the_count():
    assert Quorum(0.5).required(11) == 6
    assert Quorum(0.6).required(10) == 6
    assert Quorum(0.5, min_count=8).required(11) == 8
    assert Quorum(0).required(11) == 0


def test_enough_voters_but_a_required_constituency_absent_from_the_panel():
    members = panel("researchers", "researchers")
    ballots = ballots_for([(2, "A")])
    vote = Vote("Q", APPROVAL, members, proposals("A"), Quorum(0.5, constituencies=frozenset({"students"})))
    check = count_vote(vote, ballots).quorum
    assert not check.met
    assert "The panel has no member from students, whom quorum requires; add one." in check.summary


def test_an_empty_ballot_is_an_abstention_that_counts_toward_quorum():
    members = panel("families", "researchers", "researchers", "researchers")
    ballots = [Ballot("m1"), Ballot("m2", ("A",))]
    vote = Vote("Q", APPROVAL, members, proposals("AB"), Quorum(0.5, constituencies=frozenset({"families"})))
    result = count_vote(vote, ballots)
    assert result.quorum.met
    assert result.quorum.summary[0] == "2 of 4 members voted; quorum is 2."
    assert result.decision == "A"
    turnout = [(t.constituency, t.eligible, t.voted) for t in result.turnout]
    assert turnout == [("families", 1, 1), ("researchers", 3, 1)]


# Balance --------------------------------------------------------------------------------------------


def test_balance_shows_when_a_result_rests_on_one_group():
    members = panel("district leaders", "district leaders", "district leaders", "families", "students", "researchers")
    ballots = [Ballot("m1", ("A", "B")), Ballot("m2", ("A",)), Ballot("m3", ("A",)),
               Ballot("m4", ("B",)), Ballot("m5", ("B",)), Ballot("m6", ("B",))]
    result = count_vote(Vote("Q", APPROVAL, members, proposals("AB")), ballots)
    a, b = result.balance
    assert a.rests_on == "district leaders"
    assert [(g.constituency, g.count, g.share) for g in a.by_constituency] == [
        ("district leaders", 3, 1.0), ("families", 0, 0.0), ("researchers", 0, 0.0), ("students", 0, 0.0),
    ]
    assert a.summary == "Of 3 approvals for Problem A, 3 (100%) came from district leaders."
    assert b.rests_on is None
    assert b.summary == "The 4 approvals for Problem B came from 4 constituencies; none gave more than half."
    assert result.decision == "B"
    assert not any("came from one group" in line for line in result.summary)


def test_balance_of_a_ranked_vote_counts_first_preferences_only():
    members = panel("families", "families", "researchers")
    ballots = ballots_for([(2, "AB"), (1, "BA")])
    result = count_vote(Vote("Q", RANKED_CHOICE, members, proposals("AB")), ballots)
    a, b = result.balance
    assert (a.total, a.rests_on) == (2, "families")
    assert (b.total, b.rests_on) == (1, "researchers")
    assert "Most of the support for Problem A came from one group: families." in result.summary


# Validation -----------------------------------------------------------------------------------------


def refused(vote: Vote, ballots) -> list[str]:
    with pytest.raises(VoteError) as caught:
        count_vote(vote, ballots)
    return caught.value.problems


def test_bad_ballots_are_refused_with_every_problem_named():
    members = (Member("ana", "Ana Ruiz", "families"), Member("ben", "Ben Ode", "researchers"))
    vote = Vote("Q", RANKED_CHOICE, members, (Proposal("abs", "Chronic absence"), Proposal("ninth", "Ninth grade")))
    ballots = [
        Ballot("ana", ("abs", "abs")),
        Ballot("ana", ("ninth",)),
        Ballot("zoe", ("abs",)),
        Ballot("ben", ("p9",)),
    ]
    assert refused(vote, ballots) == [
        "Ana Ruiz's ballot ranks 'Chronic absence' 2 times; name it once.",
        "Ana Ruiz cast more than one ballot; each member casts one.",
        "A ballot comes from 'zoe', who is not a member of the panel for this vote.",
        "Ben Ode's ballot ranks 'p9', which is not a proposal in this vote.",
    ]


def test_approval_ballots_speak_of_approving():
    vote = Vote("Q", APPROVAL, panel("families"), proposals("A"))
    problems = refused(vote, [Ballot("m1", ("B",))])
    assert problems == ["Member 1's ballot approves 'B', which is not a proposal in this vote."]


def test_a_vote_that_cannot_be_counted_is_refused():
    members = (Member("a", "A", "families"), Member("a", "A again", " "))
    vote = Vote("Q", "plurality", members, (), Quorum(min_share=1.5, min_count=-1))
    assert refused(vote, []) == [
        "Unknown voting method 'plurality': use 'approval' or 'ranked_choice'.",
        "The vote has no proposals.",
        "Member 'a' is listed 2 times on the panel.",
        "A again has no constituency.",
        "The quorum share must be between 0 and 1 (0.5 is half); it is 1.5.",
        "The quorum's minimum number of members cannot be negative; it is -1.",
    ]
    assert refused(Vote("Q", APPROVAL, (), proposals("AA")), []) == [
        "The vote has no eligible members.", "Proposal 'A' is listed 2 times.",
    ]


def test_the_governance_doc_states_the_rules_this_module_applies():
    text = (Path(__file__).resolve().parents[2] / "docs" / "governance.md").read_text()
    for phrase in ("**Approval vote**", "**Ranked-choice vote**", "instant runoff", "abstention",
                   "fewest first preferences", "alphabetical order", "more than half", "Quorum"):
        assert phrase in text, phrase


# Properties -----------------------------------------------------------------------------------------

KEYS = "ABCDE"


@st.composite
def ranked_ballots(draw, max_size=12):
    count = draw(st.integers(0, max_size))
    rankings = draw(st.lists(st.permutations(KEYS).flatmap(lambda p: st.integers(0, 5).map(lambda n: p[:n])),
                             min_size=count, max_size=count))
    return [Ballot(f"m{i}", tuple(r)) for i, r in enumerate(rankings, start=1)]


@given(ranked_ballots())
def test_a_majority_of_first_preferences_wins_in_round_one(ballots):
    firsts = [b.choices[0] for b in ballots if b.choices]
    result = count_ranked(proposals(KEYS), ballots)
    for key in KEYS:
        if 2 * firsts.count(key) > len(firsts):
            assert result.ranking[0] == key
            assert len(result.runoffs[0].rounds) == 1


@given(ranked_ballots())
def test_every_round_accounts_for_every_ballot_and_drops_one_proposal(ballots):
    for runoff in count_ranked(proposals(KEYS), ballots, full=True).runoffs:
        for number, round_ in enumerate(runoff.rounds, start=1):
            assert round_.number == number
            assert sum(round_.counts.values()) + round_.exhausted == len(ballots)
            assert len(round_.counts) == len(runoff.candidates) - number + 1
        assert all(r.eliminated for r in runoff.rounds[:-1]) and runoff.rounds[-1].eliminated is None


@given(ranked_ballots())
def test_the_full_ranking_places_every_proposal_some_ballot_names(ballots):
    ranking = count_ranked(proposals(KEYS), ballots, full=True).ranking
    assert len(set(ranking)) == len(ranking)
    assert set(ranking) == {choice for b in ballots for choice in b.choices}


@given(ranked_ballots(max_size=8), st.sampled_from([APPROVAL, RANKED_CHOICE]), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_ballot_order(ballots, method, random):
    members = panel(*[("families", "students", "researchers")[i % 3] for i in range(8)])
    vote = Vote("Q", method, members, proposals(KEYS), Quorum(0.25), full_ranking=True)
    shuffled = list(ballots)
    random.shuffle(shuffled)
    assert count_vote(vote, shuffled) == count_vote(vote, ballots)


@given(ranked_ballots(), st.sampled_from(KEYS), st.data())
def test_adding_an_approval_for_a_proposal_never_lowers_its_count(ballots, key, data):
    before = {t.proposal: t.approvals for t in count_approval(proposals(KEYS), ballots).tallies}
    without = [b for b in ballots if key not in b.choices]
    if not without:
        return
    chosen = data.draw(st.sampled_from(without))
    added = [replace(b, choices=(*b.choices, key)) if b is chosen else b for b in ballots]
    after = {t.proposal: t.approvals for t in count_approval(proposals(KEYS), added).tallies}
    assert after[key] == before[key] + 1
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}
