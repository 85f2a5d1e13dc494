"""In headless Chromium against `improvenet serve` with the demo: carol, a researcher, plans a study. The power
panel answers as she changes the number of schools (htmx, without saving), she saves it with its field errors
corrected, and is told what registering it still needs; every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_cluster_in_browser import sign_in
from tests.browser.test_pdsa_in_browser import audit

pytestmark = pytest.mark.browser


def test_carol_plans_and_registers_a_study_with_the_power_panel_answering(page, live_server_url):
    base = live_server_url
    sign_in(page, base, "carol")
    page.goto(f"{base}/clusters/riverside/")
    menu = page.get_by_role("navigation", name="Riverside", exact=True)
    menu.get_by_role("link", name="Learning").click()
    menu.get_by_role("link", name="Studies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studies in Riverside")
    page.get_by_role("link", name="Power calculator").click()
    page.get_by_label("Power design").select_option("cra2r2")
    page.get_by_label("Schools (J)").fill("20")
    page.get_by_label("Students per unit (n)").fill("15")
    page.get_by_label("ρ₂: share of the outcome's variance between schools").fill("0.17")
    page.get_by_role("button", name="Compute").click()
    expect(page.locator("#power-panel")).to_contain_text("0.629 standard deviations")
    assert audit(page) == []
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Plan a study").click()
    assert audit(page) == []

    page.get_by_label("Title").fill("Advisory check-ins trial")
    page.get_by_label("Change idea").select_option(index=1)
    page.get_by_label("Primary outcome").select_option("gpa")
    page.get_by_label("Smallest effect that matters").fill("0.25")
    page.get_by_label("Window starts").fill("2026-08-17")
    page.get_by_label("Window ends").fill("2026-06-11")
    page.get_by_label("Power design").select_option("cra2r2")
    page.get_by_label("Students per unit (n)").fill("15")
    page.get_by_label("ρ₂: share of the outcome's variance between schools").fill("0.17")
    panel = page.locator("#power-panel")
    page.get_by_label("Schools (J)").fill("20")
    expect(panel).to_contain_text("0.629 standard deviations")
    expect(panel).to_contain_text("too small to detect it")
    page.get_by_label("Schools (J)").fill("120")
    expect(panel).to_contain_text("large enough")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("The window must end after it starts")
    assert audit(page) == []
    page.get_by_label("Window ends").fill("2027-06-11")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisory check-ins trial")
    expect(page.get_by_text("Not registered yet")).to_be_visible()
    # The demo without student data has no data use agreement: registering says what is missing.
    page.get_by_role("button", name="Register this study").click()
    expect(page.get_by_text(re.compile(r"Before registering, give the data use agreement"))).to_be_visible()
    expect(page.get_by_text("Not registered yet")).to_be_visible()
    assert audit(page) == []
