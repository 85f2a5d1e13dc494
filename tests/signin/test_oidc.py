"""The single sign-on flow's checks that need no browser: PKCE S256, state, errors, and its settings."""

import base64
import hashlib
import urllib.parse

import pytest

from improvenet import conf
from improvenet.signin import oidc
from improvenet.signin.views import OIDC_SESSION_KEY
from tests.signin.oidc import CLIENT_ID, CLIENT_SECRET, start_provider, stop

CALLBACK = "/accounts/sso/callback/"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    started = start_provider(f"http://testserver{CALLBACK}", tmp_path_factory.mktemp("oidc") / "provider.log")
    yield started
    stop(started.process)


@pytest.fixture
def sso(provider, settings):
    settings.SIGNIN_OIDC = {"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                            "allowed_domains": ["example.org"], "button_label": "Sign in with the district"}
    oidc._cache.clear()
    return settings.SIGNIN_OIDC


def test_the_start_sends_the_browser_to_the_provider_with_pkce_s256_state_and_nonce(db, client, sso):
    answer = client.get("/accounts/sso/start/?next=/clusters/alpha/")
    location = urllib.parse.urlsplit(answer["Location"])
    query = dict(urllib.parse.parse_qsl(location.query))
    kept = client.session[OIDC_SESSION_KEY]
    assert answer.status_code == 302 and f"{location.scheme}://{location.netloc}" == sso["issuer"]
    assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
    digest = hashlib.sha256(kept["verifier"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert (query["state"], query["nonce"], query["client_id"]) == (kept["state"], kept["nonce"], CLIENT_ID)
    assert query["redirect_uri"] == f"http://testserver{CALLBACK}" and kept["next"] == "/clusters/alpha/"
    assert client.get("/accounts/sso/start/?next=https://evil.example.com/").status_code == 302
    assert client.session[OIDC_SESSION_KEY]["next"] == ""


def test_a_callback_with_another_state_or_none_started_is_refused_once_and_for_all(db, client, sso):
    assert "was not started in this browser" in client.get(f"{CALLBACK}?code=x&state=y").content.decode()
    client.get("/accounts/sso/start/")
    state = client.session[OIDC_SESSION_KEY]["state"]
    refused = client.get(f"{CALLBACK}?code=x&state=not-{state}")
    assert refused.status_code == 400
    # The attempt is used up: its right state no longer works either.
    assert client.get(f"{CALLBACK}?code=x&state={state}").status_code == 400


def test_the_providers_refusal_is_shown(db, client, sso):
    client.get("/accounts/sso/start/")
    state = client.session[OIDC_SESSION_KEY]["state"]
    answer = client.get(f"{CALLBACK}?error=access_denied&error_description=The+user+cancelled&state={state}")
    assert answer.status_code == 403 and "The sign-in provider refused: The user cancelled" in answer.content.decode()


def test_a_code_the_provider_never_issued_is_refused_with_its_answer(db, client, sso):
    client.get("/accounts/sso/start/")
    state = client.session[OIDC_SESSION_KEY]["state"]
    page = client.get(f"{CALLBACK}?code=made-up&state={state}").content.decode()
    assert "The sign-in provider answered 400" in page and "invalid_grant" in page
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_the_button_and_passwords_off_hides_the_reset(db, client, sso, settings):
    page = client.get("/accounts/login/?next=/clusters/alpha/").content.decode()
    assert 'href="/accounts/sso/start/?next=/clusters/alpha/">Sign in with the district</a>' in page
    assert "Forgot your password?" in page
    settings.SIGNIN_SSO_ONLY = True
    page = client.get("/accounts/login/").content.decode()
    assert "Passwords are turned off for everyone else." in page and "Forgot your password?" not in page


def test_without_a_provider_the_sso_pages_do_not_exist(db, client):
    assert client.get("/accounts/sso/start/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_settings_name_what_single_sign_on_misses(monkeypatch, tmp_path):
    for name in ("IMPROVENET_OIDC_ISSUER", "IMPROVENET_OIDC_CLIENT_SECRET", "IMPROVENET_OIDC_ALLOWED_DOMAINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMPROVENET_SSO_ONLY", "1")
    with pytest.raises(conf.ConfigurationError, match="IMPROVENET_SSO_ONLY is on but IMPROVENET_OIDC_ISSUER"):
        conf.oidc_settings()
    monkeypatch.setenv("IMPROVENET_OIDC_ISSUER", "https://accounts.google.com/")
    monkeypatch.setenv("IMPROVENET_OIDC_CLIENT_ID", "improvenet")
    with pytest.raises(conf.ConfigurationError,
                       match="IMPROVENET_OIDC_CLIENT_SECRET, IMPROVENET_OIDC_ALLOWED_DOMAINS is not"):
        conf.oidc_settings()
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("IMPROVENET_OIDC_CLIENT_SECRET_FILE", str(secret))
    monkeypatch.setenv("IMPROVENET_OIDC_ALLOWED_DOMAINS", "@RUSD.example.org, staff.rusd.example.org")
    config = conf.oidc_settings()
    assert config["issuer"] == "https://accounts.google.com" and config["client_secret"] == "from-a-file"
    assert config["allowed_domains"] == ["rusd.example.org", "staff.rusd.example.org"]
