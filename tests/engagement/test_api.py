"""The engagement API: events with tagged input, objections, and decisions with their candidates."""

from django_scopes import scopes_disabled

from improvenet.engagement.models import CommunityInput, EngagementEvent

BASE = "/clusters/alpha/engagement"


def test_events_list_with_filters_and_are_created_and_changed_by_the_lead(api_as, heard):
    reader = api_as(heard.world.users.viewer)
    assert reader.get(f"{BASE}/events").json()["count"] == 3
    assert [e["title"] for e in reader.get(f"{BASE}/events", tag="teacher workload").json()["items"]] == [
        "Listening at Alpha Middle", "Family meeting at Alpha High"]
    assert reader.get(f"{BASE}/events", district_wide=True).json()["items"][0]["school_id"] is None
    assert reader.get(f"{BASE}/events", school_id=heard.world.high.pk, kind="forum").json()["count"] == 0
    lead = api_as(heard.world.users.lead)
    created = lead.post(f"{BASE}/events", {"held_on": "2024-04-01", "kind": "board_session", "title": "Board",
                                           "attendance": 12, "school_id": heard.world.high.pk})
    assert created.status_code == 201, created.content
    changed = lead.patch(f"{BASE}/events/{created.json()['id']}", {"attendance": 14, "school_id": None})
    assert changed.json()["attendance"] == 14 and changed.json()["school_id"] is None
    bad = lead.post(f"{BASE}/events", {"held_on": "2024-04-01", "kind": "party", "title": "X", "attendance": -1})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"attendance"}
    bad = lead.post(f"{BASE}/events", {"held_on": "2024-04-01", "kind": "party", "title": "X", "attendance": 1,
                                       "school_id": heard.world.beta_school.pk})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"school_id"}
    bad = lead.post(f"{BASE}/events", {"held_on": "2024-04-01", "kind": "party", "title": "X", "attendance": 1})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"kind"}
    with scopes_disabled():
        assert EngagementEvent.objects.filter(cluster=heard.world.alpha).count() == 4


def test_input_is_tagged_with_reused_tags(api_as, heard):
    lead = api_as(heard.world.users.lead)
    created = lead.post(f"{BASE}/inputs", {"event_id": heard.forum.pk, "stance": "concern", "summary": "Buses.",
                                           "tags": ["Transportation", "ADVISORY"]})
    assert created.status_code == 201, created.content
    assert sorted(created.json()["tags"]) == ["Transportation", "advisory"]
    assert "Transportation" in lead.get(f"{BASE}/tags").json()
    listed = lead.get(f"{BASE}/inputs", tag="transportation").json()
    assert [i["summary"] for i in listed["items"]] == ["Buses."]
    changed = lead.patch(f"{BASE}/inputs/{created.json()['id']}", {"tags": []})
    assert changed.json()["tags"] == []
    other = lead.post(f"{BASE}/inputs", {"event_id": heard.beta_event.pk, "stance": "support", "summary": "X"})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "event_id"
    with scopes_disabled():
        assert not CommunityInput.objects.filter(summary="X").exists()


def test_objections_need_a_response_once_answered(api_as, heard):
    lead = api_as(heard.world.users.lead)
    body = {"school_id": heard.world.high.pk, "raised_on": "2024-03-02", "raised_by": "Student council",
            "objection": "Surveys.", "status": "upheld"}
    refused = lead.post(f"{BASE}/objections", body)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"response", "responded_on"}
    created = lead.post(f"{BASE}/objections", {**body, "status": "open"})
    assert created.status_code == 201
    answered = lead.patch(f"{BASE}/objections/{created.json()['id']}",
                          {"status": "addressed", "response": "Fewer surveys.", "responded_on": "2024-04-01"})
    assert answered.status_code == 200 and answered.json()["status"] == "addressed"
    assert lead.get(f"{BASE}/objections", status="open").json()["count"] == 0


def test_a_decision_shows_community_input_per_candidate_and_becomes_final_only_when_complete(api_as, heard):
    lead = api_as(heard.world.users.lead)
    url = f"{BASE}/decisions/{heard.decision.pk}"
    decision = lead.get(url).json()
    middle = next(c for c in decision["candidates"] if c["school"] == "Alpha Middle")
    assert middle["community_input"] == {
        "events": 1, "attendance": 15, "concerns": 1, "support": 0,
        "by_tag": [{"tag": "teacher workload", "concerns": 1, "support": 0}],
        "objection_ids": [heard.objection.pk], "open_objections": 0}
    final = {"status": "final", "decided_on": "2024-05-21", "decided_by": "Cabinet", "reasons": "Support."}
    refused = lead.patch(url, final)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "status", "message": (
        "Record an outcome and a reason for every candidate before the decision is final; "
        "missing for Alpha High, Alpha Middle.")}]
    twice = lead.post(f"{url}/candidates", {"school_id": heard.world.high.pk})
    assert twice.status_code == 409 and "already a candidate" in twice.json()["detail"]
    lead.patch(f"{BASE}/candidates/{heard.high.pk}", {"outcome": "selected", "reason": "Support."})
    withdrawn = lead.patch(f"{BASE}/candidates/{heard.middle.pk}",
                           {"outcome": "withdrawn", "reason": "Objection upheld.", "objection_id": heard.objection.pk})
    assert withdrawn.json()["objection_id"] == heard.objection.pk
    done = lead.patch(url, final)
    assert done.status_code == 200 and done.json()["status"] == "final"
    assert [c["outcome"] for c in lead.get(f"{url}/candidates").json()] == ["selected", "withdrawn"]
    draft = lead.post(f"{BASE}/decisions", {"title": "Second round"}).json()
    # Drafts come first on every database, then the latest decision.
    assert [d["id"] for d in lead.get(f"{BASE}/decisions").json()["items"]] == [draft["id"], heard.decision.pk]


def test_readers_read_but_do_not_change_and_other_clusters_see_nothing(api_as, heard):
    member = api_as(heard.world.users.member)
    assert member.get(f"{BASE}/candidates/{heard.high.pk}").status_code == 200
    assert member.patch(f"{BASE}/candidates/{heard.high.pk}", {"reason": "X"}).status_code == 403
    assert member.post(f"{BASE}/decisions", {"title": "X"}).status_code == 403
    outsider = api_as(heard.world.users.outsider)
    assert outsider.get(f"{BASE}/events").status_code == 404
    assert outsider.get(f"/clusters/beta/engagement/events/{heard.family.pk}").status_code == 404


def test_a_school_id_beyond_the_database_range_is_refused_naming_the_field(api_as, heard):
    # Schemathesis found this one: the id reached the database, which cannot hold it (HTTP 500).
    body = {"school_id": -(2**110), "raised_on": "2024-03-02", "raised_by": "Council", "objection": "X"}
    answer = api_as(heard.world.users.lead).post(f"{BASE}/objections", body)
    assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == ["school_id"]
