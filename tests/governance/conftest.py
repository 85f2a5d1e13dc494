"""A small panel in the shared world's cluster alpha: six members of four constituencies, one past
member, three proposals and an open approval vote on them held on March 3, 2025."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.design.models import DesignChallenge
from improvenet.governance.models import PanelMember, Proposal, Vote
from improvenet.network.models import Person

D = datetime.date
VOTE_DAY = D(2025, 3, 3)


def person(cluster, given: str, family: str) -> Person:
    return Person.objects.create(cluster=cluster, given_name=given, family_name=family)


@pytest.fixture
def panel(world):
    alpha = world.alpha
    with scopes_disabled():
        seats = [("Ana", "Ruiz", "researchers"), ("Ben", "Cole", "researchers"), ("Cy", "Dunn", "district_leaders"),
                 ("Di", "Eng", "families"), ("Ed", "Fox", "families"), ("Flo", "Gray", "students")]
        members = [PanelMember.objects.create(cluster=alpha, person=person(alpha, given, family), constituency=c,
                                              term_starts_on=D(2024, 9, 1), term_ends_on=D(2030, 8, 31))
                   for given, family, c in seats]
        past = PanelMember.objects.create(cluster=alpha, person=person(alpha, "Gus", "Hale"), constituency="union",
                                          term_starts_on=D(2023, 9, 1), term_ends_on=D(2024, 8, 31))
        challenge = DesignChallenge.objects.create(cluster=alpha, title="Ninth grade", problem_of_practice="Too few "
                                                   "ninth graders stay on track.")
        proposals = [Proposal.objects.create(cluster=alpha, kind="problem", title=title, proposed_by=members[0].person,
                                             proposed_on=D(2025, 2, 1)) for title in ("Absence", "Algebra", "Goals")]
        proposals[0].design_challenges.add(challenge)
        vote = Vote.objects.create(cluster=alpha, title="Spring priorities", method="approval", held_on=VOTE_DAY)
        vote.proposals.set(proposals)
    return SimpleNamespace(world=world, alpha=alpha, members=members, past=past, proposals=proposals, vote=vote,
                           challenge=challenge)


@pytest.fixture
def alpha_scope(panel):
    with scope(cluster=panel.alpha):
        yield panel
