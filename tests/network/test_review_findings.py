"""Regression tests for the independent review of the foundation (one test per finding)."""

import datetime

from django_scopes import scope, scopes_disabled

from improvenet.network.models import Cluster, Membership, Network, Person


def test_a_taken_short_name_of_an_unseen_cluster_reveals_nothing(world, api_as):
    with scopes_disabled():
        south = Network.objects.create(slug="south", name="South Secret Network")
        Cluster.objects.create(network=south, slug="hidden", name="Hidden Cluster")
    admin = api_as(world.users.admin)
    answer = admin.post("/clusters", {"network": "north", "slug": "hidden", "name": "Mine"})
    assert answer.status_code == 409
    assert "existing" not in answer.json() and "Hidden" not in answer.content.decode()
    renamed = admin.patch("/networks/north", {"slug": "south"})
    assert renamed.status_code == 409 and "Secret" not in renamed.content.decode()
    visible = admin.post("/clusters", {"network": "north", "slug": "beta", "name": "Again"})
    assert visible.json()["existing"]["name"] == "Beta"  # a clash the admin can see is named


def test_django_admin_is_for_superusers_only(world, client):
    client.force_login(world.users.admin)  # network admin, not a superuser
    assert client.get("/admin/").status_code == 302
    world.users.outsider.is_superuser = world.users.outsider.is_staff = True
    world.users.outsider.save()
    client.force_login(world.users.outsider)  # superuser administering no network
    assert client.get("/admin/").status_code == 200


def test_a_high_school_with_feeders_keeps_its_level(world, api_as):
    answer = api_as(world.users.lead).patch(f"/clusters/alpha/schools/{world.high.pk}", {"level": "middle"})
    assert answer.status_code == 422
    assert "1 school feeds into this high school" in answer.json()["errors"][0]["message"]


def test_ended_high_school_is_not_offered_as_a_pyramid(world, client):
    with scope(cluster=world.alpha):
        world.middle.feeds_into = None
        world.middle.role = "at_large"
        world.middle.save()
        world.high.end(datetime.date(2025, 6, 30))
    client.force_login(world.users.lead)
    assert "Alpha High" not in client.get("/clusters/alpha/schools/new/").content.decode()


def test_an_ended_record_cannot_be_ended_again(world, api_as):
    api = api_as(world.users.lead)
    assert api.post(f"/clusters/alpha/people/{world.person.pk}/end", {"ended_on": "2026-01-01"}).status_code == 200
    again = api.post(f"/clusters/alpha/people/{world.person.pk}/end", {"ended_on": "2099-01-01"})
    assert again.status_code == 422 and "already ended on January 1, 2026" in again.content.decode()


def test_past_membership_of_someone_who_left_stays_editable(world, client):
    with scope(cluster=world.alpha):
        membership = Membership.objects.create(team=world.team, person=world.person, role="Teacher",
                                               started_on="2023-08-01", ended_on="2024-06-01")
        Person.objects.filter(pk=world.person.pk).update(ended_on=datetime.date(2024, 6, 1))
    client.force_login(world.users.lead)
    answer = client.post(f"/clusters/alpha/memberships/{membership.pk}/edit/", {
        "person": world.person.pk, "role": "Lead teacher", "started_on": "2023-08-01", "ended_on": "2024-06-01",
    })
    assert answer.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "Lead teacher"


def test_schools_are_not_partner_organizations(world, api_as):
    api = api_as(world.users.lead)
    assert [o["name"] for o in api.get("/clusters/alpha/organizations").json()["items"]] == ["Alpha USD"]
    assert api.get(f"/clusters/alpha/organizations/{world.high.pk}").status_code == 404
    lead = api.patch("/clusters/alpha", {"lead_organization_id": world.high.pk})
    assert lead.status_code == 422
    assert api.patch("/clusters/alpha", {"lead_organization_id": world.district.pk}).status_code == 200
    assert api.get("/clusters/alpha").json()["name"] == "Alpha"  # a PATCH changes only what it sends


def test_impossible_ids_and_offsets_are_answered_not_crashed(world, api_as, client):
    api = api_as(world.users.lead)
    assert api.get("/clusters/alpha/schools/99999999999999999999").status_code in (404, 422)
    assert api.get("/clusters/alpha/schools", offset=10**20).status_code == 422
    client.force_login(world.users.lead)
    assert client.get("/clusters/alpha/schools/99999999999999999999/").status_code == 404
