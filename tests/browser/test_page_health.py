"""Every GET page of the permission table, opened once in Chromium at 1366 px and at 390 px, as a demo user
allowed to read it (the family pages anonymously): no console error, no sideways scrolling, no broken
image or missing asset, and no WCAG 2.1 AA violation that axe finds. Then bob's way from signing in to
answering a prediction, through the home and the menu only.

One browser, one tab per user, reused from page to page, so that the whole table takes a few minutes.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PAPERS, printed, sign_in
from tests.browser.test_cluster_in_browser import AXE, WCAG_21_AA

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1366, 390)
# Files, not pages: they are downloaded, and their own tests read them.
DOWNLOADS = (".csv", ".pdf", ".svg", ".zip", "/csv/")
# Answers for machines, not people (tests/test_health.py reads it).
MACHINE_ANSWERS = {"/health"}
ASSETS = {"stylesheet", "script", "image", "font"}

FACTS = """async (tags) => {
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  const images = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);
  const audit = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  const violations = audit.violations.map(v => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(" ")}`);
  return {overflow, images, violations};
}"""


def page_list(server_environment, *arguments: str):
    """What tests/browser/page_list.py finds in the live server's database."""
    answer = subprocess.run([sys.executable, "-m", "tests.browser.page_list", *arguments], env=server_environment,
                            cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    return json.loads(answer.stdout)


@pytest.fixture(scope="module")
def pages(server_environment) -> list[dict]:
    """The table's GET pages with the ids of the live server's database."""
    return [page for page in page_list(server_environment)
            if not page["url"].endswith(DOWNLOADS) and "/documents/" not in page["url"]
            and page["url"] not in MACHINE_ANSWERS]


class Tab:
    """One signed-in tab of one user, noting the console errors and failed assets of the page it shows."""

    def __init__(self, browser, base_url: str, user: str):
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        # Through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", self._note_failed_request)
        self.page.on("response", self._note_missing_asset)
        if user != "anonymous":
            sign_in(self.page, base_url, user)

    def _note_failed_request(self, request) -> None:
        # The browser cancels what the page before was still asking (an htmx poll) when the tab moves on: no
        # fault of the page now shown. Every other failure is one.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def _note_missing_asset(self, response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSETS:
            self.errors.append(f"{response.status}: {response.url}")

    def problems(self, url: str) -> list[str]:
        self.errors.clear()
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        answer = self.page.goto(url, wait_until="load")
        found = [] if answer.status == 200 else [f"answered {answer.status}"]
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            facts = self.page.evaluate(FACTS, WCAG_21_AA)
            if facts["overflow"] > 0:
                found.append(f"{width} px: scrolls sideways by {facts['overflow']} px")
            found += [f"{width} px: broken image {src}" for src in facts["images"]]
            found += [f"{width} px: axe {violation}" for violation in facts["violations"]]
        found += [f"console: {error}" for error in dict.fromkeys(self.errors)]
        return found


def test_every_page_of_the_permission_table_is_healthy_at_both_widths(browser, live_server_url, pages):
    tabs: dict[str, Tab] = {}
    problems = {}
    started = time.perf_counter()
    for row in pages:
        if row["user"] not in tabs:
            tabs[row["user"]] = Tab(browser, live_server_url, row["user"])
        found = tabs[row["user"]].problems(live_server_url + row["url"])
        if found:
            problems[f"{row['name']} ({row['user']}) {row['url']}"] = found
    took = time.perf_counter() - started
    for tab in tabs.values():
        tab.context.close()
    print(f"page health: {len(pages)} pages at {len(WIDTHS)} widths in {took:.0f} s")
    assert len(pages) > 100
    assert problems == {}, json.dumps(problems, indent=1)


def test_bob_answers_a_prediction_through_the_home_and_the_menu(browser, live_server_url):
    tab = Tab(browser, live_server_url, "bob")
    page = tab.page
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    # The menu of the cluster: bob looks at the cycles, then comes back home.
    page.get_by_role("navigation", name="Riverside: areas").get_by_role("link", name="Cycles").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("cycles")
    expect(page.locator(".cluster-menu a[aria-current=page]")).to_have_text("Cycles")
    page.get_by_role("link", name="My work").first.click()
    # His team's cycle in Study, from the home, with its next step.
    study = page.locator("h4", has_text="Study").locator("xpath=following-sibling::ul[1]/li").first
    expect(study).to_contain_text("Next: ")
    study.get_by_role("link").first.click()
    expect(page.locator(".cluster-menu a[aria-current=true]")).to_have_text("Cycles")
    page.get_by_role("link", name=re.compile(r"^(Answer|Change the answer) prediction")).first.click()
    page.get_by_label("Confirmed", exact=True).check()
    page.get_by_label("What happened").fill("Twenty-two of twenty-five students set a goal.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("answered")
    expect(page.locator(".prediction", has_text="Twenty-two of twenty-five students")).to_contain_text("Confirmed")
    tab.context.close()


def test_the_api_documents_work_without_the_internet(browser, live_server_url):
    """Swagger UI is served from the site's own static files: with every other host unreachable, it still
    lists the API's operations."""
    context = browser.new_context()
    outside = []

    def only_this_server(route):
        if route.request.url.startswith(live_server_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server_url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert page.locator(".opblock").count() > 50
    assert outside == [] and errors == []
    icon = page.request.get(f"{live_server_url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    context.close()


# The pages people print, named as in the permission table; a measure's chart page is a school's chart.
PRINTED = ("cluster home", "cycle page", "school chart page", "aim page", "pyramid dashboard")


def test_the_printed_pages_fit_one_sheet_of_a4_and_of_letter(browser, live_server_url, pages, server_environment):
    """The print stylesheet leaves the menus, forms, buttons and footer out and keeps each page to one sheet,
    the demo's longest cycle too."""
    rows = {page["name"]: page["url"] for page in pages}
    urls = {name: rows[name] for name in PRINTED}
    urls["the demo's fullest cycle"] = page_list(server_environment, "fullest-cycle")
    tab = Tab(browser, live_server_url, "alice")
    sheets = {}
    for name, url in urls.items():
        tab.page.goto(live_server_url + url, wait_until="networkidle")
        for paper in PAPERS:
            sheets_printed = printed(tab.page, paper).pages
            text = sheets_printed[0].extract_text()
            assert "Sign out" not in text and "Running the cluster" not in text, (name, paper)
            sheets[(name, paper)] = len(sheets_printed)
    tab.context.close()
    assert sheets == dict.fromkeys(sheets, 1)
