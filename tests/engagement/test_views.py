"""The engagement pages: lists with filters, the per-school page, the decision with community input,
and forms whose mistakes are clear messages with nothing saved."""

from django_scopes import scopes_disabled

from improvenet.engagement.models import Candidate, CommunityInput, Objection, SelectionDecision, Tag

C = "/clusters/alpha/engagement"


def test_the_events_list_filters_by_school_kind_and_tag(client, heard):
    client.force_login(heard.world.users.viewer)
    page = client.get(f"{C}/").content.decode()
    assert "3 engagement events, 175 attendees in all" in page
    assert "Beta forum" not in page and "Record an engagement event" not in page
    by_tag = client.get(f"{C}/", {"tag": "teacher workload"}).content.decode()
    assert "2 engagement events matching the filters" in by_tag and "Forum</a>" not in by_tag
    by_school = client.get(f"{C}/", {"school": heard.world.high.pk, "kind": "family_meeting"}).content.decode()
    assert "1 engagement event matching" in by_school and "Family meeting at Alpha High" in by_school
    district = client.get(f"{C}/", {"school": "district"}).content.decode()
    assert "1 engagement event matching" in district and "Forum</a>" in district
    # A choice that does not exist (another cluster's school) is ignored, never an error.
    assert client.get(f"{C}/", {"school": heard.world.beta_school.pk, "kind": "party"}).status_code == 200


def test_the_school_page_shows_events_input_by_tag_and_objections(client, heard):
    client.force_login(heard.world.users.member)
    page = client.get(f"{C}/schools/{heard.world.middle.pk}/").content.decode()
    assert "1 event, 15 attendees in all" in page and "1 recorded, 0 open" in page
    assert "Meetings on top of teaching." in page and "Parent-teacher association" in page
    assert "teacher workload" in page and "Choosing the innovation schools" in page
    assert client.get(f"{C}/schools/{heard.world.beta_school.pk}/").status_code == 404


def test_the_lead_records_an_event_and_tagged_input(client, heard):
    client.force_login(heard.world.users.lead)
    bad = client.post(f"{C}/events/new/", {"held_on": "2024-04-01", "kind": "forum", "title": "Forum",
                                           "attendance": "-3", "school": heard.world.beta_school.pk})
    assert bad.status_code == 422
    assert "Attendance" in bad.content.decode() and "Select a valid choice" in bad.content.decode()
    made = client.post(f"{C}/events/new/", {"held_on": "2024-04-01", "kind": "board_session", "title": "Board",
                                            "attendance": "30", "school": ""})
    assert made.status_code == 302
    event_url = made.url
    added = client.post(f"{event_url}inputs/new/", {"stance": "concern", "summary": "Bus times.",
                                                    "tag_names": "Transportation, teacher  WORKLOAD,"})
    assert added.status_code == 302 and added.url == event_url
    with scopes_disabled():
        item = CommunityInput.objects.get(summary="Bus times.")
        assert sorted(t.name for t in item.tags.all()) == ["Transportation", "teacher workload"]
        assert Tag.objects.filter(cluster=heard.world.alpha).count() == 4
    page = client.get(event_url).content.decode()
    assert "District-wide" in page and "30 people" in page and "Transportation" in page
    edit = client.get(f"{C}/inputs/{item.pk}/edit/").content.decode()
    assert 'value="Transportation, teacher workload"' in edit


def test_a_decision_page_shows_each_candidates_community_input_and_what_is_missing(client, heard):
    client.force_login(heard.world.users.researcher)
    page = client.get(f"{C}/decisions/{heard.decision.pk}/").content.decode()
    assert "record an outcome and a reason for 2 candidates: Alpha High, Alpha Middle" in page
    assert "<td>40</td><td>2</td><td>1</td>" in page  # Alpha High: attendance, concerns, support
    assert "Concerns and support by tag in the Alpha Middle community" in page
    assert "Add a candidate school" not in page


def test_finalizing_a_decision_names_the_candidates_without_outcome(client, heard):
    client.force_login(heard.world.users.lead)
    url = f"{C}/decisions/{heard.decision.pk}/"
    form = {"title": "Choosing", "status": "final", "decided_on": "2024-05-21", "decided_by": "Cabinet",
            "reasons": "Support."}
    refused = client.post(f"{url}edit/", form)
    assert refused.status_code == 422
    assert "missing for Alpha High, Alpha Middle" in refused.content.decode()
    for candidate, outcome, objection in ((heard.high, "selected", ""), (heard.middle, "withdrawn",
                                                                          heard.objection.pk)):
        answer = client.post(f"{C}/candidates/{candidate.pk}/edit/", {
            "school": candidate.school_id, "outcome": outcome, "reason": "Community input.", "objection": objection})
        assert answer.status_code == 302 and answer.url == url
    assert client.post(f"{url}edit/", form).status_code == 302
    with scopes_disabled():
        assert SelectionDecision.objects.get(pk=heard.decision.pk).is_final
    page = client.get(url).content.decode()
    assert "cites the" in page and "upheld" in page


def test_a_school_twice_in_one_decision_is_a_form_error(client, heard):
    client.force_login(heard.world.users.lead)
    answer = client.post(f"{C}/decisions/{heard.decision.pk}/candidates/new/", {
        "school": heard.world.high.pk, "outcome": "", "reason": "", "objection": ""})
    assert answer.status_code == 422
    assert "Alpha High is already a candidate of this decision" in answer.content.decode()
    with scopes_disabled():
        assert Candidate.objects.filter(decision=heard.decision).count() == 2


def test_objections_list_filters_by_status_and_an_answer_needs_a_response(client, heard):
    client.force_login(heard.world.users.lead)
    assert "Not this year." in client.get(f"{C}/objections/", {"status": "upheld"}).content.decode()
    assert "Not this year." not in client.get(f"{C}/objections/", {"status": "open"}).content.decode()
    answer = client.post(f"{C}/objections/new/", {
        "school": heard.world.high.pk, "raised_on": "2024-03-02", "raised_by": "Student council",
        "objection": "Surveys.", "status": "addressed", "response": "", "responded_on": ""})
    assert answer.status_code == 422
    assert "An addressed objection needs the district&#x27;s response." in answer.content.decode()
    with scopes_disabled():
        assert not Objection.objects.filter(raised_by="Student council").exists()
    page = client.get(f"{C}/objections/{heard.objection.pk}/").content.decode()
    assert "Withdrawn." in page and "Parent-teacher association" in page


def test_readers_may_not_change_and_other_clusters_see_nothing(client, heard):
    client.force_login(heard.world.users.viewer)
    assert client.get(f"{C}/events/{heard.family.pk}/edit/").status_code == 403
    assert client.post(f"{C}/candidates/{heard.high.pk}/edit/", {}).status_code == 403
    client.force_login(heard.world.users.lead)
    assert client.get(f"/clusters/alpha/engagement/events/{heard.beta_event.pk}/").status_code == 404
    client.force_login(heard.world.users.outsider)
    assert client.get(f"{C}/").status_code == 404
