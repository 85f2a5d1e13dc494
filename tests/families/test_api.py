"""The API: public family page content, and the data team's opt-out requests."""

from django.test import Client
from django_scopes import scopes_disabled

from improvenet.families.models import FamilyPages, OptOutRequest

BASE = "/clusters/alpha/data/opt-out-requests"


def make_request(world) -> OptOutRequest:
    with scopes_disabled():
        return OptOutRequest.objects.create(cluster=world.alpha, school=world.high, student_id="S-9",
                                            date_of_birth="2011-01-01", guardian_name="Ana", contact="555 010 9999")


def test_the_public_content_needs_no_token_and_only_published_clusters(families):
    world = families.world
    answer = Client().get("/api/families/alpha")
    assert answer.status_code == 200
    body = answer.json()
    assert body["contact_office"] == "the Alpha research office"
    assert {school["name"] for school in body["schools"]} == {"Alpha High", "Alpha Middle"}
    high = next(school for school in body["schools"] if school["id"] == world.high.pk)
    assert high["pages"] == {"en": f"/families/alpha/schools/{world.high.pk}/",
                             "es": f"/es/families/alpha/schools/{world.high.pk}/"}
    with scopes_disabled():
        FamilyPages.objects.update(published=False)
    assert Client().get("/api/families/alpha").status_code == 404
    assert Client().get("/api/families/beta").status_code == 404


def test_the_data_team_lists_and_confirms_requests(families, api_as):
    world = families.world
    record = make_request(world)
    team = api_as(world.users.researcher)
    listed = team.get(BASE, status="pending").json()
    assert listed["count"] == 1 and listed["items"][0]["student_id"] == "S-9"
    assert team.get(BASE, status="confirmed").json()["count"] == 0
    unchecked = team.post(f"{BASE}/{record.pk}/confirm", {"checked": False})
    assert unchecked.status_code == 422 and unchecked.json()["errors"][0]["field"] == "checked"
    confirmed = team.post(f"{BASE}/{record.pk}/confirm", {"checked": True, "note": "ok"})
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert (body["status"], body["student_id"], body["date_of_birth"], body["resolved_by"]) == (
        "confirmed", "", None, "researcher")
    assert team.post(f"{BASE}/{record.pk}/confirm", {"checked": True}).status_code == 422


def test_not_matched_through_the_api(families, api_as):
    record = make_request(families.world)
    lead = api_as(families.world.users.lead)
    assert lead.post(f"{BASE}/{record.pk}/not-matched", {"note": ""}).status_code == 422
    answer = lead.post(f"{BASE}/{record.pk}/not-matched", {"note": "No such student."})
    assert answer.status_code == 200 and answer.json()["status"] == "not_matched"


def test_others_get_404_for_requests(families, api_as):
    world = families.world
    record = make_request(world)
    for user in (world.users.member, world.users.viewer, world.users.outsider):
        client = api_as(user)
        assert client.get(BASE).status_code == 404
        assert client.get(f"{BASE}/{record.pk}").status_code == 404
        assert client.post(f"{BASE}/{record.pk}/confirm", {"checked": True}).status_code == 404
    assert api_as(None).get(BASE).status_code == 401
