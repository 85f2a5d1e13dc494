from django_scopes import scope

from improvenet.network.models import Membership, School


def new_school(world, **overrides):
    body = {"name": "Birch Elementary", "level": "elementary", "role": "feeder", "lowest_grade": 0,
            "highest_grade": 5, "feeds_into_id": world.high.pk, "nces_id": "170000100099"}
    body.update(overrides)
    return body


def test_lists_schools_with_pagination_and_filters(world, api_as):
    api = api_as(world.users.viewer)
    page = api.get("/clusters/alpha/schools", limit=1).json()
    assert (page["count"], len(page["items"]), page["items"][0]["name"]) == (2, 1, "Alpha High")
    assert api.get("/clusters/alpha/schools", offset=1).json()["items"][0]["name"] == "Alpha Middle"
    assert [s["name"] for s in api.get("/clusters/alpha/schools", level="middle").json()["items"]] == ["Alpha Middle"]
    pyramid = api.get("/clusters/alpha/schools", pyramid=world.high.pk).json()
    assert pyramid["count"] == 2
    assert api.get("/clusters/alpha/schools", limit=501).status_code == 422


def test_create_read_update_and_end_a_school(world, api_as):
    api = api_as(world.users.lead)
    created = api.post("/clusters/alpha/schools", new_school(world))
    assert created.status_code == 201, created.json()
    school_id = created.json()["id"]
    assert api.get(f"/clusters/alpha/schools/{school_id}").json()["grades"] == "K–5"
    changed = api.patch(f"/clusters/alpha/schools/{school_id}", {"name": "Birch Academy"})
    assert changed.json()["name"] == "Birch Academy" and changed.json()["nces_id"] == "170000100099"
    ended = api.post(f"/clusters/alpha/schools/{school_id}/end", {"ended_on": "2026-06-30"})
    assert ended.json()["ended_on"] == "2026-06-30"
    assert api.get("/clusters/alpha/schools").json()["count"] == 2
    assert api.get("/clusters/alpha/schools", include_ended=True).json()["count"] == 3
    with scope(cluster=world.alpha):
        assert School.objects.filter(pk=school_id).exists()  # ended, never deleted


def test_invalid_input_answers_422_with_a_message_per_field(world, api_as):
    api = api_as(world.users.lead)
    answer = api.post("/clusters/alpha/schools", new_school(world, lowest_grade=7, feeds_into_id=world.middle.pk))
    assert answer.status_code == 422
    fields = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(fields) == {"highest_grade", "feeds_into_id"}
    assert "Alpha Middle" in fields["feeds_into_id"]
    schema = api.post("/clusters/alpha/schools", {"name": "", "level": "castle"}).json()
    assert {"name", "level", "role"} <= {e["field"] for e in schema["errors"]}


def test_text_with_a_nul_character_answers_422_naming_the_field(world, api_as):
    answer = api_as(world.users.lead).post("/clusters/alpha/schools", new_school(world, name="Birch\x00 Elementary"))
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "name", "message": "Remove the NUL character (\\0) from this text; it cannot be stored."}
    ]
    with scope(cluster=world.alpha):
        assert not School.objects.filter(nces_id="170000100099").exists()


def test_reference_to_another_clusters_record_is_refused_as_unknown(world, api_as):
    body = new_school(world, feeds_into_id=world.beta_school.pk)
    answer = api_as(world.users.lead).post("/clusters/alpha/schools", body)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "feeds_into_id", "message": f"There is no school with id {world.beta_school.pk} in this cluster."}
    ]


def test_duplicate_school_id_answers_409_naming_the_existing_record(world, api_as):
    answer = api_as(world.users.lead).post("/clusters/alpha/schools", new_school(world, nces_id="170000100001"))
    assert answer.status_code == 409
    assert answer.json()["existing"] == {"id": world.high.pk, "name": "Alpha High"}
    assert "Alpha High" in answer.json()["detail"]


def test_failed_write_leaves_nothing_behind(world, api_as):
    api = api_as(world.users.lead)
    before = api.get("/clusters/alpha/schools", include_ended=True).json()["count"]
    api.post("/clusters/alpha/schools", new_school(world, nces_id="170000100001"))
    api.patch(f"/clusters/alpha/schools/{world.middle.pk}", {"name": "Renamed", "feeds_into_id": world.middle.pk})
    assert api.get("/clusters/alpha/schools", include_ended=True).json()["count"] == before
    assert api.get(f"/clusters/alpha/schools/{world.middle.pk}").json()["name"] == "Alpha Middle"


def test_memberships_keep_turnover_as_history(world, api_as):
    api = api_as(world.users.lead)
    body = {"team_id": world.team.pk, "person_id": world.person.pk, "role": "Teacher", "started_on": "2024-08-01"}
    membership = api.post("/clusters/alpha/memberships", body).json()
    api.post(f"/clusters/alpha/memberships/{membership['id']}/end", {"ended_on": "2025-06-15"})
    assert api.get("/clusters/alpha/memberships", team=world.team.pk).json()["count"] == 0
    history = api.get("/clusters/alpha/memberships", team=world.team.pk, include_ended=True).json()["items"]
    assert [(m["role"], m["ended_on"]) for m in history] == [("Teacher", "2025-06-15")]
    with scope(cluster=world.alpha):
        assert Membership.objects.count() == 1


def test_bearer_token_authenticates_and_revoked_or_bad_tokens_do_not(world, client):
    from improvenet.accounts.models import ApiToken

    token, secret = ApiToken.issue(world.users.viewer, "notebook")
    assert client.get("/api/clusters", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token.revoke()
    assert client.get("/api/clusters", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert client.get("/api/clusters", HTTP_AUTHORIZATION="Bearer inet_not-a-real-token-at-all").status_code == 401
    assert client.get("/api/clusters").json()["detail"].startswith("Sign in")


def test_clusters_are_created_by_network_admins_and_listed_by_visibility(world, api_as):
    body = {"network": "north", "slug": "gamma", "name": "Gamma"}
    assert api_as(world.users.lead).post("/clusters", body).status_code == 403
    assert api_as(world.users.admin).post("/clusters", body).status_code == 201
    assert api_as(world.users.admin).post("/clusters", body).status_code == 409
    names = [c["name"] for c in api_as(world.users.outsider).get("/clusters").json()["items"]]
    assert names == ["Beta"]


def test_openapi_document_describes_every_route(db, client):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "improvenet API"
    assert "/api/clusters/{cluster}/schools" in document["paths"]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
