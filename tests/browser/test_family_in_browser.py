"""In headless Chromium against `improvenet serve` with the demo: a family, not signed in, reads a Riverside
school's page in Spanish and sends an opt-out request; the receipt is in Spanish and names no student."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_pdsa_in_browser import audit

pytestmark = pytest.mark.browser


def test_a_family_reads_its_schools_page_in_spanish_and_opts_out(page, live_server_url):
    base = live_server_url
    page.goto(f"{base}/families/riverside/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("El grupo de escuelas Riverside: información para las "
                                                              "familias")
    assert audit(page) == []

    school = page.locator("section ul li a").first
    name = school.inner_text()
    school.click()
    expect(page).to_have_url(re.compile(r"/es/families/riverside/schools/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}: información para las familias")
    expect(page.get_by_role("heading", name="Cómo salir de la investigación")).to_be_visible()
    assert audit(page) == []

    page.get_by_label("Número de identificación del estudiante en el distrito").fill("RV-123456")
    page.get_by_label("Fecha de nacimiento del estudiante").fill("2013-02-14")
    page.get_by_label("Su nombre (madre, padre o tutor)").fill("Lucía Fernández")
    page.get_by_label("Su correo electrónico o número de teléfono").fill("mal-correo@")
    page.get_by_role("button", name="Enviar la solicitud para salir de la investigación").click()
    expect(page.get_by_role("alert")).to_contain_text("Este correo electrónico no está completo")
    page.get_by_label("Su correo electrónico o número de teléfono").fill("lucia@example.org")
    page.get_by_role("button", name="Enviar la solicitud para salir de la investigación").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias: recibimos su solicitud")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Su número de referencia es OPT-\w{4}-\w{4}"))
    body = page.locator("main").inner_text()
    assert "RV-123456" not in body and "Lucía" not in body
    assert audit(page) == []
