"""Chromium, driven by Playwright, against the real demo server of tests/live_server.py."""

import io
import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from improvenet.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
PAPERS = ("A4", "Letter")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's event loop must not outlive the browser tests into database tests."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in with a password on the sign-in page, as a person would, and land on the home."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()


def printed(page, paper: str) -> PdfReader:
    """The page as Chromium prints it, with the print stylesheet, on A4 or Letter paper."""
    return PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))


def sign_in_at_the_provider(page, login: str) -> None:
    """On the test OpenID Connect provider's own sign-in page (tests/signin/oidc_provider): the login is an
    e-mail address, and any password is taken."""
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the test provider takes any")
    provider = "{0.scheme}://{0.netloc}/".format(urlsplit(page.url))
    page.click("button[type=submit]")
    # Back at improvenet, its page loaded: the provider's own page is already loaded, so a wait for a load
    # state alone could return before the browser has left it.
    page.wait_for_url(lambda url: not url.startswith(provider))
