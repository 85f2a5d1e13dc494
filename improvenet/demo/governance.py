"""Demo standing panel of Riverside: members with terms, proposals, votes, decisions and the agenda.

The panel's members are the people on the demo network's standing panel team, with three-year
terms from the day it was convened; the graduated student left early and the union president
served an earlier term, so the panel has past members. The panel decided two votes (approval in
March 2025, ranked choice in October 2025, where the proposal with the most first preferences
loses the runoff), one vote in spring 2026 missed quorum, and one vote is still open (five of the
seven ballots that quorum needs are recorded) for the browser test. Ballots follow fixed patterns,
so the demo is the same for every seed.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model

from improvenet.demo.network import ALICE, RIVERSIDE
from improvenet.design.models import DesignChallenge
from improvenet.governance import voting
from improvenet.governance.models import Constituency, Decision, PanelMember, Proposal, Vote
from improvenet.network.models import Cluster, Membership, Team

D = datetime.date
TERM_YEARS = 3
OPEN_VOTE_TITLE = "Keep or retire the ninth-grade priority"
LABEL_TO_CONSTITUENCY = {label: value for value, label in Constituency.choices}

PROPOSALS = (
    ("problem", "Chronic absence in ninth grade", "One ninth grader in four misses a tenth of the school days.",
     D(2025, 1, 16)),
    ("problem", "Students rarely own their learning goals", "Few students set, track or revise goals of their own.",
     D(2025, 1, 16)),
    ("problem", "Course failure in algebra", "Algebra I failures keep students off track for graduation.",
     D(2025, 2, 6)),
    ("question", "Do student-led goal conferences raise course passing?", "", D(2025, 9, 4)),
    ("question", "Which advisory routines help students seek help?", "", D(2025, 9, 4)),
    ("question", "How do families hear about their child's progress?", "", D(2025, 9, 11)),
    ("question", "Does a ninth-grade attendance team reduce chronic absence?", "", D(2025, 9, 11)),
)


def _members(cluster: Cluster) -> list[PanelMember]:
    panel = Team.objects.get(cluster=cluster, kind=Team.Kind.STANDING_PANEL)
    members = []
    for membership in Membership.objects.filter(team=panel).select_related("person").order_by("started_on", "pk"):
        start = membership.started_on
        members.append(PanelMember(
            cluster=cluster, person=membership.person, constituency=LABEL_TO_CONSTITUENCY[membership.role],
            term_starts_on=start, term_ends_on=start.replace(year=start.year + TERM_YEARS) - datetime.timedelta(days=1),
            ended_on=membership.ended_on or membership.person.ended_on,
        ))
    union = next(m for m in members if m.constituency == Constituency.UNION)
    # The union president served the panel's pilot year too: a past term before the current one.
    earlier = PanelMember(cluster=cluster, person=union.person, constituency=Constituency.UNION,
                          term_starts_on=D(2023, 8, 21), term_ends_on=D(2024, 8, 19))
    PanelMember.objects.bulk_create([earlier, *members])
    return members


def _vote(cluster, lead, title, method, held_on, proposals, ballots, **options) -> Vote:
    """A vote with a ballot per (member, proposals) pair, closed on its day when `closed`."""
    closed = options.pop("closed", True)
    vote = Vote.objects.create(cluster=cluster, title=title, method=method, held_on=held_on, created_by=lead,
                               **options)
    vote.proposals.set(proposals)
    for member, choices in ballots:
        vote.record_ballot(member, choices, lead)
    if closed:
        vote.close(lead)
        vote.closed_at = datetime.datetime.combine(held_on, datetime.time(19), datetime.UTC)
        vote.save(update_fields=["closed_at"])
    return vote


def create_governance_demo(seed: int, report: Callable[[str], None]) -> None:
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    lead = get_user_model().objects.filter(username=ALICE).first()
    members = _members(cluster)
    report(f"Seating {cluster.name}'s standing panel: {len(members)} members, terms of {TERM_YEARS} years")
    challenge = DesignChallenge.objects.filter(cluster=cluster).order_by("title").first()
    proposers = [m.person for m in members]
    proposals = []
    for number, (kind, title, description, proposed_on) in enumerate(PROPOSALS):
        proposal = Proposal.objects.create(cluster=cluster, kind=kind, title=title, description=description,
                                           proposed_by=proposers[(3 * number) % len(proposers)],
                                           proposed_on=proposed_on, recorded_by=lead)
        if challenge and number in (1, 3, 4):
            proposal.design_challenges.add(challenge)
        proposals.append(proposal)
    absence, ownership, algebra, conferences, advisory, families, attendance = proposals

    spring = [m for m in members if m.serves_on(D(2025, 3, 13))]
    approvals = [
        (m, [ownership] + ([absence] if i % 2 == 0 else []) + ([algebra] if i % 4 == 1 else []))
        for i, m in enumerate(spring[:11])
    ]
    first = _vote(cluster, lead, "High-leverage problem for 2025–26", voting.APPROVAL, D(2025, 3, 13),
                  [absence, ownership, algebra], approvals, required_constituencies=["families", "students"])
    decision = _decide(
        first, D(2025, 3, 13), "The panel chose students' ownership of their learning goals as the cluster's "
        "high-leverage problem.", "It had the widest support, from every constituency, and the design team's "
        "fishbone already points to goal-setting routines.")
    ownership_priority = decision.change_agenda(
        "added", title=ownership.title, description=ownership.description,
        design_challenges=[challenge] if challenge else [],
        studies=[{"title": "Student goal-setting survey, fall 2025", "url": "",
                  "notes": "The data team surveys ninth and tenth graders each fall."}])
    decision.change_agenda("added", title=absence.title, description=absence.description,
                           studies=[{"title": "Attendance patterns in ninth grade", "url": "",
                                     "notes": "From the longitudinal store."}])

    autumn = [m for m in members if m.serves_on(D(2025, 10, 9))]
    # First preferences: conferences 4, advisory 3, families 2, attendance 1. The families and
    # attendance ballots rank advisory next, so advisory overtakes conferences in round 3.
    patterns = [[conferences, advisory]] * 4 + [[advisory, conferences]] * 3 + [[families, advisory]] * 2 + \
               [[attendance, advisory, families]]
    ranked = _vote(cluster, lead, "Research question for the 2025–26 studies", voting.RANKED_CHOICE,
                   D(2025, 10, 9), [conferences, advisory, families, attendance],
                   list(zip(autumn, patterns, strict=False)), full_ranking=True)
    second = _decide(ranked, D(2025, 10, 9), "The panel chose to study which advisory routines help students "
                     "seek help.", "The runoff favored it once the smaller proposals were eliminated; it builds "
                     "on the help-seeking routine the schools already test.")
    second.change_agenda("added", title=advisory.title, design_challenges=[challenge] if challenge else [],
                         studies=[{"title": "Advisory routines study", "url": "https://example.org/riverside/advisory",
                                   "notes": "Riverside State University and the district's research office."}])
    second.change_agenda("changed", ownership_priority.priority, title=ownership.title,
                         description="Now studied through advisory, where students set and revise their goals.",
                         design_challenges=[challenge] if challenge else [],
                         studies=[*ownership_priority.studies,
                                  {"title": "Goal conferences pilot", "url": "", "notes": "Two schools, spring 2026."}])

    spring_2026 = [m for m in members if m.serves_on(D(2026, 4, 16))]
    _vote(cluster, lead, "Add algebra course failure to the agenda", voting.APPROVAL, D(2026, 4, 16), [algebra],
          [(m, [algebra]) for m in spring_2026[:3]])

    autumn_2026 = [m for m in members if m.serves_on(D(2026, 10, 15))]
    _vote(cluster, lead, OPEN_VOTE_TITLE, voting.APPROVAL, D(2026, 10, 15), [absence, attendance],
          [(m, [attendance] if i % 2 else [absence, attendance]) for i, m in enumerate(autumn_2026[:5])],
          closed=False)
    report("Recording the panel's proposals, four votes (one still open), two decisions and the research agenda")


def _decide(vote: Vote, on: datetime.date, result: str, rationale: str):
    decision = Decision(cluster=vote.cluster, vote=vote, decided_on=on, result=result, rationale=rationale,
                        recorded_by=vote.closed_by)
    decision.full_clean()
    decision.save()
    return decision
