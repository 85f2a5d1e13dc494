"""In headless Chromium: alice invites a teacher, the e-mail reaches a real SMTP server, and the teacher opens its
link, sets a password and lands in Riverside as a team member."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.live_server import COMMAND, _wait_until_up, free_port
from tests.mail_server import MailServer

pytestmark = pytest.mark.browser

LINK = re.compile(r"http://127\.0\.0\.1:\d+/accounts/invitations/[\w-]+/")


@pytest.fixture(scope="module")
def mail():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(server_environment, mail, tmp_path_factory):
    """The demo server, sending its e-mail to the SMTP server above."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("invite-log") / "server.log", "w+")
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port)], env=server_environment | mail.environment,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_an_invitation_accepted_with_a_password(browser, site, mail):
    lead = browser.new_context(viewport={"width": 1280, "height": 900})
    page = lead.new_page()
    sign_in(page, site, "alice")
    page.goto(f"{site}/clusters/riverside/roles/")
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("Given name").fill("Maria")
    page.get_by_label("Family name").fill("Lopez")
    page.get_by_label("E-mail").fill("maria.lopez@rusd.example.org")
    page.get_by_label("Role").select_option(label="Team member")
    page.get_by_label(re.compile(r"^Team")).select_option(label="Grace Hopper High School design team")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations to Riverside")
    expect(page.get_by_role("cell", name=re.compile("maria.lopez@rusd.example.org"))).to_be_visible()
    lead.close()

    [message] = mail.wait_for(1)
    assert message["To"] == "maria.lopez@rusd.example.org"
    link = LINK.search(mail.body(message)).group(0)

    # The invited teacher, on a phone.
    teacher = browser.new_context(viewport={"width": 390, "height": 844})
    page = teacher.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Riverside")
    page.get_by_label("Choose a password").fill("grace hopper advisory 2026")
    page.get_by_label("The same password again").fill("grace hopper advisory 2026")
    page.get_by_role("button", name="Set the password and join").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Riverside")
    expect(page.get_by_text("your role: Team member")).to_be_visible()
    # The link worked once.
    assert page.goto(link).status == 404
    teacher.close()
