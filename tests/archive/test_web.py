"""The archive page and its download: who gets them, and what they give."""

import io
import json

from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from improvenet.network.models import Membership, Person
from tests.archive.conftest import members


def download(client, url: str) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"] == "application/zip"
    return b"".join(answer.streaming_content)


def test_the_lead_sees_what_the_archive_holds_and_downloads_it(client, world):
    client.force_login(world.users.lead)
    page = client.get("/clusters/alpha/archive/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<th scope="row">Schools</th><td>2</td>' in html
    assert 'href="/clusters/alpha/archive/export.zip"' in html
    assert "<code>improvenet import FILE.zip --sha256 HEX</code>" in html  # how to detect a changed archive
    assert "<code>sha256sum FILE.zip</code>" in html
    answer = client.get("/clusters/alpha/archive/export.zip")
    assert answer["Content-Disposition"].startswith('attachment; filename="improvenet-alpha-')
    files = members(b"".join(answer.streaming_content))
    assert json.loads(files["manifest.json"])["cluster"]["slug"] == "alpha"


def test_the_api_gives_the_same_archive(api_as, world):
    answer = api_as(world.users.admin).get("/clusters/alpha/archive")
    assert answer.status_code == 200
    files = members(b"".join(answer.streaming_content))
    assert "tables/network.school.csv" in files


def test_a_superuser_without_a_role_may_export_and_other_readers_may_not(client, world):
    operator = get_user_model().objects.create_superuser("operator", "operator@example.org", "x")
    client.force_login(operator)
    assert "tables/network.school.csv" in members(download(client, "/clusters/alpha/archive/export.zip"))
    for user, status in ((world.users.member, 403), (world.users.viewer, 403), (world.users.outsider, 404)):
        client.force_login(user)
        assert client.get("/clusters/alpha/archive/export.zip").status_code == status, user.username
        assert client.get("/clusters/alpha/archive/").status_code == status, user.username
    client.force_login(operator)
    assert client.get("/clusters/nowhere/archive/").status_code == 404


def test_a_cluster_that_cannot_be_archived_says_why_on_the_page(client, api_as, world):
    with scopes_disabled():
        stranger = Person.objects.create(cluster=world.beta, given_name="Ben", family_name="Beta")
        Membership.objects.create(team=world.team, person=stranger, role="Teacher", started_on="2026-01-05")
    client.force_login(world.users.lead)
    answer = client.get("/clusters/alpha/archive/export.zip")
    assert answer.status_code == 409
    assert "person_id points to network.person" in answer.content.decode()
    refused = api_as(world.users.lead).get("/clusters/alpha/archive")
    assert refused.status_code == 409
    assert "cannot be archived" in json.loads(io.BytesIO(refused.content).read())["detail"]
