"""Roles on the cluster's pages: granted, changed and revoked by the lead, logged, exported; accounts deactivated."""

import csv
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django_scopes import scopes_disabled

from improvenet.accounts.models import ApiToken, RoleEvent
from improvenet.data.models import AppendOnlyError
from improvenet.network.models import ClusterRole, Person


def role_of(world, user):
    return ClusterRole.objects.filter(cluster=world.alpha, user=user).first()


def test_everyone_in_the_cluster_sees_who_holds_which_role_since_when(world, client):
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/roles/").content.decode()
    for name in ("lead", "member", "researcher", "viewer"):
        assert f'<span class="muted">{name}</span>' in page
    assert "Cluster lead" in page and role_of(world, world.users.lead).created_at.strftime("%Y-%m-%d") in page
    assert "Revoke" not in page and "Invite a person" not in page
    assert client.get(f"/clusters/alpha/roles/{role_of(world, world.users.member).pk}/revoke/").status_code == 403
    assert client.get("/clusters/alpha/roles/log/").status_code == 403
    assert client.get("/clusters/alpha/roles/log.csv").status_code == 403


def test_lead_changes_and_revokes_roles_with_reasons_and_the_log_keeps_them(world, client):
    client.force_login(world.users.lead)
    viewer_role = role_of(world, world.users.viewer)
    changed = client.post(f"/clusters/alpha/roles/{viewer_role.pk}/change/",
                          {"role": "researcher", "reason": "Joins the evaluation"})
    assert changed.status_code == 302
    assert role_of(world, world.users.viewer).role == "researcher"
    revoked = client.post(f"/clusters/alpha/roles/{role_of(world, world.users.member).pk}/revoke/",
                          {"reason": "=HYPERLINK(\"http://evil\")"})
    assert revoked.status_code == 302 and role_of(world, world.users.member) is None

    # A person with an account and no role gets one again from the grant form.
    with scopes_disabled():
        Person.objects.create(cluster=world.alpha, given_name="M", family_name="Ember", user=world.users.member)
    assert world.users.member.username in client.get("/clusters/alpha/roles/grant/").content.decode()
    granted = client.post("/clusters/alpha/roles/grant/", {"user": world.users.member.pk, "role": "viewer",
                                                           "reason": "Back as a reader"})
    assert granted.status_code == 302 and role_of(world, world.users.member).role == "viewer"

    log = client.get("/clusters/alpha/roles/log/").content.decode()
    assert "Role changed: Viewer → Researcher" in log and "Joins the evaluation" in log
    exported = client.get("/clusters/alpha/roles/log.csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(row["action"], row["account"], row["by"]) for row in rows] == [
        ("granted", "member", "lead"), ("revoked", "member", "lead"), ("changed", "viewer", "lead")]
    assert rows[1]["reason"].startswith("'=HYPERLINK")  # formula-safe
    assert (rows[2]["role_before"], rows[2]["role_after"]) == ("viewer", "researcher")


def test_the_last_lead_cannot_be_removed_or_demoted(world, client):
    client.force_login(world.users.lead)
    lead_role = role_of(world, world.users.lead)
    demoted = client.post(f"/clusters/alpha/roles/{lead_role.pk}/change/", {"role": "viewer"})
    assert demoted.status_code == 422 and "last lead" in demoted.content.decode()
    removed = client.post(f"/clusters/alpha/roles/{lead_role.pk}/revoke/", {})
    assert removed.status_code == 422 and "last lead" in removed.content.decode()
    assert role_of(world, world.users.lead).role == "lead"
    # With a second lead, the first may step down.
    client.post(f"/clusters/alpha/roles/{role_of(world, world.users.viewer).pk}/change/", {"role": "lead"})
    assert client.post(f"/clusters/alpha/roles/{lead_role.pk}/revoke/", {}).status_code == 302


def test_the_log_is_append_only_even_in_the_database(world):
    with scopes_disabled():
        event = RoleEvent.objects.create(cluster=world.alpha, actor_name="lead", subject_name="x", action="granted",
                                         channel="web")
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            RoleEvent.objects.all().delete()
    for statement in ("UPDATE accounts_roleevent SET reason = 'x'", "DELETE FROM accounts_roleevent"):
        with pytest.raises(IntegrityError if connection.vendor == "sqlite" else Exception), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)


def test_a_revoked_role_stops_the_session_and_the_token_at_once(world, api_as):
    member = world.users.member
    browser = Client()
    browser.force_login(member)
    api = api_as(member)
    assert browser.get("/clusters/alpha/").status_code == 200
    assert api.get("/clusters/alpha/schools").status_code == 200
    lead = Client()
    lead.force_login(world.users.lead)
    lead.post(f"/clusters/alpha/roles/{role_of(world, member).pk}/revoke/", {"reason": "Left the district"})
    assert browser.get("/clusters/alpha/").status_code == 404
    assert api.get("/clusters/alpha/schools").status_code == 404
    assert browser.get("/").status_code == 200  # still signed in: only this cluster's access ended


def test_network_admin_deactivates_an_account_its_session_and_token_stop_and_its_records_stay(world, api_as):
    researcher = world.users.researcher
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Re", family_name="Searcher", user=researcher)
    browser = Client()
    browser.force_login(researcher)
    api = api_as(researcher)
    assert browser.get("/clusters/alpha/").status_code == 200 and api.get("/clusters").status_code == 200

    held = role_of(world, researcher)
    lead = Client()
    lead.force_login(world.users.lead)
    assert lead.get(f"/clusters/alpha/roles/{held.pk}/deactivate-account/").status_code == 403
    admin = Client()
    admin.force_login(world.users.admin)
    assert "Deactivate account" in admin.get("/clusters/alpha/roles/").content.decode()
    done = admin.post(f"/clusters/alpha/roles/{held.pk}/deactivate-account/", {"reason": "Contract ended"})
    assert done.status_code == 302

    signed_out = browser.get("/clusters/alpha/")
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    assert api.get("/clusters").status_code == 401
    researcher.refresh_from_db()
    assert not researcher.is_active
    assert not ApiToken.objects.filter(user=researcher, revoked_at__isnull=True).exists()
    with scopes_disabled():
        person.refresh_from_db()
        event = RoleEvent.objects.get(action="deactivated")
    assert person.user == researcher and role_of(world, researcher) is not None  # records and history stay
    assert (event.actor_name, event.subject_name, event.reason) == ("net-admin", "researcher", "Contract ended")
    # The admin cannot deactivate an account that also works in another network, nor their own.
    assert admin.get(f"/clusters/alpha/roles/{held.pk}/deactivate-account/").status_code == 403


def test_deactivating_someone_of_another_network_is_refused(world):
    from improvenet.network.models import Cluster, Network

    with scopes_disabled():
        south = Network.objects.create(slug="south", name="South")
        gamma = Cluster.objects.create(network=south, slug="gamma", name="Gamma")
        ClusterRole.objects.create(cluster=gamma, user=world.users.viewer, role="viewer")
    admin = Client()
    admin.force_login(world.users.admin)
    answer = admin.post(f"/clusters/alpha/roles/{role_of(world, world.users.viewer).pk}/deactivate-account/", {})
    assert answer.status_code == 403
    world.users.viewer.refresh_from_db()
    assert world.users.viewer.is_active
