"""The standing panel's votes on proposals, without Django: quorum, approval and ranked-choice counts.

docs/governance.md states these rules in words for district users; this module is the one place they
live. A vote has a panel of eligible members (each from one constituency: researchers, district
leaders, families...), a list of proposals (high-leverage problems, research questions) and a method:

- approval: each member approves any number of proposals; proposals rank by approvals; a tie is
  reported as a tie, never broken.
- ranked choice: each member ranks proposals in order of preference; the winner is found by
  instant runoff, eliminating one proposal a round with the tie-break in `_eliminate`. With
  `full_ranking`, the winner is set aside and the runoff repeats among the rest for 2nd place, etc.

A ballot that names no proposal is an abstention: the member took part (it counts toward quorum and
turnout) but supports nothing. Without quorum a vote has no decision; the counts are still shown.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

APPROVAL = "approval"
RANKED_CHOICE = "ranked_choice"
METHODS = (APPROVAL, RANKED_CHOICE)
METHOD_LABELS = {APPROVAL: "Approval vote", RANKED_CHOICE: "Ranked-choice vote (instant runoff)"}
# A result "rests on one group" when a single constituency gave more than this share of its support.
ONE_GROUP_SHARE = 0.5


class VoteError(ValueError):
    """The vote or its ballots break a rule; `problems` lists each one in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    constituency: str


@dataclass(frozen=True)
class Proposal:
    key: str
    title: str


@dataclass(frozen=True)
class Ballot:
    """One member's ballot: the proposals approved (approval) or ranked, most preferred first (ranked choice)."""

    member: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quorum:
    """Quorum is met when at least `required(eligible)` members voted and every constituency in
    `constituencies` has at least one member who voted."""

    min_share: float = 0.5
    min_count: int = 0
    constituencies: frozenset[str] = frozenset()

    def required(self, eligible: int) -> int:
        # A tiny tolerance so that 0.6 × 10 asks for 6 members, not 7 after floating-point rounding.
        return max(self.min_count, math.ceil(self.min_share * eligible - 1e-9))


@dataclass(frozen=True)
class Vote:
    title: str
    method: str
    members: tuple[Member, ...]
    proposals: tuple[Proposal, ...]
    quorum: Quorum = Quorum()
    full_ranking: bool = False


# Results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumCheck:
    met: bool
    eligible: int
    voted: int
    required: int
    missing_constituencies: tuple[str, ...]
    summary: tuple[str, ...]


@dataclass(frozen=True)
class Turnout:
    constituency: str
    eligible: int
    voted: int


@dataclass(frozen=True)
class GroupSupport:
    constituency: str
    count: int
    share: float  # of the proposal's support (approvals or first preferences), 0 when it has none


@dataclass(frozen=True)
class ProposalBalance:
    """Where a proposal's support came from: approvals (approval) or first preferences (ranked choice)."""

    proposal: str
    total: int
    by_constituency: tuple[GroupSupport, ...]
    rests_on: str | None  # the constituency that gave more than half of the support, if one did
    summary: str


@dataclass(frozen=True)
class ApprovalTally:
    proposal: str
    approvals: int
    place: int  # tied proposals share a place: 1, 1, 3


@dataclass(frozen=True)
class ApprovalResult:
    tallies: tuple[ApprovalTally, ...]  # most approvals first; tied proposals in the vote's order
    leaders: tuple[str, ...]  # every proposal with the most approvals (more than one means a tie)
    ties: tuple[tuple[str, ...], ...]  # each group of two or more proposals with equal approvals


@dataclass(frozen=True)
class Round:
    number: int
    counts: dict[str, int]  # continuing proposal → ballots counting for it this round
    exhausted: int  # ballots that rank no continuing proposal
    eliminated: str | None
    reason: str
    tie_break: bool = False  # the elimination needed the tie-break rule


@dataclass(frozen=True)
class Runoff:
    """One instant runoff among `candidates`; `winner` is None only when no ballot ranks any of them."""

    candidates: tuple[str, ...]
    rounds: tuple[Round, ...]
    winner: str | None
    tie_break_used: bool  # at least one elimination needed the tie-break


@dataclass(frozen=True)
class RankedResult:
    runoffs: tuple[Runoff, ...]  # the first finds the winner; with full_ranking, each next one the next place
    ranking: tuple[str, ...]  # winner first; only the winner unless full_ranking


@dataclass(frozen=True)
class VoteResult:
    title: str
    method: str
    quorum: QuorumCheck
    turnout: tuple[Turnout, ...]
    balance: tuple[ProposalBalance, ...]
    approval: ApprovalResult | None
    ranked: RankedResult | None
    decision: str | None  # the chosen proposal; None without quorum, on a tie, or with no support
    summary: tuple[str, ...]


# Checking ---------------------------------------------------------------------------------------


def check_vote(vote: Vote) -> None:
    """Refuse a vote that cannot be counted, listing every problem."""
    problems: list[str] = []
    if vote.method not in METHODS:
        problems.append(f"Unknown voting method '{vote.method}': use '{APPROVAL}' or '{RANKED_CHOICE}'.")
    if not vote.members:
        problems.append("The vote has no eligible members.")
    if not vote.proposals:
        problems.append("The vote has no proposals.")
    for key, count in Counter(m.key for m in vote.members).items():
        if count > 1:
            problems.append(f"Member '{key}' is listed {count} times on the panel.")
    for member in vote.members:
        if not member.constituency.strip():
            problems.append(f"{member.name} has no constituency.")
    for key, count in Counter(p.key for p in vote.proposals).items():
        if count > 1:
            problems.append(f"Proposal '{key}' is listed {count} times.")
    if not 0 <= vote.quorum.min_share <= 1:
        problems.append(f"The quorum share must be between 0 and 1 (0.5 is half); it is {vote.quorum.min_share}.")
    if vote.quorum.min_count < 0:
        problems.append(f"The quorum's minimum number of members cannot be negative; it is {vote.quorum.min_count}.")
    if problems:
        raise VoteError(problems)


def check_ballots(vote: Vote, ballots: Iterable[Ballot]) -> None:
    """Refuse ballots from non-members, second ballots, and choices that are unknown or repeated."""
    members = {m.key: m for m in vote.members}
    titles = {p.key: p.title for p in vote.proposals}
    verb = "approves" if vote.method == APPROVAL else "ranks"
    problems: list[str] = []
    cast: Counter[str] = Counter()
    for ballot in ballots:
        member = members.get(ballot.member)
        if member is None:
            problems.append(f"A ballot comes from '{ballot.member}', who is not a member of the panel for this vote.")
            continue
        cast[ballot.member] += 1
        if cast[ballot.member] == 2:
            problems.append(f"{member.name} cast more than one ballot; each member casts one.")
        for choice, times in Counter(ballot.choices).items():
            if choice not in titles:
                problems.append(f"{member.name}'s ballot {verb} '{choice}', which is not a proposal in this vote.")
            elif times > 1:
                problems.append(f"{member.name}'s ballot {verb} '{titles[choice]}' {times} times; name it once.")
    if problems:
        raise VoteError(problems)


# Counting ---------------------------------------------------------------------------------------


def count_vote(vote: Vote, ballots: Sequence[Ballot]) -> VoteResult:
    """Check the vote and its ballots, then count them: quorum, turnout, balance and the method's result."""
    check_vote(vote)
    check_ballots(vote, ballots)
    titles = {p.key: p.title for p in vote.proposals}
    quorum = check_quorum(vote, ballots)
    turnout = _turnout(vote, ballots)
    approval = ranked = None
    if vote.method == APPROVAL:
        approval = count_approval(vote.proposals, ballots)
        leader = approval.leaders[0] if len(approval.leaders) == 1 else None
        outcome = _approval_summary(approval, titles)
    else:
        ranked = count_ranked(vote.proposals, ballots, full=vote.full_ranking)
        leader = ranked.ranking[0] if ranked.ranking else None
        outcome = _ranked_summary(ranked, titles)
    balance = support_balance(vote, ballots)
    decision = leader if quorum.met else None
    summary = [*quorum.summary]
    if quorum.met:
        summary += outcome
    else:
        summary.append("Without quorum this vote has no decision; the counts below are for information only.")
    if decision is not None:
        rests_on = next(b.rests_on for b in balance if b.proposal == decision)
        if rests_on:
            summary.append(f"Most of the support for {titles[decision]} came from one group: {rests_on}.")
    return VoteResult(vote.title, vote.method, quorum, turnout, balance, approval, ranked, decision, tuple(summary))


def check_quorum(vote: Vote, ballots: Sequence[Ballot]) -> QuorumCheck:
    eligible = len(vote.members)
    voters = {b.member for b in ballots}
    required = vote.quorum.required(eligible)
    constituency_of = {m.key: m.constituency for m in vote.members}
    present = {constituency_of[key] for key in voters if key in constituency_of}
    panel = {m.constituency for m in vote.members}
    missing = tuple(sorted(vote.quorum.constituencies - present))
    summary = [f"{len(voters)} of {_count(eligible, 'member')} voted; quorum is {required}."]
    for constituency in missing:
        if constituency in panel:
            summary.append(f"No member from {constituency} voted; quorum needs at least one.")
        else:
            summary.append(f"The panel has no member from {constituency}, whom quorum requires; add one.")
    met = len(voters) >= required and not missing
    summary.append("Quorum is met." if met else "Quorum is not met.")
    return QuorumCheck(met, eligible, len(voters), required, missing, tuple(summary))


def count_approval(proposals: Sequence[Proposal], ballots: Iterable[Ballot]) -> ApprovalResult:
    approvals = Counter(choice for ballot in ballots for choice in set(ballot.choices))
    order = {p.key: index for index, p in enumerate(proposals)}
    ranked = sorted(order, key=lambda key: (-approvals[key], order[key]))
    tallies = []
    for index, key in enumerate(ranked):
        tied_above = index and approvals[key] == approvals[ranked[index - 1]]
        tallies.append(ApprovalTally(key, approvals[key], tallies[-1].place if tied_above else index + 1))
    groups: dict[int, list[str]] = {}
    for tally in tallies:
        groups.setdefault(tally.approvals, []).append(tally.proposal)
    ties = tuple(tuple(group) for group in groups.values() if len(group) > 1)
    top = tallies[0].approvals if tallies else 0
    leaders = tuple(t.proposal for t in tallies if t.approvals == top and top > 0)
    return ApprovalResult(tuple(tallies), leaders, ties)


def count_ranked(proposals: Sequence[Proposal], ballots: Sequence[Ballot], full: bool = False) -> RankedResult:
    titles = {p.key: p.title for p in proposals}
    remaining = [p.key for p in proposals]
    runoffs: list[Runoff] = []
    ranking: list[str] = []
    while remaining:
        runoff = instant_runoff(remaining, ballots, titles)
        runoffs.append(runoff)
        if runoff.winner is None or not full:
            if runoff.winner is not None:
                ranking.append(runoff.winner)
            break
        ranking.append(runoff.winner)
        remaining.remove(runoff.winner)
    return RankedResult(tuple(runoffs), tuple(ranking))


def instant_runoff(candidates: Sequence[str], ballots: Sequence[Ballot], titles: dict[str, str]) -> Runoff:
    """Each round, every ballot counts for its most preferred continuing proposal. A proposal with more
    than half of the ballots still counting wins; otherwise the weakest is eliminated (see `_eliminate`)."""
    continuing = list(candidates)
    rounds: list[Round] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in ballots:
            top = next((choice for choice in ballot.choices if choice in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        active = sum(counts.values())
        number = len(rounds) + 1
        if active == 0:
            reason = "No ballot ranks any of the proposals still in the count."
            rounds.append(Round(number, counts, exhausted, None, reason))
            return Runoff(tuple(candidates), tuple(rounds), None, False)
        leader = max(continuing, key=lambda key: counts[key])
        if 2 * counts[leader] > active or len(continuing) == 1:
            votes = _count(counts[leader], "ballot")
            majority = f"{titles[leader]} has {votes} of {active} still counting, more than half."
            reason = majority if len(continuing) > 1 else f"{titles[leader]} is the only proposal left."
            rounds.append(Round(number, counts, exhausted, None, reason))
            return Runoff(tuple(candidates), tuple(rounds), leader, any(r.tie_break for r in rounds))
        history = [earlier.counts for earlier in rounds] + [counts]
        eliminated, reason, tie_break = _eliminate(continuing, history, titles)
        rounds.append(Round(number, counts, exhausted, eliminated, reason, tie_break))
        continuing.remove(eliminated)


def _eliminate(continuing: list[str], history: list[dict[str, int]], titles: dict[str, str]) -> tuple[str, str, bool]:
    """The proposal to eliminate this round, why, and whether the tie-break decided it.

    Fewest ballots this round is eliminated. Among proposals tied for fewest: the one with fewer first
    preferences (round 1), then fewer ballots in round 2, and so on up to the previous round; if they
    are tied in every round, the one whose title comes last in alphabetical order (then by key).
    """
    current = history[-1]
    fewest = min(current[key] for key in continuing)
    tied = [key for key in continuing if current[key] == fewest]
    if len(tied) == 1:
        return tied[0], f"{titles[tied[0]]} has the fewest ballots ({fewest}) and is eliminated.", False
    names = _and([titles[key] for key in sorted(tied, key=lambda key: (titles[key], key))])
    tie = f"{names} tie with {_count(fewest, 'ballot')} each"
    for number, counts in enumerate(history[:-1], start=1):
        low = min(counts[key] for key in tied)
        tied = [key for key in tied if counts[key] == low]
        if len(tied) == 1:
            stage = "first preferences" if number == 1 else f"ballots in round {number}"
            return tied[0], f"{tie}; {titles[tied[0]]} had the fewest {stage} and is eliminated.", True
    last = max(tied, key=lambda key: (titles[key], key))
    earlier = " and in every earlier round" if len(history) > 1 else ""
    return last, f"{tie}{earlier}; {titles[last]} comes last in alphabetical order and is eliminated.", True


# Balance ----------------------------------------------------------------------------------------


def support_balance(vote: Vote, ballots: Sequence[Ballot]) -> tuple[ProposalBalance, ...]:
    """Per proposal, how much of its support came from each constituency of the panel."""
    constituency_of = {m.key: m.constituency for m in vote.members}
    constituencies = sorted(set(constituency_of.values()))
    support: dict[str, Counter[str]] = {p.key: Counter() for p in vote.proposals}
    for ballot in ballots:
        supported = set(ballot.choices) if vote.method == APPROVAL else set(ballot.choices[:1])
        for key in supported:
            support[key][constituency_of[ballot.member]] += 1
    noun = "approval" if vote.method == APPROVAL else "first preference"
    balance = []
    for proposal in vote.proposals:
        counts = support[proposal.key]
        total = sum(counts.values())
        groups = tuple(GroupSupport(c, counts[c], counts[c] / total if total else 0.0) for c in constituencies)
        # On a panel of one constituency, every result rests on it: saying so tells the reader nothing.
        leaning = (g.constituency for g in groups if g.share > ONE_GROUP_SHARE and len(groups) > 1)
        rests_on = next(leaning, None)
        if total == 0:
            summary = f"{proposal.title} has no {noun}s."
        elif rests_on:
            top = counts[rests_on]
            summary = (f"Of {_count(total, noun)} for {proposal.title}, {top} ({round(100 * top / total)}%) "
                       f"came from {rests_on}.")
        else:
            givers = sum(1 for g in groups if g.count)
            summary = (f"The {_count(total, noun)} for {proposal.title} came from {_count(givers, 'constituency')}; "
                       "none gave more than half.")
        balance.append(ProposalBalance(proposal.key, total, groups, rests_on, summary))
    return tuple(balance)


def _turnout(vote: Vote, ballots: Sequence[Ballot]) -> tuple[Turnout, ...]:
    voters = {b.member for b in ballots}
    eligible = Counter(m.constituency for m in vote.members)
    voted = Counter(m.constituency for m in vote.members if m.key in voters)
    return tuple(Turnout(c, eligible[c], voted[c]) for c in sorted(eligible))


# Words ------------------------------------------------------------------------------------------


def _approval_summary(result: ApprovalResult, titles: dict[str, str]) -> list[str]:
    if not result.leaders:
        return ["No proposal received an approval."]
    top = result.tallies[0].approvals
    if len(result.leaders) > 1:
        names = _and([titles[key] for key in result.leaders])
        return [f"{names} tie for first place with {_count(top, 'approval')} each; the panel must break the tie."]
    return [f"{titles[result.leaders[0]]} has the most approvals ({top})."]


def _ranked_summary(result: RankedResult, titles: dict[str, str]) -> list[str]:
    if not result.ranking:
        return ["No ballot ranks any proposal, so there is no winner."]
    first = result.runoffs[0]
    rounds = len(first.rounds)
    lines = [f"{titles[result.ranking[0]]} wins after {_count(rounds, 'round')} of instant runoff."]
    if first.tie_break_used:
        lines.append("A tie for fewest ballots was decided by the tie-break rule; the rounds below show how.")
    if len(result.ranking) > 1:
        places = "; ".join(f"{place}. {titles[key]}" for place, key in enumerate(result.ranking, start=1))
        lines.append(f"Full ranking by repeated runoff: {places}.")
    return lines


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _count(number: int, noun: str) -> str:
    if number == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {plural}"
