"""Invitations through the pages, sent through a real SMTP server, accepted by following the e-mailed link."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.accounts import invitations
from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.network.models import ClusterRole, Membership, Person
from tests.live_server import free_port

LINK = re.compile(r"https?://\S+/accounts/invitations/[\w-]+/")


def link_in(mail_server, address: str) -> str:
    """The acceptance link of the last e-mail the SMTP server received for `address`."""
    message = mail_server.to(address)[-1]
    found = LINK.search(mail_server.body(message))
    assert found, mail_server.body(message)
    return found.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _main(answer) -> str:
    return answer.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def invite_on_page(client, world, **fields):
    client.force_login(world.users.lead)
    form = {"given_name": "Maria", "family_name": "Lopez", "email": "maria@example.org", "role": "viewer"} | fields
    return client.post("/clusters/alpha/invitations/new/", form)


def test_lead_invites_and_the_person_sets_a_password_and_lands_in_the_cluster(world, client, mail_server):
    answer = invite_on_page(client, world, role="member", team=world.team.pk, school=world.high.pk)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    [message] = mail_server.wait_for(1)
    assert message["To"] == "maria@example.org"
    assert "Invitation to Alpha" in message["Subject"]
    body = mail_server.body(message)
    assert "team member" in body and "Alpha High design team" in body
    link = link_in(mail_server, "maria@example.org")
    with scopes_disabled():
        invitation = Invitation.objects.get()
    secret = path_of(link).rstrip("/").rsplit("/", 1)[1]
    assert secret not in invitation.digest and len(invitation.digest) == 64  # only a digest is stored

    visitor = Client()
    page = visitor.get(path_of(link))
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    weak = visitor.post(path_of(link), {"password": "12345", "again": "12345"})
    assert weak.status_code == 422 and "too short" in weak.content.decode()
    joined = visitor.post(path_of(link), {"password": "a good long passphrase", "again": "a good long passphrase"})
    assert joined.status_code == 302 and joined["Location"] == "/clusters/alpha/"
    home = visitor.get("/clusters/alpha/")
    assert home.status_code == 200 and "your role: Team member" in home.content.decode()

    with scopes_disabled():
        role = ClusterRole.objects.get(cluster=world.alpha, user__email="maria@example.org")
        person = Person.objects.get(cluster=world.alpha, email="maria@example.org")
        membership = Membership.objects.get(person=person)
        invitation.refresh_from_db()
        actions = list(RoleEvent.objects.filter(cluster=world.alpha).values_list("action", flat=True))
    assert role.role == "member" and person.user == role.user and person.home_organization_id == world.high.pk
    assert membership.team == world.team and membership.is_current
    assert invitation.status == "accepted" and invitation.accepted_by == role.user
    assert actions == ["accepted", "invited"]
    # Single use: the link no longer opens anything, and says the same as an unknown link.
    again = Client().get(path_of(link))
    unknown = Client().get("/accounts/invitations/" + "x" * 43 + "/")
    assert again.status_code == unknown.status_code == 404
    assert _main(again) == _main(unknown) and "link does not work" in _main(again)


def test_an_expired_or_withdrawn_link_does_not_work(world, client, mail_server, settings):
    settings.IMPROVENET_INVITATION_DAYS = 2
    invite_on_page(client, world)
    link = link_in(mail_server, "maria@example.org")
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(datetime.timedelta(days=2),
                                                                           abs=datetime.timedelta(seconds=5))
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(path_of(link)).status_code == 404
    listed = client.get("/clusters/alpha/invitations/").content.decode()
    assert "Expired" in listed

    # Sending it again makes a new link with new days; the old one stays dead.
    assert client.post(f"/clusters/alpha/invitations/{invitation.pk}/resend/").status_code == 302
    new_link = link_in(mail_server, "maria@example.org")
    assert new_link != link and len(mail_server.messages) == 2
    assert Client().get(path_of(link)).status_code == 404
    assert Client().get(path_of(new_link)).status_code == 200

    assert client.post(f"/clusters/alpha/invitations/{invitation.pk}/withdraw/").status_code == 302
    assert Client().get(path_of(new_link)).status_code == 404
    with scopes_disabled():
        actions = list(RoleEvent.objects.values_list("action", flat=True))
    assert actions == ["withdrawn", "resent", "invited"]


def test_an_existing_account_signs_in_to_accept(world, client, mail_server):
    invite_on_page(client, world, email="Outsider@Example.org", role="researcher")
    link = path_of(link_in(mail_server, "outsider@example.org"))
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "Sign in to accept" in page and "Choose a password" not in page
    visitor.force_login(world.users.outsider)
    assert visitor.post(link).status_code == 302
    with scopes_disabled():
        assert ClusterRole.objects.get(cluster=world.alpha, user=world.users.outsider).role == "researcher"
        assert Person.objects.get(cluster=world.alpha, user=world.users.outsider).email == "Outsider@Example.org"
    # Signed in as someone else, the page says so and accepts nothing.
    invite_on_page(client, world, email="third@example.org")
    other = Client()
    other.force_login(world.users.viewer)
    third = path_of(link_in(mail_server, "third@example.org"))
    assert "another e-mail address" in other.get(third).content.decode()
    other.post(third)
    with scopes_disabled():
        assert Invitation.objects.get(email="third@example.org").status == "pending"


def test_refusals_name_the_problem_and_send_nothing(world, client, mail_server):
    member_without_team = invite_on_page(client, world, role="member")
    assert member_without_team.status_code == 422 and "choose the team" in member_without_team.content.decode()
    has_role = invite_on_page(client, world, email="VIEWER@example.org")
    assert has_role.status_code == 422 and "already holds a role" in has_role.content.decode()
    assert invite_on_page(client, world).status_code == 302
    twice = invite_on_page(client, world, email="MARIA@example.org")
    assert twice.status_code == 422 and "already has a pending invitation" in twice.content.decode()
    assert len(mail_server.messages) == 1
    for user in (world.users.viewer, world.users.member):
        client.force_login(user)
        assert client.get("/clusters/alpha/invitations/").status_code == 403
        assert client.post("/clusters/alpha/invitations/new/", {}).status_code == 403


def test_an_smtp_refusal_saves_nothing(world, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    answer = invite_on_page(client, world)
    assert answer.status_code == 422 and "could not be sent" in answer.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists() and not RoleEvent.objects.exists()


class SsoRequest:
    def __init__(self, session):
        self.session = session


def test_claim_accepts_the_invitation_kept_in_the_session_for_the_same_address(world, client, mail_server):
    invite_on_page(client, world, email="Nia@Example.org", role="researcher", school=world.high.pk)
    link = path_of(link_in(mail_server, "nia@example.org"))
    visitor = Client()
    sso = visitor.post(link.rstrip("/") + "/sso/")
    # improvenet.signin's start of single sign-on.
    assert sso.status_code == 302 and sso["Location"] == "/accounts/sso/start/"
    secret = visitor.session[invitations.SESSION_KEY]

    assert invitations.claim(SsoRequest({invitations.SESSION_KEY: secret}), "someone.else@example.org") is None
    user = invitations.claim(SsoRequest({invitations.SESSION_KEY: secret}), "nia@EXAMPLE.org")
    assert user is not None and not user.has_usable_password() and user.email == "Nia@Example.org"
    with scope(cluster=world.alpha):
        assert ClusterRole.objects.get(cluster=world.alpha, user=user).role == "researcher"
        assert Person.objects.get(user=user).home_organization_id == world.high.pk
        assert Invitation.objects.get().status == "accepted"
    session = {invitations.SESSION_KEY: secret}
    assert invitations.claim(SsoRequest(session), "nia@example.org") is None  # single use
    assert invitations.SESSION_KEY not in session
    assert invitations.claim(SsoRequest({}), "nia@example.org") is None
