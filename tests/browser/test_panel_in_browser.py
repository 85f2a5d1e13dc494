"""In headless Chromium against `improvenet serve` with the demo: alice records the standing panel's vote.

The demo leaves one panel vote open with five of the seven ballots quorum needs. Alice records two
more members' ballots as the panel votes, closes the vote, records the decision with the priority it
adds to the research agenda, and finds the decision on the research agenda page.
"""

import re

import pytest
from playwright.sync_api import expect

from improvenet.demo.governance import OPEN_VOTE_TITLE
from tests.browser.conftest import sign_in
from tests.browser.test_pdsa_in_browser import audit

pytestmark = pytest.mark.browser

WINNER = "Does a ninth-grade attendance team reduce chronic absence?"


def test_alice_records_a_panel_vote_and_sees_the_decision_on_the_research_agenda(page, live_server_url):
    base = live_server_url
    sign_in(page, base, "alice")
    page.goto(f"{base}/clusters/riverside/running/")
    page.get_by_role("navigation", name="Riverside", exact=True).get_by_role("link", name="Standing panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Standing panel of Riverside")
    assert audit(page) == []
    page.get_by_role("link", name=OPEN_VOTE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Panel vote: {OPEN_VOTE_TITLE}")
    expect(page.get_by_text("5 of 13 members voted; quorum is 7.")).to_be_visible()
    assert audit(page) == []

    # Each ballot waits for its own count: the message of the one before is still on the page it replaces.
    for voted in (6, 7):
        page.get_by_label("Panel member").select_option(index=1)
        page.get_by_role("checkbox", name=WINNER).check()
        page.get_by_role("button", name="Record the ballot").click()
        expect(page.get_by_text(f"{voted} of 13 members voted; quorum is 7.")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Recorded the ballot of "))).to_be_visible()

    page.get_by_role("button", name="Close the vote and count").click()
    expect(page.get_by_text("Closed the vote and counted 7 ballots. Quorum was met.")).to_be_visible()
    expect(page.get_by_text(f"Chosen by the count: {WINNER}")).to_be_visible()
    expect(page.get_by_role("heading", name="Constituency balance of support")).to_be_visible()
    assert audit(page) == []

    page.get_by_role("link", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record the decision of the vote")
    expect(page.get_by_label("Result")).to_have_value(f"The panel chose “{WINNER}”.")
    page.get_by_label("Rationale").fill("Seven of thirteen members voted and every one approved the attendance team.")
    page.get_by_label("Change to the research agenda").select_option("added")
    page.get_by_label("Studies of the priority").fill("Attendance team pilot | https://example.org/pilot | Two schools")
    assert audit(page) == []
    page.get_by_role("button", name="Record the decision").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Research agenda of Riverside on")
    priority = page.locator("article.priority").filter(has_text=WINNER)
    expect(priority).to_contain_text(f"The panel chose “{WINNER}”.")
    expect(priority.get_by_role("link", name="Attendance team pilot")).to_have_attribute(
        "href", "https://example.org/pilot")
    history = page.get_by_role("table").filter(has_text="Added to the agenda")
    expect(history.get_by_role("row").filter(has_text=WINNER)).to_contain_text("October 15, 2026")
    assert audit(page) == []
