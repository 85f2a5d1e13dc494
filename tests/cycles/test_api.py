"""The PDSA API: the same rules and the same errors as the pages."""

from django_scopes import scope

from tests.cycles.conftest import make_cycle


def new_cycle(pdsa, **overrides):
    return {"team_id": pdsa.world.team.pk, "change_idea_id": pdsa.idea.pk, "objective": "Goal sheets in advisory",
            "planned_start": "2025-02-03", "scale": "student_group", **overrides}


def test_a_cycle_runs_through_its_gates_over_the_api(pdsa, api_as):
    api = api_as(pdsa.world.users.member)
    created = api.post("/clusters/alpha/cycles", new_cycle(pdsa))
    assert created.status_code == 201, created.content
    cycle = created.json()
    assert cycle["school_id"] == pdsa.world.high.pk and cycle["stage"] == "plan"
    assert cycle["next_step"] == {"label": "Start Do",
                                  "missing": ["Add at least one prediction, with what would confirm it."]}
    base = f"/clusters/alpha/cycles/{cycle['id']}"

    refused = api.post(f"{base}/start-do", {})
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "Add at least one prediction before starting Do.",
        "errors": [{"field": "predictions", "message": "Add at least one prediction before starting Do."}],
    }
    prediction = api.post(f"{base}/predictions", {"text": "9 of 12 write a goal", "confirm_criterion": "9 sheets"})
    assert prediction.status_code == 201 and prediction.json()["locked"] is False
    pid = prediction.json()["id"]
    assert api.post(f"{base}/start-do", {"on": "2025-02-03"}).json()["do_started_on"] == "2025-02-03"

    late = api.post(f"{base}/predictions", {"text": "late", "confirm_criterion": "late"})
    assert late.status_code == 422 and "started Do" in late.json()["detail"]
    no_reason = api.patch(f"/clusters/alpha/predictions/{pid}", {"text": "8 of 12 write a goal"})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    edited = api.patch(f"/clusters/alpha/predictions/{pid}", {"text": "8 of 12 write a goal", "reason": "One left"})
    assert edited.status_code == 200
    [edit] = edited.json()["edits"]
    assert edit["text_before"] == "9 of 12 write a goal" and edit["text_after"] == "8 of 12 write a goal"
    assert edit["edited_by"] == "member" and edit["reason"] == "One left"

    fixed = api.patch(base, {"objective": "Rewritten after the fact"})
    assert fixed.status_code == 422 and fixed.json()["errors"][0]["field"] == "objective"
    assert api.post(f"{base}/start-study", {}).status_code == 422
    assert api.patch(base, {"what_happened": "Ran twice"}).status_code == 200
    assert api.post(f"{base}/start-study", {"on": "2025-02-17"}).status_code == 200
    assert api.patch(base, {"learning": "It works"}).status_code == 200
    open_study = api.post(f"{base}/close-study", {})
    assert open_study.status_code == 422 and "prediction 1 is not answered" in open_study.json()["detail"]
    bad = api.post(f"/clusters/alpha/predictions/{pid}/answer", {"outcome": "sort of", "what_happened": ""})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"outcome", "what_happened"}
    answered = api.post(f"/clusters/alpha/predictions/{pid}/answer",
                        {"outcome": "confirmed", "what_happened": "10 of 12"})
    assert answered.json()["outcome"] == "confirmed"
    assert api.post(f"{base}/close-study", {"on": "2025-02-20"}).json()["stage"] == "act"
    assert api.post(f"{base}/decide", {"decision": "maybe"}).status_code == 422
    decided = api.post(f"{base}/decide", {"decision": "adopt", "on": "2025-02-21",
                                          "next_objective": "The whole 9th-grade team"})
    body = decided.json()
    assert body["stage"] == "done" and body["decision"] == "adopt" and body["decided_on"] == "2025-02-21"
    following = api.get(f"/clusters/alpha/cycles/{body['next_id']}").json()
    assert following["previous_id"] == cycle["id"] and following["stage"] == "plan"

    board = api.get(f"/clusters/alpha/teams/{pdsa.world.team.pk}/board").json()
    columns = {c["stage"]: [x["id"] for x in c["cycles"]] for c in board["columns"]}
    assert columns["done"] == [cycle["id"]] and columns["plan"] == [following["id"]]


def test_a_member_may_not_change_another_schools_cycle(pdsa, api_as):
    other = make_cycle(pdsa, team=pdsa.middle_team, predictions=1)
    api = api_as(pdsa.world.users.member)
    assert api.get(f"/clusters/alpha/cycles/{other.pk}").status_code == 200
    assert api.post(f"/clusters/alpha/cycles/{other.pk}/start-do", {}).status_code == 403
    assert api.post("/clusters/alpha/cycles", new_cycle(pdsa, team_id=pdsa.middle_team.pk)).status_code == 403
    copied = api.post(f"/clusters/alpha/cycles/{other.pk}/copy", {"team_id": pdsa.world.team.pk})
    assert copied.status_code == 201 and copied.json()["copied_from_id"] == other.pk
    assert api.get(f"/clusters/alpha/cycles/{other.pk}").json()["copy_ids"] == [copied.json()["id"]]


def test_readers_read_but_do_not_write(pdsa, api_as):
    cycle = make_cycle(pdsa, predictions=1)
    for user in (pdsa.world.users.researcher, pdsa.world.users.viewer):
        api = api_as(user)
        assert api.get(f"/clusters/alpha/cycles/{cycle.pk}").status_code == 200
        assert api.post(f"/clusters/alpha/cycles/{cycle.pk}/start-do", {}).status_code == 403
        assert api.post("/clusters/alpha/cycles", new_cycle(pdsa)).status_code == 403


def test_other_clusters_and_anonymous_callers(pdsa, api_as):
    cycle = make_cycle(pdsa, predictions=1)
    outsider = api_as(pdsa.world.users.outsider)
    assert outsider.get(f"/clusters/alpha/cycles/{cycle.pk}").status_code == 404
    assert outsider.get(f"/clusters/beta/cycles/{cycle.pk}").status_code == 404
    assert api_as(None).get("/clusters/alpha/cycles").status_code == 401


def test_references_to_another_clusters_records_are_unknown(pdsa, api_as):
    api = api_as(pdsa.world.users.lead)
    answer = api.post("/clusters/alpha/cycles", new_cycle(pdsa, change_idea_id=pdsa.beta_idea.pk))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "change_idea_id"
    unknown_team = api.post("/clusters/alpha/cycles", new_cycle(pdsa, team_id=999999))
    assert unknown_team.status_code == 422 and unknown_team.json()["errors"][0]["field"] == "team_id"
    bad_measure = api.post("/clusters/alpha/cycles", new_cycle(pdsa, measure_ids=[999999]))
    assert bad_measure.status_code == 422 and bad_measure.json()["errors"][0]["field"] == "measure_ids"


def test_list_filters_and_pages(pdsa, api_as):
    first = make_cycle(pdsa, predictions=1)
    make_cycle(pdsa, team=pdsa.middle_team)
    with scope(cluster=pdsa.world.alpha):
        first.start_do()
    api = api_as(pdsa.world.users.viewer)
    everything = api.get("/clusters/alpha/cycles").json()
    assert everything["count"] == 2
    doing = api.get("/clusters/alpha/cycles", stage="do").json()
    assert [c["id"] for c in doing["items"]] == [first.pk]
    assert api.get("/clusters/alpha/cycles", school=pdsa.world.middle.pk).json()["count"] == 1
    assert api.get("/clusters/alpha/cycles", limit=1).json()["limit"] == 1


def test_the_openapi_document_describes_the_cycle_routes(pdsa, client):
    document = client.get("/api/openapi.json").json()
    assert "/api/clusters/{cluster}/cycles/{cycle_id}/start-do" in document["paths"]
    assert "/api/clusters/{cluster}/teams/{team_id}/board" in document["paths"]
