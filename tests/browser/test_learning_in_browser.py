"""In headless Chromium against `improvenet serve` with the demo: alice reads what the network learned.

She opens the spread grid, follows a change idea to its evidence, downloads a convening packet as
PDF (a real PDF with her school teams' cycles in its text), and searches for a word of a cycle's learning.
"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_pdsa_in_browser import audit

pytestmark = pytest.mark.browser


def test_alice_follows_a_change_idea_from_the_spread_grid_to_its_evidence(page, live_server_url):
    base = live_server_url
    sign_in(page, base, "alice")
    page.goto(f"{base}/clusters/riverside/")
    menu = page.get_by_role("navigation", name="Riverside", exact=True)
    menu.get_by_role("link", name="Learning").click()
    menu.get_by_role("link", name="Spread grid").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spread of change ideas on")
    grid = page.get_by_role("table")
    expect(grid.locator("tbody th[scope=row]").first).to_be_visible()
    assert grid.locator("td .stage").count() > 10, "the demo's ideas have stages in many schools"
    assert audit(page) == []

    idea = page.locator("ol li a").filter(has_text="Help-seeking routine")
    title = idea.inner_text()
    idea.click()
    page.get_by_role("link", name="Evidence for this idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Evidence for “{title}”")
    expect(page.get_by_text("Evidence level:")).to_contain_text("Supported")
    expect(page.get_by_role("heading", name="Why this level")).to_be_visible()
    cycles = page.get_by_role("heading", name=re.compile(r"^PDSA cycles in Riverside by school"))
    expect(cycles).to_be_visible()
    assert audit(page) == []


def test_alice_downloads_a_convening_packet_with_the_cycles_in_it(page, live_server_url):
    base = live_server_url
    sign_in(page, base, "alice")
    page.goto(f"{base}/clusters/riverside/learning/ideas/")
    page.get_by_role("navigation", name="Riverside", exact=True).get_by_role("link", name="Convenings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convenings of Riverside")
    page.get_by_role("table").get_by_role("link").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(": packet of ")
    assert audit(page) == []
    objectives = page.locator("article.packet-cycle dd a").all_inner_texts()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this packet as PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("riverside-convening-")
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF-")
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    squashed = " ".join(text.split())
    assert objectives, "the packet page lists the cycles since the last convening"
    for objective in objectives[:3]:
        assert " ".join(objective.split())[:40] in squashed


def test_alice_searches_for_a_word_from_a_cycles_learning(page, live_server_url):
    sign_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/clusters/riverside/learning/ideas/")
    page.get_by_role("navigation", name="Riverside", exact=True).get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search Riverside")
    assert audit(page) == []
    # From the learning the demo's teams wrote: "students needed a sentence starter and more time on Mondays".
    page.get_by_label("Search for").press_sequentially("sentence starter", delay=40)
    status = page.get_by_role("status").filter(has_text="result")
    expect(status).to_contain_text("for “sentence starter”")
    expect(page.locator("ol.search-results mark").first).to_have_text(re.compile("sentence", re.I))
    assert re.search(r"[?&]q=sentence(\+|%20)starter", page.url), "the address follows, for the back button"
    assert audit(page) == []
    page.get_by_label("Kind of record").select_option("cycle")
    expect(status).to_contain_text("for “sentence starter”")
    kinds = page.locator("ol.search-results p.muted").all_inner_texts()
    assert kinds and all(text.startswith("PDSA cycle") for text in kinds)
