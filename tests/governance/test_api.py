"""The panel's API: the same rules as the pages, with 422 naming fields and 409 for a second ballot."""

def _vote(panel):
    return f"/clusters/alpha/panel/votes/{panel.vote.pk}"


def test_the_lead_runs_a_vote_to_a_decision_and_the_agenda_through_the_api(api_as, panel):
    lead = api_as(panel.world.users.lead)
    absence, algebra, goals = panel.proposals
    for member in panel.members[:4]:
        answer = lead.post(f"{_vote(panel)}/ballots", {"member_id": member.pk, "proposal_ids": [goals.pk]})
        assert answer.status_code == 201, answer.content
    again = lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.members[0].pk, "proposal_ids": []})
    assert again.status_code == 409
    closed = lead.post(f"{_vote(panel)}/close").json()
    assert closed["quorum_met"] is True and closed["winner_id"] == goals.pk
    assert closed["result"]["quorum"]["voted"] == 4
    assert {t["constituency"]: t["voted"] for t in closed["result"]["turnout"]}["Families"] == 1
    decision = lead.post(f"{_vote(panel)}/decision", {
        "decided_on": "2025-03-04", "result": "Goals.", "rationale": "All four approved it.",
        "agenda_changes": [{"action": "added", "title": "Student goals", "design_challenge_ids": [panel.challenge.pk],
                            "studies": [{"title": "Goal study", "url": "https://example.org/g", "notes": ""}]}]})
    assert decision.status_code == 201, decision.content
    agenda = lead.get("/clusters/alpha/research-agenda", on="2025-03-04").json()
    assert [(a["title"], a["design_challenge_ids"]) for a in agenda] == [("Student goals", [panel.challenge.pk])]
    assert lead.get("/clusters/alpha/research-agenda", on="2025-03-03").json() == []
    history = lead.get("/clusters/alpha/research-agenda/history").json()
    assert [h["action"] for h in history] == ["added"]


def test_readers_read_ballots_and_may_not_record(api_as, panel):
    lead, viewer = api_as(panel.world.users.lead), api_as(panel.world.users.viewer)
    lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.members[2].pk, "proposal_ids": [panel.proposals[0].pk]})
    read = viewer.get(_vote(panel)).json()
    assert read["ballots"] == [{"member_id": panel.members[2].pk, "member": "Cy Dunn",
                                "constituency": "district_leaders", "proposal_ids": [panel.proposals[0].pk]}]
    assert viewer.post(f"{_vote(panel)}/close").status_code == 403
    assert api_as(panel.world.users.outsider).get(_vote(panel)).status_code == 404


def test_bad_input_names_the_field(api_as, panel):
    lead = api_as(panel.world.users.lead)
    answer = lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.past.pk, "proposal_ids": []})
    assert answer.status_code == 422 and "member_id" in answer.content.decode()
    answer = lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.members[0].pk, "proposal_ids": [999999]})
    assert answer.status_code == 422 and "proposal_ids" in answer.content.decode()
    answer = lead.post(f"{_vote(panel)}/decision", {"decided_on": "2025-03-04", "result": "x", "rationale": "y"})
    assert answer.status_code == 422 and "Close the vote before recording its decision." in answer.content.decode()
    answer = lead.post("/clusters/alpha/panel/members", {
        "person_id": panel.members[0].person_id, "constituency": "community", "term_starts_on": "2025-01-01",
        "term_ends_on": "2024-01-01"})
    assert answer.status_code == 422 and "term_ends_on" in answer.content.decode()


def test_the_lead_sets_up_a_ranked_choice_vote(api_as, panel):
    lead = api_as(panel.world.users.lead)
    answer = lead.post("/clusters/alpha/panel/votes", {
        "title": "Questions", "method": "ranked_choice", "held_on": "2025-05-01",
        "proposal_ids": [p.pk for p in panel.proposals], "required_constituencies": ["students"]})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["is_open"] and body["required_constituencies"] == ["students"]
    assert "The panel has no member" not in " ".join(body["result"]["summary"])
    answer = lead.post("/clusters/alpha/panel/votes", {"title": "Bad", "method": "plurality", "held_on": "2025-05-01",
                                                       "proposal_ids": [panel.proposals[0].pk]})
    assert answer.status_code == 422 and "method" in answer.content.decode()


def test_ids_no_row_can_have_are_refused_as_input_not_a_server_error(api_as, panel):
    lead, huge = api_as(panel.world.users.lead), 2**70
    answer = lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.members[0].pk, "proposal_ids": [huge]})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "proposal_ids.0"
    answer = lead.post("/clusters/alpha/panel/votes", {"title": "T", "method": "approval", "held_on": "2025-05-01",
                                                       "proposal_ids": [huge]})
    assert answer.status_code == 422
    answer = lead.post("/clusters/alpha/panel/proposals", {
        "kind": "problem", "title": "T", "proposed_by_id": panel.members[0].person_id, "proposed_on": "2025-01-01",
        "design_challenge_ids": [huge]})
    assert answer.status_code == 422


def test_other_clusters_records_named_in_a_body_are_refused_and_nothing_is_written(api_as, panel):
    from django_scopes import scopes_disabled

    from improvenet.design.models import DesignChallenge
    from improvenet.governance.models import Ballot, Decision, PanelMember, Proposal
    from tests.governance.conftest import D, person

    beta, lead = panel.world.beta, api_as(panel.world.users.lead)
    with scopes_disabled():
        stranger = person(beta, "Zed", "Beta")
        their_member = PanelMember.objects.create(cluster=beta, person=stranger, constituency="families",
                                                  term_starts_on=D(2024, 1, 1), term_ends_on=D(2030, 1, 1))
        their_proposal = Proposal.objects.create(cluster=beta, kind="problem", title="Theirs", proposed_by=stranger,
                                                 proposed_on=D(2025, 1, 1))
        their_challenge = DesignChallenge.objects.create(cluster=beta, title="Theirs", problem_of_practice="x")
    refused = [
        lead.post(f"{_vote(panel)}/ballots", {"member_id": their_member.pk, "proposal_ids": []}),
        lead.post(f"{_vote(panel)}/ballots", {"member_id": panel.members[0].pk, "proposal_ids": [their_proposal.pk]}),
        lead.post("/clusters/alpha/panel/votes", {"title": "T", "method": "approval", "held_on": "2025-05-01",
                                                  "proposal_ids": [their_proposal.pk]}),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422]
    assert "in this cluster" in refused[0].json()["errors"][0]["message"]
    for member in panel.members[:4]:
        lead.post(f"{_vote(panel)}/ballots", {"member_id": member.pk, "proposal_ids": [panel.proposals[0].pk]})
    lead.post(f"{_vote(panel)}/close")
    decision = lead.post(f"{_vote(panel)}/decision", {
        "decided_on": "2025-03-04", "result": "Absence.", "rationale": "Broad support.", "agenda_changes": [
            {"action": "added", "title": "Absence"},
            {"action": "added", "title": "Theirs", "design_challenge_ids": [their_challenge.pk]}]})
    assert decision.status_code == 422
    assert decision.json()["errors"][0]["field"] == "agenda_changes[2].design_challenge_ids"
    with scopes_disabled():
        assert (Ballot.objects.filter(vote=panel.vote).count(), Decision.objects.count()) == (4, 0)
        assert not their_member.ballots.exists()


def test_a_viewer_is_refused_before_the_input_is_judged(api_as, panel):
    viewer = api_as(panel.world.users.viewer)
    answer = viewer.post("/clusters/alpha/panel/votes", {"title": "T", "method": "plurality", "held_on": "2025-05-01",
                                                         "proposal_ids": [panel.proposals[0].pk]})
    assert answer.status_code == 403


def test_a_nul_character_is_refused_as_input_not_a_database_error(api_as, panel):
    """PostgreSQL cannot store NUL: the API says so (422) instead of failing when it saves."""
    lead = api_as(panel.world.users.lead)
    answer = lead.post("/clusters/alpha/panel/proposals", {
        "kind": "problem", "title": "Absence\x00", "proposed_by_id": panel.members[0].person_id,
        "proposed_on": "2025-01-01"})
    assert answer.status_code == 422 and "NUL character" in answer.json()["errors"][0]["message"]
    for member in panel.members[:4]:
        lead.post(f"{_vote(panel)}/ballots", {"member_id": member.pk, "proposal_ids": [panel.proposals[0].pk]})
    lead.post(f"{_vote(panel)}/close")
    answer = lead.post(f"{_vote(panel)}/decision", {
        "decided_on": "2025-03-04", "result": "Absence.", "rationale": "Broad support.",
        "agenda_changes": [{"action": "added", "title": "Absence", "studies": [{"title": "Study\x00"}]}]})
    assert answer.status_code == 422 and "NUL character" in answer.content.decode()
