"""The ledger pages: the pooled estimates in words, the forest plot and its downloads, and recording estimates by
form and by file (checked whole, every bad line named, nothing saved)."""

import html
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from improvenet.synthesis import meta
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate
from tests.synthesis.conftest import external_study, school_estimate


def text(answer) -> str:
    return html.unescape(answer.content.decode())


@pytest.fixture
def pooled(ledger_world):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05, poverty_share=0.4)
    school_estimate(world.alpha, world.middle, idea, 0.45, 0.06, poverty_share=0.7)
    external_study(world.alpha, idea, 0.05, 0.04, url="https://example.org/smith", poverty_share=0.3)
    return ledger_world


def test_the_ledger_page_gives_both_models_the_new_school_interval_in_words_and_the_forest_plot(pooled, client):
    world, idea = pooled.world, pooled.idea
    client.force_login(world.users.viewer)
    base = f"/clusters/alpha/ledger/ideas/{idea.pk}/"
    page = text(client.get(base))
    random = meta.pool([0.20, 0.45, 0.05], [0.05**2, 0.06**2, 0.04**2], "REML")
    fixed = meta.pool([0.20, 0.45, 0.05], [0.05**2, 0.06**2, 0.04**2], "FE")
    assert (f"In a new school like these, the effect is likely between {random.pi_low:.2f} and "
            f"{random.pi_high:.2f} standard deviations") in page
    assert f"{fixed.estimate:.3f}" in page and f"{random.estimate:.3f}" in page
    assert "Hartung–Knapp, because there are fewer than 20 estimates" in page
    assert "Share of students in poverty" in page and 'href="https://example.org/smith"' in page
    spec = json.loads(page.split('id="forest-smd" type="application/json">')[1].split("</script>")[0])
    assert [row["row"] for row in spec["data"]["values"]][:2] == ["Alpha High (Alpha)", "Alpha Middle (Alpha)"]
    # Another method, and the downloads.
    assert "random effects, Paule–Mandel" in text(client.get(base, {"method": "PM"}))
    svg = client.get(f"{base}forest-smd.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    pdf = client.get(f"{base}forest-smd.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"{base}forest-log_rr.svg").status_code == 404
    # The index, the learning page and the menu link to it.
    assert base in text(client.get("/clusters/alpha/ledger/"))
    assert base in text(client.get(f"/clusters/alpha/learning/ideas/{idea.pk}/"))
    assert 'href="/clusters/alpha/ledger/"' in text(client.get("/clusters/alpha/learning/ideas/"))


def test_a_lead_adds_an_external_study_from_the_groups_means(pooled, client):
    world, idea = pooled.world, pooled.idea
    client.force_login(world.users.lead)
    form = f"/clusters/alpha/ledger/ideas/{idea.pk}/studies/new/"
    data = {"citation": "Okafor (2019)", "outcome": "Math score", "wwc_rating": "not_reviewed", "scale": "smd",
            "effect_type": "smd", "mean_treatment": "251.2", "sd_treatment": "30.1", "n_treatment": "210",
            "mean_comparison": "246.8", "sd_comparison": "29.5", "n_comparison": "205"}
    assert client.post(form, data).status_code == 302
    with scopes_disabled():
        study = ExternalStudy.objects.get(citation="Okafor (2019)")
    g, v = meta.hedges_g(251.2, 30.1, 210, 246.8, 29.5, 205)
    assert study.effect == pytest.approx(g) and study.standard_error == pytest.approx(v**0.5)
    assert study.computed_from.startswith("Hedges' g from means")
    refused = client.post(form, {**data, "n_comparison": "lots", "sd_treatment": ""})
    assert refused.status_code == 422
    assert "“lots” is not a number." in text(refused) and "Give a number here." in text(refused)
    client.force_login(world.users.member)
    assert client.get(form).status_code == 403


def test_a_lead_records_a_schools_estimate_and_the_choice_to_leave_it_out(pooled, client):
    world, idea = pooled.world, pooled.idea
    client.force_login(world.users.lead)
    with scopes_disabled():
        estimate = SchoolEstimate.objects.get(school=world.middle)
    edit = f"/clusters/alpha/ledger/schools/{estimate.pk}/edit/"
    data = {"school": world.middle.pk, "outcome": "GPA", "start_year": 2024, "effect": 0.45, "standard_error": 0.06,
            "scale": "smd", "inclusion_reason": "", "included": ""}
    assert "Say why the team includes this estimate" in text(client.post(edit, data))
    assert client.post(edit, {**data, "inclusion_reason": "Its trends before the start diverged."}).status_code == 302
    page = text(client.get(f"/clusters/alpha/ledger/ideas/{idea.pk}/"))
    assert "Its trends before the start diverged." in page and "2 estimates in standard deviations" in page
    new = f"/clusters/alpha/ledger/ideas/{idea.pk}/schools/new/"
    refused = client.post(new, {**data, "school": world.beta_school.pk, "inclusion_reason": "x"})
    assert refused.status_code == 422 and "Select a valid choice" in text(refused)


STUDIES = ("citation,outcome,wwc_rating,effect,standard_error,effect_type,events_treatment,n_treatment,"
           "events_comparison,n_comparison\n")


def test_studies_from_a_file_are_checked_whole_and_every_bad_line_is_named(pooled, client):
    world, idea = pooled.world, pooled.idea
    client.force_login(world.users.lead)
    upload = f"/clusters/alpha/ledger/ideas/{idea.pk}/studies/upload/"
    bad = (STUDIES + "Good (2020),GPA,with_reservations,0.2,0.1,,,,,\n"
                     "Bad (2021),GPA,not_reviewed,0.2,-1,,,,,\n"
                     "Worse (2022),On track,maybe,,,cox,30,20,10,40\n")
    refused = client.post(upload, {"file": SimpleUploadedFile("studies.csv", bad.encode())})
    page = text(refused)
    assert refused.status_code == 422
    assert "Line 3, column standard_error: The standard error is -1; it must be greater than 0." in page
    assert "Line 4, column wwc_rating:" in page
    assert "Line 4, column effect_type: Events must lie between 0 and the group's size" in page
    with scopes_disabled():
        assert not ExternalStudy.objects.filter(citation__in=["Good (2020)", "Bad (2021)"]).exists()
    good = STUDIES + "Good (2020),GPA,with_reservations,0.2,0.1,,,,,\nYes (2023),On track,,,,cox,30,60,20,60\n"
    assert client.post(upload, {"file": SimpleUploadedFile("studies.csv", good.encode())}).status_code == 302
    with scopes_disabled():
        cox = ExternalStudy.objects.get(citation="Yes (2023)")
    assert cox.effect == pytest.approx(meta.cox_logit(30, 60, 20, 60)[0])
    too_big = client.post(upload, {"file": SimpleUploadedFile("studies.csv", b"citation\n" + b"x" * 11_000_000)})
    assert too_big.status_code == 422 and "can be at most" in text(too_big)


def test_the_documented_example_file_of_external_studies_loads(pooled, client):
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "external-studies.csv"
    client.force_login(pooled.world.users.lead)
    upload = f"/clusters/alpha/ledger/ideas/{pooled.idea.pk}/studies/upload/"
    answer = client.post(upload, {"file": SimpleUploadedFile("external-studies.csv", example.read_bytes())})
    assert answer.status_code == 302, text(answer)[:2000]
    with scopes_disabled():
        studies = {s.citation.split(",")[0]: s for s in ExternalStudy.objects.filter(citation__contains=")")}
    assert studies["Lindqvist et al. (2019)"].effect == pytest.approx(
        meta.hedges_g(251.2, 30.1, 1240, 247.9, 29.8, 1240)[0])
    assert studies["Moreau (2021)"].effect == pytest.approx(meta.cox_logit(262, 305, 241, 305)[0])
