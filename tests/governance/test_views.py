"""The panel's pages: the lead records ballots, closes the vote and records the decision; readers read."""

from django_scopes import scope

from improvenet.governance.models import AgendaChange, Ballot, Decision


def _url(panel, tail=""):
    return f"/clusters/alpha/panel/votes/{panel.vote.pk}/{tail}"


def test_the_lead_records_ballots_closes_and_decides_and_the_agenda_shows_it(client, panel):
    client.force_login(panel.world.users.lead)
    absence, algebra, goals = panel.proposals
    for member in panel.members[:4]:
        answer = client.post(_url(panel, "ballots/"), {"member": member.pk, "approve": [absence.pk]})
        assert answer.status_code == 302
    page = client.get(_url(panel)).content.decode()
    assert "4 of 6 members voted; quorum is 3." in page
    assert "Ballots (4 of 6 eligible members)" in page
    assert client.post(_url(panel, "close/")).status_code == 302
    page = client.get(_url(panel)).content.decode()
    assert "Quorum is met." in page and "Chosen by the count: Absence" in page
    assert "Turnout by constituency" in page
    form = client.get(_url(panel, "decision/"))
    assert form.status_code == 200 and "The count chose “Absence”" in form.content.decode()
    answer = client.post(_url(panel, "decision/"), {
        "decided_on": "2025-03-03", "result": "The panel chose Absence.", "rationale": "Broad support.",
        "agenda_action": "added", "agenda_title": "Absence in ninth grade", "agenda_challenges": [panel.challenge.pk],
        "agenda_studies": "Attendance study | https://example.org/study | Fall 2025\nFamily interviews"})
    assert answer.status_code == 302 and answer["Location"] == "/clusters/alpha/research-agenda/"
    agenda = client.get("/clusters/alpha/research-agenda/?on=2025-03-03").content.decode()
    assert "1. Absence in ninth grade" in agenda and "The panel chose Absence." in agenda
    assert '<a href="https://example.org/study">Attendance study</a>: Fall 2025' in agenda
    assert "Family interviews" in agenda and "Ninth grade" in agenda
    before = client.get("/clusters/alpha/research-agenda/?on=2025-03-02").content.decode()
    assert "The agenda had no priority on this day." in before
    with scope(cluster=panel.alpha):
        change = AgendaChange.objects.get()
        assert change.studies[1] == {"title": "Family interviews", "url": "", "notes": ""}


def test_a_ranked_ballot_with_two_proposals_at_one_rank_is_refused(client, panel):
    client.force_login(panel.world.users.lead)
    with scope(cluster=panel.alpha):
        panel.vote.method = "ranked_choice"
        panel.vote.save()
    absence, algebra, goals = panel.proposals
    answer = client.post(_url(panel, "ballots/"), {"member": panel.members[0].pk, f"rank_{absence.pk}": "1",
                                                   f"rank_{algebra.pk}": "1"})
    assert answer.status_code == 422
    assert "Absence and Algebra are both ranked 1; give each proposal its own rank." in answer.content.decode()
    with scope(cluster=panel.alpha):
        assert not Ballot.objects.exists()
    answer = client.post(_url(panel, "ballots/"), {"member": panel.members[0].pk, f"rank_{goals.pk}": "1",
                                                   f"rank_{absence.pk}": "2"})
    assert answer.status_code == 302
    assert "1. Goals; 2. Absence" in client.get(_url(panel)).content.decode()


def test_no_decision_without_quorum(client, panel):
    client.force_login(panel.world.users.lead)
    client.post(_url(panel, "ballots/"), {"member": panel.members[0].pk, "approve": [panel.proposals[0].pk]})
    client.post(_url(panel, "close/"))
    answer = client.get(_url(panel, "decision/"), follow=True)
    assert "did not reach quorum, so it has no decision" in answer.content.decode()
    answer = client.post(_url(panel, "decision/"), {"decided_on": "2025-03-03", "result": "x", "rationale": "y"})
    assert answer.status_code == 302
    with scope(cluster=panel.alpha):
        assert not Decision.objects.exists()


def test_readers_see_ballots_but_cannot_record_them(client, panel):
    with scope(cluster=panel.alpha):
        panel.vote.record_ballot(panel.members[0], [panel.proposals[1]], None)
    client.force_login(panel.world.users.viewer)
    page = client.get(_url(panel)).content.decode()
    assert "Ana Ruiz" in page and "Algebra" in page and "Record a ballot" not in page
    answer = client.post(_url(panel, "ballots/"), {"member": panel.members[1].pk, "approve": []})
    assert answer.status_code == 403
    panel_page = client.get("/clusters/alpha/panel/").content.decode()
    assert "Current members (6)" in panel_page and "Past members (1)" in panel_page
    assert "Union</th><td colspan=\"2\">No current member" in panel_page


def test_another_clusters_lead_gets_404(client, panel):
    client.force_login(panel.world.users.outsider)
    assert client.get(_url(panel)).status_code == 404
    assert client.get("/clusters/alpha/research-agenda/").status_code == 404


def test_a_member_term_that_overlaps_is_refused_on_the_form(client, panel):
    client.force_login(panel.world.users.lead)
    answer = client.post("/clusters/alpha/panel/members/new/", {
        "person": panel.members[0].person_id, "constituency": "community", "term_starts_on": "2025-01-01",
        "term_ends_on": "2027-01-01"})
    assert answer.status_code == 422
    assert "Ana Ruiz is already on the panel" in answer.content.decode()


def test_a_bad_agenda_date_is_explained(client, panel):
    client.force_login(panel.world.users.viewer)
    answer = client.get("/clusters/alpha/research-agenda/?on=soon")
    assert answer.status_code == 400 and "“soon” is not a date" in answer.content.decode()


def test_ids_no_row_can_have_are_form_errors_not_a_server_error(client, panel):
    client.force_login(panel.world.users.lead)
    huge = str(2**70)
    answer = client.post("/clusters/alpha/panel/votes/new/", {
        "title": "T", "method": "approval", "held_on": "2025-05-01", "proposals": [huge], "quorum_percent": 50,
        "quorum_min_count": 0})
    assert answer.status_code == 422 and "is not a valid value" in answer.content.decode()
    answer = client.post("/clusters/alpha/panel/proposals/new/", {
        "kind": "problem", "title": "T", "proposed_by": panel.members[0].person_id, "proposed_on": "2025-01-01",
        "design_challenges": [huge]})
    assert answer.status_code == 422


def test_other_clusters_records_posted_in_forms_are_refused_and_nothing_is_saved(client, panel):
    from django_scopes import scopes_disabled

    from improvenet.governance.models import PanelMember, Proposal, Vote
    from tests.governance.conftest import D, person

    beta = panel.world.beta
    with scopes_disabled():
        stranger = person(beta, "Zed", "Beta")
        their_member = PanelMember.objects.create(cluster=beta, person=stranger, constituency="families",
                                                  term_starts_on=D(2024, 1, 1), term_ends_on=D(2030, 1, 1))
        their_proposal = Proposal.objects.create(cluster=beta, kind="problem", title="Theirs", proposed_by=stranger,
                                                 proposed_on=D(2025, 1, 1))
    client.force_login(panel.world.users.lead)
    assert client.post(_url(panel, "ballots/"), {"member": their_member.pk, "approve": []}).status_code == 422
    assert client.post(_url(panel, "ballots/"), {"member": panel.members[0].pk,
                                                 "approve": [their_proposal.pk]}).status_code == 422
    assert client.post("/clusters/alpha/panel/votes/new/", {
        "title": "T", "method": "approval", "held_on": "2025-05-01", "proposals": [their_proposal.pk],
        "quorum_percent": 50, "quorum_min_count": 0}).status_code == 422
    assert client.post("/clusters/alpha/panel/members/new/", {
        "person": stranger.pk, "constituency": "families", "term_starts_on": "2025-01-01",
        "term_ends_on": "2026-01-01"}).status_code == 422
    with scopes_disabled():
        assert not Ballot.objects.exists() and Vote.objects.count() == 1
        assert PanelMember.objects.filter(cluster=panel.alpha, person=stranger).count() == 0
