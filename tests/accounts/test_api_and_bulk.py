"""Roles and invitations through the API with real tokens, and invitations from a CSV or XLSX file."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from openpyxl import Workbook

from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.network.models import ClusterRole, Person
from tests.accounts.test_invitations import link_in, path_of

GOOD_CSV = (
    "name,email,role,team,school\n"
    "Maria Lopez,maria@example.org,member,Alpha High design team,Alpha High\n"
    "Sam Okafor,sam@example.org,Researcher,,\n"
    "Lee Chen,lee@example.org,viewer,,170000100001\n"
)


def test_roles_through_the_api(world, api_as):
    lead, viewer = api_as(world.users.lead), api_as(world.users.viewer)
    listed = viewer.get("/clusters/alpha/roles").json()
    assert listed["count"] == 4 and {item["username"] for item in listed["items"]} == {
        "lead", "member", "researcher", "viewer"}
    viewer_role = next(item for item in listed["items"] if item["username"] == "viewer")
    assert viewer.patch(f"/clusters/alpha/roles/{viewer_role['id']}", {"role": "lead"}).status_code == 403
    changed = lead.patch(f"/clusters/alpha/roles/{viewer_role['id']}", {"role": "researcher", "reason": "Evaluator"})
    assert changed.status_code == 200 and changed.json()["role"] == "researcher"

    lead_role = next(item for item in listed["items"] if item["username"] == "lead")
    refused = lead.post(f"/clusters/alpha/roles/{lead_role['id']}/revoke", {})
    assert refused.status_code == 422 and "last lead" in refused.json()["detail"]
    revoked = lead.post(f"/clusters/alpha/roles/{viewer_role['id']}/revoke", {"reason": "Moved away"})
    assert revoked.status_code == 200 and revoked.json()["action"] == "revoked"
    assert lead.get(f"/clusters/alpha/roles/{viewer_role['id']}").status_code == 404

    unknown = lead.post("/clusters/alpha/roles", {"username": "viewer", "role": "viewer"})
    assert unknown.status_code == 422 and "invite the person" in unknown.json()["errors"][0]["message"]
    with scopes_disabled():
        Person.objects.create(cluster=world.alpha, given_name="V", family_name="Iewer", user=world.users.viewer)
    granted = lead.post("/clusters/alpha/roles", {"username": "viewer", "role": "viewer", "reason": "Back"})
    assert granted.status_code == 201 and granted.json()["role"] == "viewer"
    assert lead.post("/clusters/alpha/roles", {"username": "member", "role": "viewer"}).status_code == 409

    log = lead.get("/clusters/alpha/role-changes").json()
    assert [(item["action"], item["channel"]) for item in log["items"]] == [
        ("granted", "api"), ("revoked", "api"), ("changed", "api")]
    assert viewer.get("/clusters/alpha/role-changes").status_code == 403
    assert api_as(world.users.outsider).get("/clusters/alpha/roles").status_code == 404


def test_deactivating_through_the_api(world, api_as):
    researcher_api = api_as(world.users.researcher)
    held = ClusterRole.objects.get(cluster=world.alpha, user=world.users.researcher)
    assert api_as(world.users.lead).post(f"/clusters/alpha/roles/{held.pk}/deactivate-account", {}).status_code == 403
    done = api_as(world.users.admin).post(f"/clusters/alpha/roles/{held.pk}/deactivate-account", {"reason": "Left"})
    assert done.status_code == 200 and done.json()["action"] == "deactivated"
    assert researcher_api.get("/clusters").status_code == 401


def test_invitations_through_the_api_with_mail(world, api_as, mail_server):
    lead = api_as(world.users.lead)
    body = {"given_name": "Nia", "family_name": "Park", "email": "nia@example.org", "role": "member",
            "team_id": world.team.pk}
    created = lead.post("/clusters/alpha/invitations", body)
    assert created.status_code == 201, created.content
    invitation = created.json()
    assert invitation["status"] == "Pending" and invitation["invited_by"] == "lead" and invitation["times_sent"] == 1
    first = link_in(mail_server, "nia@example.org")
    assert lead.post("/clusters/alpha/invitations", body).status_code == 409
    bad = lead.post("/clusters/alpha/invitations", body | {"email": "not an address", "team_id": None})
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} >= {"email"}
    assert lead.get("/clusters/alpha/invitations", status="pending").json()["count"] == 1

    resent = lead.post(f"/clusters/alpha/invitations/{invitation['id']}/resend")
    assert resent.status_code == 200 and resent.json()["times_sent"] == 2
    assert link_in(mail_server, "nia@example.org") != first
    withdrawn = lead.post(f"/clusters/alpha/invitations/{invitation['id']}/withdraw", {"reason": "Wrong school"})
    assert withdrawn.json()["status"] == "Withdrawn"
    assert lead.post(f"/clusters/alpha/invitations/{invitation['id']}/withdraw").status_code == 422

    viewer = api_as(world.users.viewer)
    assert viewer.get("/clusters/alpha/invitations").status_code == 403
    assert viewer.post("/clusters/alpha/invitations", body).status_code == 403
    assert api_as(world.users.outsider).get("/clusters/alpha/invitations").status_code == 404


def test_bulk_invitation_on_the_page_sends_every_e_mail_and_each_link_works(world, client, mail_server):
    client.force_login(world.users.lead)
    upload = SimpleUploadedFile("people.csv", GOOD_CSV.encode(), "text/csv")
    answer = client.post("/clusters/alpha/invitations/bulk/", {"file": upload})
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    mail_server.wait_for(3)
    assert {str(message["To"]) for message in mail_server.messages} == {
        "maria@example.org", "sam@example.org", "lee@example.org"}
    with scopes_disabled():
        lee = Invitation.objects.get(email="lee@example.org")
        assert (lee.role, lee.school_id) == ("viewer", world.high.pk)
        assert Invitation.objects.get(email="maria@example.org").team_id == world.team.pk
        assert RoleEvent.objects.filter(action="invited").count() == 3
    visitor = client.__class__()
    link = path_of(link_in(mail_server, "sam@example.org"))
    joined = visitor.post(link, {"password": "another good passphrase", "again": "another good passphrase"})
    assert joined.status_code == 302
    with scopes_disabled():
        assert ClusterRole.objects.get(cluster=world.alpha, user__email="sam@example.org").role == "researcher"


def test_a_file_with_bad_rows_sends_nothing_and_names_each_line(world, client, mail_server, api_as):
    with scopes_disabled():
        Invitation.objects.create(cluster=world.alpha, email="pending@example.org", given_name="P", role="viewer",
                                  digest="0" * 64, expires_at="2999-01-01T00:00Z")
    text = (GOOD_CSV
            + "No Mail,,viewer,,\n"
            + "Twice,maria@example.org,viewer,,\n"
            + "Boss,viewer@EXAMPLE.org,lead,,\n"
            + "Ghost,ghost@example.org,wizard,Nowhere team,Hogwarts\n"
            + "Mem,mem@example.org,member,,\n"
            + "Pen,pending@example.org,viewer,,\n")
    client.force_login(world.users.lead)
    answer = client.post("/clusters/alpha/invitations/bulk/",
                         {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")})
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "Nothing was sent: 6 rows" in page
    for line, words in ((5, "e-mail address is missing"), (6, "invited on line 2 already"),
                        (7, "already holds a role"), (8, "“wizard” is not one of"), (8, "no current team"),
                        (8, "no school “Hogwarts”"), (9, "needs the team"), (10, "pending invitation")):
        assert f"<td>{line}</td>" in page and words in page, (line, words)
    assert mail_server.messages == []
    with scopes_disabled():
        assert Invitation.objects.count() == 1

    # The same answer through the API, with an XLSX file.
    workbook = Workbook()
    sheet = workbook.active
    for row in [line.split(",") for line in text.strip().splitlines()]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    lead = api_as(world.users.lead)
    refused = lead.client.post("/api/clusters/alpha/invitations/bulk",
                               {"file": SimpleUploadedFile("people.xlsx", buffer.getvalue())}, **lead._headers())
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == [f"row {n}" for n in (5, 6, 7, 8, 9, 10)]
    not_a_table = lead.client.post("/api/clusters/alpha/invitations/bulk",
                                   {"file": SimpleUploadedFile("people.pdf", b"%PDF")}, **lead._headers())
    assert not_a_table.status_code == 422 and "csv or .xlsx" in not_a_table.json()["detail"]
    good = lead.client.post("/api/clusters/alpha/invitations/bulk",
                            {"file": SimpleUploadedFile("people.csv", GOOD_CSV.encode())}, **lead._headers())
    assert good.status_code == 201 and good.json()["count"] == 3
    assert len(mail_server.wait_for(3)) == 3
