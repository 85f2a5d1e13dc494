"""Password reset by e-mail through a real SMTP server, its limit, and changing a password."""

import re
import time

from django.contrib.auth import get_user_model

from improvenet.ratelimits.models import RequestCount
from improvenet.signin import guard
from improvenet.signin.models import SignInEvent

LINK = re.compile(r"https?://\S+/accounts/password/reset/\S+/")
SENT = "/accounts/password/reset/sent/"


def ask_reset(client, email: str, language: str = ""):
    prefix = f"/{language}" if language else ""
    answer = client.post(f"{prefix}/accounts/password/reset/", {"email": email})
    assert answer.status_code == 302 and answer["Location"] == prefix + SENT
    return answer


def test_a_reset_link_arrives_by_e_mail_and_sets_a_new_password(world, client, mail_server):
    ask_reset(client, "viewer@example.org")
    (message,) = mail_server.wait_for(1)
    assert message["To"] == "viewer@example.org" and message["Subject"] == "Reset your improvenet password"
    body = mail_server.body(message)
    assert "(viewer)" in body
    link = LINK.search(body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a brand new passphrase",
                                                    "new_password2": "a brand new passphrase"})
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert client.login(username="viewer", password="a brand new passphrase")
    # The link works once.
    client.logout()
    assert "does not work any more" in client.get(link, follow=True).content.decode()


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(world, client, mail_server):
    known = ask_reset(client, "viewer@example.org")
    unknown = ask_reset(client, "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    mail_server.wait_for(1)
    assert mail_server.to("nobody@example.org") == []
    page = client.get(SENT).content.decode()
    assert "If an account has this address" in page


def test_one_address_gets_at_most_3_reset_e_mails_an_hour(world, client, mail_server):
    for _ in range(guard.RESET_EMAILS_PER_ADDRESS + 2):
        ask_reset(client, "Viewer@Example.org")
    ask_reset(client, "member@example.org")
    mail_server.wait_for(guard.RESET_EMAILS_PER_ADDRESS + 1)
    assert len(mail_server.to("viewer@example.org")) == guard.RESET_EMAILS_PER_ADDRESS
    assert len(mail_server.to("member@example.org")) == 1
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.RESET_LIMITED, username="viewer@example.org").count() == 2


def test_the_reset_limit_is_the_shared_counter_in_the_database_so_it_holds_across_processes(world, client,
                                                                                         mail_server):
    """Another process's three reset requests are a row of the shared counter: this one sends nothing."""
    now = int(time.time())
    window = now // 3600 * 3600
    RequestCount.objects.create(scope=guard.RESET_SCOPE, subject="viewer@example.org", client="",
                                window_start=window, expires=window + 3600, hits=guard.RESET_EMAILS_PER_ADDRESS)
    ask_reset(client, "viewer@example.org")
    ask_reset(client, "member@example.org")
    mail_server.wait_for(1)
    assert mail_server.to("viewer@example.org") == [] and len(mail_server.to("member@example.org")) == 1
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.RESET_LIMITED, username="viewer@example.org").count() == 1


def test_the_reset_is_in_spanish_from_the_spanish_pages(world, client, mail_server):
    english = client.get("/accounts/password/reset/").content.decode()
    assert 'href="/es/accounts/password/reset/" hreflang="es"' in english
    assert "Restablecer su contraseña" in client.get("/es/accounts/password/reset/").content.decode()
    ask_reset(client, "viewer@example.org", language="es")
    (message,) = mail_server.wait_for(1)
    assert message["Subject"] == "Restablecer su contraseña de improvenet"
    body = mail_server.body(message)
    assert "Para elegir una contraseña nueva" in body
    assert "Elija una contraseña nueva" in client.get(LINK.search(body).group(0), follow=True).content.decode()


def test_passwords_off_sends_resets_to_superusers_only(world, client, mail_server, settings):
    settings.SIGNIN_SSO_ONLY = True
    get_user_model().objects.filter(username="net-admin").update(is_superuser=True)
    ask_reset(client, "viewer@example.org")
    ask_reset(client, "net-admin@example.org")
    (message,) = mail_server.wait_for(1)
    assert message["To"] == "net-admin@example.org"


def test_login_logout_and_password_change(world, client):
    world.users.viewer.set_password("old passphrase 1")
    world.users.viewer.save()
    answer = client.post("/accounts/login/", {"username": "viewer", "password": "old passphrase 1"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    changed = client.post("/accounts/password/", {
        "old_password": "old passphrase 1",
        "new_password1": "a much newer passphrase",
        "new_password2": "a much newer passphrase",
    })
    assert changed.status_code == 302 and changed["Location"] == "/accounts/password/done/"
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert client.login(username="viewer", password="a much newer passphrase")


def test_wrong_password_is_refused_with_a_message(world, client):
    answer = client.post("/accounts/login/", {"username": "viewer", "password": "nope"})
    assert answer.status_code == 200 and "did not match" in answer.content.decode()
