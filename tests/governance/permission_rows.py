"""Permission rows for the standing panel's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads the panel, its votes with each member's ballot, its decisions and
the research agenda; its lead and the network admin add members and proposals, set up votes, record
ballots, close votes and record decisions. The rows use the demo's open vote: recording its
decision is refused (it is still open) once the user is allowed to try, which the answers show.
"""

from django.contrib.auth import get_user_model

from improvenet.demo.governance import OPEN_VOTE_TITLE
from improvenet.governance.models import PanelMember, Proposal, Vote
from improvenet.network.models import Cluster, Person
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

# Allowed to try, then sent back to the vote page: an open vote has no decision yet.
DECISION_OF_OPEN_VOTE_PAGE = (302, 302, 403, 403, 403, 404, 302)
DECISION_OF_OPEN_VOTE_API = (401, 422, 403, 403, 403, 404, 422)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    vote = Vote.objects.get(cluster=riverside, title=OPEN_VOTE_TITLE)
    voted = vote.ballots.values_list("member_id", flat=True)
    waiting = PanelMember.objects.filter(PanelMember.serving(vote.held_on), cluster=riverside).exclude(pk__in=voted)
    first_member = PanelMember.objects.filter(cluster=riverside).order_by("pk").first()
    carol = Person.objects.get(cluster=riverside, user=get_user_model().objects.get(username="carol"))
    return {
        "panel_vote": vote.pk, "panel_waiting_member": waiting.order_by("pk").first().pk,
        "panel_member": first_member.pk, "panel_member_person": first_member.person_id,
        "panel_proposal": vote.proposals.order_by("pk").first().pk,
        "panel_other_proposal": Proposal.objects.filter(cluster=riverside).exclude(votes=vote).earliest("pk").pk,
        "panel_newcomer": carol.pk,
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/panel"
    api = "/api/clusters/riverside/panel"
    vote, member, proposal = ids["panel_vote"], ids["panel_member"], ids["panel_proposal"]
    waiting, newcomer = ids["panel_waiting_member"], ids["panel_newcomer"]
    member_form = {"person": newcomer, "constituency": "researchers", "term_starts_on": "2026-01-05",
                   "term_ends_on": "2028-12-31"}
    proposal_form = {"kind": "question", "title": "Do mentors keep new teachers?", "proposed_by": newcomer,
                     "proposed_on": "2026-11-02"}
    vote_form = {"title": "Next question", "method": "ranked_choice", "held_on": "2026-11-12",
                 "proposals": [proposal, ids["panel_other_proposal"]], "quorum_percent": 50, "quorum_min_count": 0}
    decision_form = {"decided_on": "2026-10-15", "result": "Kept it.", "rationale": "Most approved."}
    return {
        # Pages
        "panel page": Action("GET", f"{c}/", RIVERSIDE_READ),
        "new panel member form": Action("GET", f"{c}/members/new/", RIVERSIDE_CHANGE_FORM),
        "add panel member": Action("POST", f"{c}/members/new/", RIVERSIDE_CHANGE_POST, member_form),
        "edit panel member form": Action("GET", f"{c}/members/{member}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit panel member": Action("POST", f"{c}/members/{member}/edit/", RIVERSIDE_CHANGE_POST,
                                    {"person": ids["panel_member_person"], "constituency": "union",
                                     "term_starts_on": "2023-08-21", "term_ends_on": "2024-06-30"}),
        "new panel proposal form": Action("GET", f"{c}/proposals/new/", RIVERSIDE_CHANGE_FORM),
        "add panel proposal": Action("POST", f"{c}/proposals/new/", RIVERSIDE_CHANGE_POST, proposal_form),
        "edit panel proposal form": Action("GET", f"{c}/proposals/{proposal}/edit/", RIVERSIDE_CHANGE_FORM),
        "new panel vote form": Action("GET", f"{c}/votes/new/", RIVERSIDE_CHANGE_FORM),
        "set up panel vote": Action("POST", f"{c}/votes/new/", RIVERSIDE_CHANGE_POST, vote_form),
        "panel vote page": Action("GET", f"{c}/votes/{vote}/", RIVERSIDE_READ),
        "record panel ballot": Action("POST", f"{c}/votes/{vote}/ballots/", RIVERSIDE_CHANGE_POST,
                                      {"member": waiting, "approve": [proposal]}),
        "close panel vote": Action("POST", f"{c}/votes/{vote}/close/", RIVERSIDE_CHANGE_POST),
        "panel decision form": Action("GET", f"{c}/votes/{vote}/decision/", DECISION_OF_OPEN_VOTE_PAGE),
        "record panel decision": Action("POST", f"{c}/votes/{vote}/decision/", DECISION_OF_OPEN_VOTE_PAGE,
                                        decision_form),
        "research agenda page": Action("GET", "/clusters/riverside/research-agenda/", RIVERSIDE_READ),
        # API
        "api list panel members": Action("GET", f"{api}/members", API_READ),
        "api add panel member": Action("POST", f"{api}/members", API_CREATE,
                                       {"person_id": newcomer, "constituency": "researchers",
                                        "term_starts_on": "2026-01-05", "term_ends_on": "2028-12-31"}),
        "api list panel proposals": Action("GET", f"{api}/proposals", API_READ),
        "api add panel proposal": Action("POST", f"{api}/proposals", API_CREATE,
                                         {"kind": "question", "title": "Do mentors keep new teachers?",
                                          "proposed_by_id": newcomer, "proposed_on": "2026-11-02"}),
        "api list panel votes": Action("GET", f"{api}/votes", API_READ),
        "api set up panel vote": Action("POST", f"{api}/votes", API_CREATE,
                                        {"title": "Next question", "method": "approval", "held_on": "2026-11-12",
                                         "proposal_ids": vote_form["proposals"]}),
        "api read panel vote": Action("GET", f"{api}/votes/{vote}", API_READ),
        "api record panel ballot": Action("POST", f"{api}/votes/{vote}/ballots", API_CREATE,
                                          {"member_id": waiting, "proposal_ids": [proposal]}),
        "api close panel vote": Action("POST", f"{api}/votes/{vote}/close", API_CHANGE),
        "api record panel decision": Action("POST", f"{api}/votes/{vote}/decision", DECISION_OF_OPEN_VOTE_API,
                                            decision_form),
        "api list panel decisions": Action("GET", f"{api}/decisions", API_READ),
        "api research agenda": Action("GET", "/api/clusters/riverside/research-agenda", API_READ),
        "api research agenda history": Action("GET", "/api/clusters/riverside/research-agenda/history", API_READ),
    }
