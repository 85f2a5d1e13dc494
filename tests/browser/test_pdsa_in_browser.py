"""In headless Chromium against `improvenet serve` with the demo: bob runs a PDSA cycle from Plan to Act,
sees it on his team's board and as a mark on the chart of a measure the cycle uses."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_cluster_in_browser import WCAG_21_AA, load_axe

pytestmark = pytest.mark.browser

OBJECTIVE = "Browser test: students in one advisory set a weekly goal"
DO_STARTED_ON = "2025-03-03"
RUN = {}


def audit(page) -> list[str]:
    load_axe(page)
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`)",
        WCAG_21_AA,
    )


def test_bob_runs_a_pdsa_cycle_from_plan_to_act(page, live_server_url):
    base = live_server_url
    sign_in(page, base, "bob")
    page.goto(f"{base}/clusters/riverside/cycles/")
    assert audit(page) == []
    page.get_by_role("link", name="Plan a new cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a new PDSA cycle")
    assert audit(page) == []

    # Plan
    team = page.get_by_label("School design team")
    team.select_option(index=1)
    page.get_by_label("Change idea").select_option(index=1)
    page.get_by_label("Objective").fill(OBJECTIVE)
    page.get_by_label("Scale of the test").select_option("student_group")
    page.get_by_label("Planned start").fill("2025-03-03")
    measures = page.get_by_label("Measures")
    measure_names = measures.locator("option").all_inner_texts()
    if measure_names:
        measures.select_option(index=0)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"PDSA cycle: {OBJECTIVE}")
    cycle_url = page.url
    expect(page.get_by_role("heading", name="To move on: Start Do")).to_be_visible()

    # Starting Do without a prediction is refused, saying what is missing.
    page.get_by_role("button", name="Start Do").click()
    expect(page.get_by_role("alert")).to_contain_text("Add at least one prediction before starting Do.")
    assert audit(page) == []

    # A prediction, added inline (htmx), then Do.
    page.get_by_label(re.compile(r"^Prediction:?$")).fill("At least 9 of the 12 students write a goal each week.")
    page.get_by_label("What would confirm it").fill("9 or more goal sheets collected on Friday.")
    page.get_by_role("button", name="Add the prediction").click()
    expect(page.locator("#predictions")).to_contain_text("Prediction 1:")
    expect(page.locator("#predictions")).to_contain_text("9 or more goal sheets")
    page.get_by_label("Do started on").fill(DO_STARTED_ON)
    page.get_by_role("button", name="Start Do").click()
    expect(page.get_by_role("heading", name="To move on: Start Study")).to_be_visible()
    page.get_by_label("What happened").fill("Two advisors ran the conferences on Monday for two weeks.")
    page.get_by_role("button", name="Save the Do notes").click()
    # Every step below is a form posted and answered with the cycle's page again: each waits for the message
    # of its new page, or the old page's fields would be filled, and audited, while it goes away.
    expect(page.locator(".messages")).to_contain_text("Saved the Do notes.")
    page.get_by_label("Study started on").fill("2025-03-17")
    page.get_by_role("button", name="Start Study").click()

    # Study: the prediction is answered, the learning written, then Study closes.
    expect(page.get_by_role("heading", name="To move on: Close Study")).to_be_visible()
    assert audit(page) == []
    page.get_by_role("link", name="Answer prediction 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer prediction 1")
    assert audit(page) == []
    page.get_by_label("Confirmed", exact=True).check()
    page.get_by_label("What happened").fill("10 of 12 sheets came back on both Fridays.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#predictions")).to_contain_text("Confirmed")
    page.get_by_label("What we learned").fill("Students keep it up when the sheet is handed out at the door.")
    page.get_by_role("button", name="Save what we learned").click()
    expect(page.locator(".messages")).to_contain_text("Saved the Study notes.")
    page.get_by_label("Study closed on").fill("2025-03-19")
    page.get_by_role("button", name="Close Study").click()
    expect(page.locator(".messages")).to_contain_text("Study closed: now decide.")

    # Act: adopt.
    page.get_by_label("Adopt").check()
    page.get_by_label("Decided on").fill("2025-03-20")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("Decided on March 20, 2025: Adopt.")
    assert audit(page) == []

    # The team's board shows it under Done, decided Adopt.
    page.get_by_role("link", name=re.compile(r"design team board$")).first.click()
    done = page.locator("section.stage-done")
    expect(done).to_contain_text(OBJECTIVE[:60])
    expect(done).to_contain_text("Adopt")
    assert audit(page) == []

    RUN.update(cycle_url=cycle_url, measure=measure_names[0] if measure_names else None)


def test_bobs_cycle_is_a_mark_on_the_measure_chart(page, live_server_url):
    assert "cycle_url" in RUN, "the cycle of the previous test was not created"
    assert RUN["measure"], "bob's cycle uses no measure"
    sign_in(page, live_server_url, "bob")
    page.goto(RUN["cycle_url"])
    page.locator("dd a", has_text=RUN["measure"]).first.click()
    expect(page.get_by_role("heading", name="Cycles, adoptions and new parts on the time axis")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"{DO_STARTED_ON}: Cycle:")
    expect(page.locator("main")).to_contain_text("2025-03-20: Adopted:")
