"""Single sign-on end to end: Chromium signs in to an improvenet server through a real OpenID Connect provider.

Both run on loopback in their own processes; the provider's sign-in page takes the person's e-mail address as
the login (tests/signin/oidc_provider/provider.mjs).
"""

import re

import pytest

from tests.browser.conftest import browser, page, sign_in_at_the_provider  # noqa: F401 (the Chromium fixtures)
from tests.live_server import free_port, run_command
from tests.signin.oidc import CLIENT_ID, CLIENT_SECRET, account_email, start_provider, start_server, stop

pytestmark = pytest.mark.browser
BUTTON = "Sign in with the test district"


@pytest.fixture(scope="module")
def sso_site(server_environment, tmp_path_factory):
    """An improvenet server on the demo's database with single sign-on through the provider."""
    logs = tmp_path_factory.mktemp("sso")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = start_provider(f"{base}/accounts/sso/callback/", logs / "provider.log")
    alice = account_email(server_environment, "alice")
    environment = server_environment | {
        "IMPROVENET_OIDC_ISSUER": provider.issuer, "IMPROVENET_OIDC_CLIENT_ID": CLIENT_ID,
        "IMPROVENET_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "IMPROVENET_OIDC_ALLOWED_DOMAINS": alice.rpartition("@")[2], "IMPROVENET_OIDC_BUTTON_LABEL": BUTTON,
    }
    server = start_server(environment, port, logs / "server.log")
    try:
        yield base, provider, alice
    finally:
        stop(server)
        stop(provider.process)


def sign_in_through_the_provider(page, base: str, login: str, next_path: str = "") -> None:  # noqa: F811
    page.goto(f"{base}/accounts/login/{next_path}")
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_provider(page, login)


def test_signing_in_through_the_provider_lands_signed_in(sso_site, page):  # noqa: F811
    base, _, alice = sso_site
    sign_in_through_the_provider(page, base, alice, "?next=/clusters/riverside/")
    assert page.url == f"{base}/clusters/riverside/", page.inner_text("main")
    assert page.get_by_role("button", name="Sign out alice").is_visible()


def test_an_address_the_provider_has_not_verified_is_refused(sso_site, page):  # noqa: F811
    base, _, alice = sso_site
    sign_in_through_the_provider(page, base, f"unverified:{alice}")
    assert page.get_by_role("heading", name="Single sign-on did not sign you in").is_visible()
    assert f"The provider has not verified the e-mail address {alice}" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="Sign out alice").count() == 0


@pytest.mark.parametrize(("mode", "reason"), [
    ("aud", "was issued for another application (wrong audience)"),
    ("expired", "ID token has expired"),
])
def test_a_token_for_another_audience_or_expired_is_refused(sso_site, page, mode, reason):  # noqa: F811
    base, provider, alice = sso_site
    provider.tamper(mode)
    sign_in_through_the_provider(page, base, alice)
    assert reason in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="Sign out alice").count() == 0
    page.goto(f"{base}/clusters/riverside/")
    assert page.url.startswith(f"{base}/accounts/login/")


def test_a_verified_address_without_an_account_is_told_to_ask_for_an_invitation(sso_site, page):  # noqa: F811
    base, _, alice = sso_site
    stranger = "new.teacher@" + alice.rpartition("@")[2]
    sign_in_through_the_provider(page, base, stranger)
    assert page.get_by_role("heading", name="No account for this address").is_visible()
    assert "Ask your cluster lead for an invitation" in page.get_by_role("alert").inner_text()


def test_an_address_outside_the_allowed_domains_is_refused(sso_site, page):  # noqa: F811
    base, _, _ = sso_site
    sign_in_through_the_provider(page, base, "someone@elsewhere.example.com")
    assert "Addresses at elsewhere.example.com may not sign in here" in page.get_by_role("alert").inner_text()


def test_an_invitation_accepted_with_single_sign_on_lands_with_the_invited_role(
    sso_site, page, mail_server, server_environment  # noqa: F811
):
    """A lead invites by the command line; the e-mail's link, then the provider, and the newcomer lands on
    their home in the cluster, with the role the invitation gave."""
    base, _, alice = sso_site
    newcomer = "invited.researcher@" + alice.rpartition("@")[2]
    run_command(server_environment | mail_server.environment | {"IMPROVENET_SITE_URL": base}, "invite", newcomer,
                "--name", "Ines Invited", "--role", "researcher", "-c", "riverside", "--by", "alice")
    body = mail_server.body(mail_server.wait_for(1)[0])
    link = re.search(rf"{re.escape(base)}/accounts/invitations/[^/\s]+/", body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Sign in with single sign-on").click()
    sign_in_at_the_provider(page, newcomer)
    # Home, with the cluster the invitation gave and its role.
    assert page.url == f"{base}/", page.inner_text("main")
    assert "Riverside Researcher" in page.inner_text("main")
    roles = page.goto(f"{base}/clusters/riverside/roles/")
    assert roles.status == 200 and "Ines Invited" in page.inner_text("main")
    # The link was for one use: opening it again does not sign anyone in.
    page.context.clear_cookies()
    page.goto(link)
    assert page.get_by_role("button", name="Sign in with single sign-on").count() == 0
