"""Signing out everywhere ends every session (and, when asked, every API token) at once; idle sessions end."""

from django.test import Client

from improvenet.accounts.models import ApiToken
from improvenet.signin.middleware import LAST_SEEN, SEEN_PRECISION
from improvenet.signin.models import SignInEvent

PASSWORD = "correct horse battery"
CLUSTER_PAGE = "/clusters/alpha/"


def signed_in(username: str) -> Client:
    browser = Client()
    assert browser.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    assert browser.get(CLUSTER_PAGE).status_code == 200
    return browser


def test_signing_out_everywhere_ends_every_session_of_the_account_only(world, api_as):
    laptop, phone, colleague = signed_in("lead"), signed_in("lead"), signed_in("member")
    api = api_as(world.users.lead)
    page = laptop.get("/accounts/sign-out-everywhere/").content.decode()
    assert "Also revoke my API tokens (1 active)" in page
    answer = laptop.post("/accounts/sign-out-everywhere/")
    assert answer["Location"] == "/accounts/login/"
    for browser in (laptop, phone):
        assert browser.get(CLUSTER_PAGE)["Location"].startswith("/accounts/login/")
    message = phone.get("/accounts/login/").content.decode()
    assert "You signed out everywhere, so this browser was signed out too" in message
    assert colleague.get(CLUSTER_PAGE).status_code == 200
    # Tokens stay unless asked for, and signing in again works.
    assert api.get("/clusters/alpha").status_code == 200
    assert signed_in("lead").get(CLUSTER_PAGE).status_code == 200
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, username="lead").count() == 1


def test_signing_out_everywhere_can_revoke_every_api_token_at_once(world, api_as):
    browser = signed_in("lead")
    api = api_as(world.users.lead)
    other = ApiToken.issue(world.users.lead, "notebook")[1]
    kept = api_as(world.users.member)
    assert api.get("/clusters/alpha").status_code == 200
    browser.post("/accounts/sign-out-everywhere/", {"revoke_tokens": "1"})
    assert api.get("/clusters/alpha").status_code == 401
    assert ApiToken.authenticate(other) is None
    assert kept.get("/clusters/alpha").status_code == 200


def test_an_idle_session_ends_after_the_timeout(world, settings):
    settings.SIGNIN_IDLE_TIMEOUT = 30 * 60
    browser = signed_in("lead")
    session = browser.session
    assert session[LAST_SEEN] > 0
    # Active 29 minutes ago (the last request noted, at most a minute before the last one): still signed in.
    session[LAST_SEEN] -= 29 * 60
    session.save()
    assert browser.get(CLUSTER_PAGE).status_code == 200
    session = browser.session
    session[LAST_SEEN] -= settings.SIGNIN_IDLE_TIMEOUT + SEEN_PRECISION + 1
    session.save()
    assert browser.get(CLUSTER_PAGE)["Location"].startswith("/accounts/login/")
    page = browser.get("/accounts/login/").content.decode()
    assert "inactive for longer than this site allows (30 min)" in page
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.TIMED_OUT, username="lead").exists()


def test_without_a_timeout_an_old_session_stays(world, settings):
    settings.SIGNIN_IDLE_TIMEOUT = 0
    browser = signed_in("lead")
    session = browser.session
    session[LAST_SEEN] -= 30 * 24 * 3600
    session.save()
    assert browser.get(CLUSTER_PAGE).status_code == 200
