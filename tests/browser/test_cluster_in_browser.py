"""In headless Chromium against `improvenet serve` with the demo: what alice and dan see."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def load_axe(page) -> None:
    """Through the DevTools protocol, which the page's Content-Security-Policy does not govern: a <script> tag
    added to the page would be refused as inline script (docs/security.md)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))


def test_alice_opens_riverside_and_follows_a_school_pyramid(page, live_server_url):
    sign_in(page, live_server_url, "alice")
    page.get_by_role("link", name="Riverside", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Riverside")
    page.get_by_role("link", name="Schools, teams and partners").first.click()
    innovation = page.locator(".pyramid.role-innovation")
    expect(innovation).to_have_count(3)
    expect(page.locator(".pyramid.role-at_large")).to_have_count(4)
    expect(page.locator(".pyramid.role-comparison")).to_have_count(5)
    expect(page.get_by_role("link", name="District design team")).to_be_visible()

    high_school = innovation.first.get_by_role("heading", level=3).inner_text()
    feeders = innovation.first.locator(".feeders li").count()
    innovation.first.get_by_role("link", name=high_school).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{high_school} pyramid")
    rows = page.locator("tbody").first.locator("tr")
    expect(rows).to_have_count(feeders + 1)
    expect(rows.first).to_contain_text("High school")
    expect(rows.first).to_contain_text("Innovation school")
    expect(rows.nth(1)).to_contain_text("Middle school")
    expect(page.get_by_role("link", name=f"{high_school} design team")).to_be_visible()


def test_dan_of_lakeside_gets_no_access_to_riverside(page, live_server_url):
    sign_in(page, live_server_url, "dan")
    expect(page.get_by_role("link", name="Lakeside", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Riverside")).to_have_count(0)
    answer = page.goto(f"{live_server_url}/clusters/riverside/")
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert page.request.get(f"{live_server_url}/api/clusters/riverside/schools").status == 404


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(page, live_server_url):
    sign_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/clusters/riverside/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Skip to main content", "solid"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(
    "path",
    ["/", "/clusters/riverside/", "/clusters/riverside/people/", "/clusters/riverside/schools/new/",
     "/accounts/tokens/", "/accounts/password/"],
)
def test_pages_pass_a_wcag_21_aa_audit(page, live_server_url, path):
    sign_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}{path}")
    load_axe(page)
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`)",
        WCAG_21_AA,
    )
    assert violations == []


def test_pyramid_and_team_pages_pass_a_wcag_21_aa_audit(page, live_server_url):
    sign_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/clusters/riverside/directory/")
    pyramid = page.locator(".pyramid.role-innovation").first.get_by_role("heading", level=3).get_by_role("link")
    high_school = pyramid.inner_text()
    pyramid.click()
    # The directory links to a design team too: the pyramid's page must be the one shown before its team link.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{high_school} pyramid")
    page.get_by_role("link", name=f"{high_school} design team").click()
    expect(page.get_by_role("heading", name="Past members")).to_be_visible()
    for _ in range(2):
        load_axe(page)
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => v.id)", WCAG_21_AA,
        )
        assert violations == [], page.url
        page.go_back()
