import json

import pytest
from django.test import Client
from django_scopes import scope

from improvenet.network.models import Membership, Person, School
from improvenet.resources import NUL_MESSAGE


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


def test_a_write_without_token_or_session_answers_401_not_a_csrf_failure(world):
    browser = Client(enforce_csrf_checks=True)
    anonymous = browser.post("/api/clusters/alpha/schools", json.dumps(new_school(world)), "application/json")
    assert anonymous.status_code == 401 and anonymous.json()["detail"].startswith("Sign in")
    # A signed-in session still needs its CSRF token: that is what protects it.
    browser.force_login(world.users.lead)
    session = browser.post("/api/clusters/alpha/schools", json.dumps(new_school(world)), "application/json")
    assert session.status_code == 403 and "CSRF" in session.json()["detail"]
    with scope(cluster=world.alpha):
        assert not School.objects.filter(nces_id="170000100099").exists()


BEYOND = 2**63  # one past the largest id the database stores


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("get", f"/clusters/alpha/schools/{BEYOND}", None, "record_id"),
    ("get", f"/clusters/alpha/schools?pyramid={BEYOND}", None, "pyramid"),
    ("get", f"/clusters/alpha/memberships?person=-{BEYOND}", None, "person"),
    # A school's id is its organization's (a one-to-one key), which Django does not range-check as it does ids.
    ("post", "/clusters/alpha/schools", {"name": "Birch", "level": "middle", "role": "feeder", "lowest_grade": 6,
                                         "highest_grade": 8, "feeds_into_id": 2**70}, "feeds_into_id"),
    ("patch", "/clusters/alpha/teams/1", {"school_id": -(2**70)}, "school_id"),
])
def test_ids_beyond_the_database_range_are_refused_naming_the_field(world, api_as, method, path, body, field):
    api = api_as(world.users.lead)
    answer = api.get(path) if method == "get" else getattr(api, method)(path, body)
    assert answer.status_code == 422, answer.content
    assert [error["field"] for error in answer.json()["errors"]] == [field]


@pytest.mark.parametrize(("body", "reason"), [
    ([{"name": "Birch"}], "it must be a JSON object, not an array."),
    ('"Birch"', "it must be a JSON object, not a string."),
    ("{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
])
def test_a_body_that_is_not_a_json_object_is_refused_with_its_reason(world, api_as, body, reason):
    api = api_as(world.users.lead)
    raw = body if isinstance(body, str) else json.dumps(body)
    answer = api.client.post("/api/clusters/alpha/schools", raw, "application/json", **api._headers())
    assert answer.status_code == 400
    assert answer.json() == {"detail": f"The body cannot be read: {reason}"}


def test_a_change_of_nothing_or_of_a_field_to_null_is_refused(world, api_as):
    api = api_as(world.users.lead)
    nothing = api.patch(f"/clusters/alpha/schools/{world.high.pk}", None)
    assert nothing.status_code == 422
    assert nothing.json()["errors"] == [{"field": "input", "message": "Send the fields to change as a JSON object."}]
    emptied = api.patch(f"/clusters/alpha/schools/{world.high.pk}", {"name": None, "feeds_into_id": None})
    assert emptied.status_code == 422 and [e["field"] for e in emptied.json()["errors"]] == ["name"]
    with scope(cluster=world.alpha):
        assert School.objects.get(pk=world.high.pk).name == "Alpha High"


def test_days_and_flags_are_taken_only_as_the_document_writes_them(world, api_as):
    admin = api_as(world.users.admin)
    for body, field in (({"network": "north", "slug": "gamma", "name": "G", "shares_with_network": 1},
                         "shares_with_network"),
                        ({"network": "north", "slug": "gamma", "name": "G", "status": "launched"}, None)):
        answer = admin.post("/clusters", body)
        if field is None:
            assert answer.status_code == 201
        else:
            assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == [field]
    lead = api_as(world.users.lead)
    for day in (0, "0", "1700000000"):  # pydantic would read these as Unix times: 1 January 1970...
        answer = lead.post(f"/clusters/alpha/people/{world.person.pk}/end", {"ended_on": day})
        assert answer.status_code == 422
        assert answer.json()["errors"] == [{"field": "ended_on", "message": "Give a day as YYYY-MM-DD."}]
    with scope(cluster=world.alpha):
        assert Person.objects.get(pk=world.person.pk).ended_on is None


def test_a_cluster_of_an_unknown_network_is_refused_naming_the_field(world, api_as):
    answer = api_as(world.users.admin).post("/clusters", {"network": "south", "slug": "gamma", "name": "Gamma"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "network", "message": "No such network among yours."}]


def test_a_body_larger_than_the_api_takes_answers_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = api_as(world.users.lead).post("/clusters/alpha/schools", new_school(world, street="x" * 2000))
    assert answer.status_code == 413
    assert answer.json() == {"detail": "The request is larger than the API takes (1,000 bytes at most)."}


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("get", "/clusters/al%00pha/schools", None, "cluster"),
    ("get", "/clusters/alpha/schools?q=Al%00pha", None, "q"),
    ("post", "/clusters", {"network": "no\x00rth", "slug": "gamma", "name": "Gamma"}, "network"),
    ("post", "/clusters/alpha/phases", {"stage": "design", "starts_on": "2025-01-01",
                                        "roles": [{"team_kind": "data", "description": "Re\x00ads"}]},
     "roles.0.description"),
])
def test_a_nul_character_anywhere_is_refused_naming_where(world, api_as, method, path, body, field):
    # PostgreSQL can neither store nor search a NUL character: it failed there with HTTP 500.
    api = api_as(world.users.admin)
    answer = api.get(path) if method == "get" else api.post(path, body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"] == [{"field": field, "message": NUL_MESSAGE}]
