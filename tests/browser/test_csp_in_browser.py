"""In headless Chromium against `improvenet serve` with the demo: the pages that run scripts (htmx, Vega charts,
the API's Swagger UI) work under the Content-Security-Policy, with no violation of it and no console error,
and their charts are drawn (docs/security.md)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# Collects the page's violations of its policy; a new document starts a new list.
RECORD_VIOLATIONS = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.policyViolations.push(
    `${event.violatedDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
));
"""


class Watched:
    """A page whose policy violations, console errors and uncaught errors are kept, and checked page by page."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))

    def _console(self, message) -> None:
        # Chromium asks every site for /favicon.ico, which improvenet does not have.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.problems.append(f"console error: {message.text}")

    def open(self, url: str) -> None:
        answer = self.page.goto(url)
        assert answer.status == 200, url
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.policyViolations")
        problems, self.problems = self.problems + violations, []
        assert problems == [], self.page.url

    def assert_charts_drawn(self) -> None:
        """Every chart box of the page holds a drawn chart with a width (not the NaN of a failed layout)."""
        boxes = self.page.locator("[data-spec]")
        expect(boxes.first).to_be_attached()
        expect(self.page.locator("[data-spec]:not(:has(svg))")).to_have_count(0)
        widths = boxes.locator("svg").evaluate_all("charts => charts.map(chart => chart.getAttribute('width'))")
        drawn = [width for width in widths if re.fullmatch(r"\d+(\.\d+)?", width)]
        assert len(drawn) == boxes.count(), (self.page.url, widths)

    def follow(self, pattern: str) -> str:
        """The address of the page's first link that matches the pattern."""
        addresses = self.page.locator("a[href]").evaluate_all("links => links.map(link => link.href)")
        return next(address for address in addresses if re.search(pattern, address))


@pytest.fixture
def watched(page) -> Watched:
    return Watched(page)


def test_alices_pages_run_their_scripts_within_the_policy(watched, live_server_url):
    page, cluster = watched.page, f"{live_server_url}/clusters/riverside"
    sign_in(page, live_server_url, "alice")
    watched.open(f"{cluster}/")
    assert page.evaluate("typeof htmx") == "object"
    watched.assert_clean()

    # htmx: the people list filters as one types, its request carrying the CSRF header from hx-headers.
    watched.open(f"{cluster}/people/")
    rows = page.locator("#people-rows tbody tr")
    everyone = rows.count()
    with page.expect_response(lambda answer: "/people/?q=" in answer.url):
        page.get_by_label("Search by name or title").fill("principal")
    expect(rows).not_to_have_count(everyone)
    watched.assert_clean()

    watched.open(f"{cluster}/measures/")
    watched.open(watched.follow(r"/measures/(?!new/)[\w-]+/$"))
    expect(page.locator("main svg").first).to_be_visible()
    watched.assert_clean()
    watched.open(watched.follow(r"/measures/[\w-]+/schools/\d+/$"))
    watched.assert_charts_drawn()
    watched.assert_clean()

    # htmx posting: an empty prediction on a cycle in Plan, sent with the CSRF header of hx-headers, is refused
    # (nothing saved) and the form comes back with its problems.
    watched.open(f"{cluster}/cycles/")
    planned = page.locator("tbody tr").filter(has=page.get_by_role("cell", name="Plan", exact=True)).first
    watched.open(planned.get_by_role("link").evaluate("link => link.href"))
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Add the prediction").click()
    assert posted.value.status == 200 and posted.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#predictions .error-summary")).to_be_visible()
    watched.assert_clean()

    watched.open(f"{cluster}/design/")
    watched.open(watched.follow(r"/design/aims/\d+/$"))
    expect(page.locator(".driver-diagram svg").first).to_be_visible()
    watched.assert_clean()

    for charts in ("pyramid-dashboards/", "partnership/", "induction/"):
        watched.open(f"{cluster}/{charts}")
        watched.assert_charts_drawn()
        watched.assert_clean()
    watched.open(f"{cluster}/pyramid-dashboards/")
    watched.open(watched.follow(r"/pyramid-dashboards/\d+/$"))
    watched.assert_charts_drawn()
    watched.assert_clean()

    watched.open(f"{live_server_url}/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    watched.assert_clean()


def test_the_family_pages_run_within_the_policy(watched, live_server_url):
    page = watched.page
    watched.open(f"{live_server_url}/families/riverside/")
    watched.assert_clean()
    watched.open(watched.follow(r"/families/riverside/schools/\d+/$"))
    expect(page.locator("main form").first).to_be_attached()
    watched.assert_clean()
    watched.open(watched.follow(r"/es/families/riverside/schools/\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    watched.assert_clean()
