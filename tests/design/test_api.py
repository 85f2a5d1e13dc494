"""The design API: same rules and errors as the pages (422, 409, 404, 403)."""

from django_scopes import scope

from improvenet.design.models import Adaptation, ChangeIdea, DesignChallenge


def test_challenge_with_fishbone_round_trips(design, api_as):
    api = api_as(design.users.researcher)  # on the district design team
    body = {"title": "Belonging", "problem_of_practice": "Students feel alone",
            "fishbone": [{"category": "Students", "cause": "No friends in class"}]}
    created = api.post("/clusters/alpha/design-challenges", body)
    assert created.status_code == 201, created.json()
    assert created.json()["fishbone"] == body["fishbone"]
    challenge_id = created.json()["id"]
    changed = api.patch(f"/clusters/alpha/design-challenges/{challenge_id}",
                        {"fishbone": [{"category": "Systems", "cause": "Big classes"}]})
    assert changed.json()["fishbone"] == [{"category": "Systems", "cause": "Big classes"}]
    assert changed.json()["title"] == "Belonging"


def test_duplicate_challenge_is_a_conflict_and_bad_input_is_422(design, api_as):
    api = api_as(design.users.lead)
    duplicate = api.post("/clusters/alpha/design-challenges", {"title": "ownership", "problem_of_practice": "x"})
    assert duplicate.status_code == 409 and duplicate.json()["existing"]["id"] == design.challenge.pk
    invalid = api.post("/clusters/alpha/aims", {"challenge_id": design.challenge.pk, "statement": "s",
                                                "population": "p", "baseline": 50, "target": 50, "unit": "%",
                                                "target_date": "2027-06-01"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "target"


def test_only_the_district_design_team_changes_the_design(design, api_as):
    body = {"title": "New idea"}
    assert api_as(design.users.member).post("/clusters/alpha/change-ideas", body).status_code == 403
    assert api_as(design.users.viewer).post("/clusters/alpha/change-ideas", body).status_code == 403
    assert api_as(design.users.researcher).post("/clusters/alpha/change-ideas", body).status_code == 201
    assert api_as(design.users.outsider).get("/clusters/alpha/change-ideas").status_code == 404
    assert api_as(None).get("/clusters/alpha/change-ideas").status_code == 401


def test_save_versions_read_old_ones_and_compare(design, api_as):
    api = api_as(design.users.researcher)
    path = f"/clusters/alpha/aims/{design.aim.pk}/diagram"
    first = api.get(f"{path}/versions/1").json()
    outline = first["outline"].replace("Students feel they belong", "Students feel they belong in class")
    saved = api.post(f"{path}/versions", {"outline": outline, "note": "Reworded belonging", "based_on": 1})
    assert saved.status_code == 201, saved.json()
    assert saved.json()["number"] == 2 and saved.json()["saved_by"] == "researcher"
    diagram = api.get(path).json()
    assert diagram["current_version"] == 2 and [v["number"] for v in diagram["versions"]] == [2, 1]
    assert api.get(f"{path}/versions/1").json()["outline"] == first["outline"]
    change = api.get(f"{path}/compare", from_version=1, to_version=2).json()
    (reworded,) = change["reworded"]
    assert (reworded["kind"], reworded["before"], reworded["after"]) == (
        "secondary", "Students feel they belong", "Students feel they belong in class")
    assert change["added"] == [] and change["removed"] == []
    stale = api.post(f"{path}/versions", {"outline": outline, "note": "Again", "based_on": 1})
    assert stale.status_code == 409 and "Version 2 was saved" in stale.json()["detail"]
    assert api.get(f"{path}/versions/9").status_code == 404


def test_structured_nodes_with_a_cycle_are_refused(design, api_as):
    api = api_as(design.users.lead)
    body = {"note": "Loop", "nodes": [{"key": "p", "kind": "primary", "text": "Belief"},
                                      {"key": "a", "kind": "secondary", "text": "Effort"},
                                      {"key": "b", "kind": "secondary", "text": "Help"}],
            "links": [{"parent": "p", "child": "a"}, {"parent": "a", "child": "b"}, {"parent": "b", "child": "a"}]}
    refused = api.post(f"/clusters/alpha/aims/{design.aim.pk}/diagram/versions", body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "graph"
    assert "“Effort” → “Help” → “Effort”" in refused.json()["errors"][0]["message"]
    assert api.post(f"/clusters/alpha/aims/{design.aim.pk}/diagram/versions",
                    {"note": "x", "outline": "A\n  B\n    C\n      D"}).json()["errors"][0]["field"] == "outline"


def test_adaptations_are_flagged_and_decided(design, api_as):
    member = api_as(design.users.member)  # on Alpha High's school design team
    body = {"enactment_id": design.enactment.pk, "element_id": design.core.pk, "description": "Four lessons",
            "proposed_wording": "Four growth mindset lessons", "adapted_on": "2025-10-01"}
    created = member.post("/clusters/alpha/adaptations", body)
    assert created.status_code == 201, created.json()
    adaptation = created.json()
    assert adaptation["outside_boundary"] is True and adaptation["status"] == "awaiting_decision"
    assert adaptation["school_id"] == design.high.pk
    assert api_as(design.users.viewer).post("/clusters/alpha/adaptations", body).status_code == 403
    queue = member.get("/clusters/alpha/adaptations", status="awaiting_decision").json()
    assert [a["id"] for a in queue["items"]] == [adaptation["id"]]
    decide = f"/clusters/alpha/adaptations/{adaptation['id']}/decision"
    assert member.post(decide, {"decision": "accept", "reason": "ok"}).status_code == 403
    researcher = api_as(design.users.researcher)
    missing = researcher.post(decide, {"decision": "accept", "reason": ""})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    accepted = researcher.post(decide, {"decision": "accept", "reason": "Pilot data support it"})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted" and accepted.json()["diagram_version"] == 2
    assert accepted.json()["decided_by"] == "researcher"
    assert researcher.post(decide, {"decision": "bring_back", "reason": "x"}).status_code == 409


def test_another_clusters_references_are_unknown(design, api_as):
    body = {"innovation_id": design.innovation.pk, "school_id": design.beta_school.pk, "started_on": "2025-01-01"}
    answer = api_as(design.users.lead).post("/clusters/alpha/enactments", body)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "school_id"
    answer = api_as(design.users.lead).post("/clusters/alpha/innovations", {"name": "X", "change_idea_ids": [999]})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "change_idea_ids"
    with scope(cluster=design.alpha):
        assert not DesignChallenge.objects.filter(title="X").exists() and Adaptation.objects.count() == 0


def test_null_where_a_list_is_expected_is_refused_naming_the_field(design, api_as):
    api = api_as(design.users.lead)
    url = f"/clusters/alpha/innovations/{design.innovation.pk}"
    assert api.patch(url, {"change_idea_ids": [design.lessons.pk]}).status_code == 200
    answer = api.patch(url, {"change_idea_ids": None})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["change_idea_ids"]
    assert api.get(url).json()["change_idea_ids"] == [design.lessons.pk]


def test_a_body_that_is_not_an_object_creates_nothing(design, api_as):
    # Read field by field, the text "AAA" answered `title` (str.title) and made a change idea titled "Aaa".
    api = api_as(design.users.researcher)
    answer = api.client.post("/api/clusters/alpha/change-ideas", '"AAA"', "application/json", **api._headers())
    assert answer.status_code == 400
    with scope(cluster=design.alpha):
        assert not ChangeIdea.objects.filter(title="Aaa").exists()
