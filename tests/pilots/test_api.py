"""The pilots API: products and pilots with the models' rules as 422, the stage gates, the usage upload."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from improvenet.pilots.estimates import finished_pilot_estimates
from improvenet.pilots.models import UsageWeek
from improvenet.synthesis.sources import estimate_sources
from tests.pilots.conftest import make_pilot


def test_a_product_is_added_with_its_rules_checked(piloted, api_as):
    api = api_as(piloted.world.users.lead)
    answer = api.post("/clusters/alpha/products", {"company_id": piloted.union.pk, "name": "Union app",
                                                   "price_per_student": "3.00"})
    assert answer.status_code == 422
    assert "a product's maker is a company or a nonprofit partner" in answer.json()["errors"][0]["message"]
    answer = api.post("/clusters/alpha/products", {
        "company_id": piloted.company.pk, "name": "Math Coach", "price_per_student": "4.50", "currency": "EUR",
        "price_unit": "per_month", "privacy_agreement_id": piloted.privacy.pk})
    assert answer.status_code == 201
    assert answer.json()["price_label"] == "4.50 EUR per student per month"
    assert api_as(piloted.world.users.member).post("/clusters/alpha/products", {
        "company_id": piloted.company.pk, "name": "X", "price_per_student": "1"}).status_code == 403


def test_a_pilot_moves_through_its_gates_by_the_api(piloted, api_as):
    api = api_as(piloted.world.users.lead)
    answer = api.post("/clusters/alpha/pilots", {"product_id": piloted.product.pk, "title": "Coach pilot",
                                                 "school_ids": [piloted.world.high.pk]})
    assert answer.status_code == 201, answer.content
    pilot = answer.json()
    assert pilot["stage"] == "need" and pilot["missing"] == ["Write the need the product should meet."]
    item = f"/clusters/alpha/pilots/{pilot['id']}"
    answer = api.post(f"{item}/advance")
    assert answer.status_code == 422
    assert answer.json()["detail"] == "Before the pilot moves on: Write the need the product should meet."
    answer = api.patch(item, {"success_statement": "0.2 SD"})
    assert answer.status_code == 422
    assert "is written in Plan; this pilot is at Identify the need" in answer.json()["errors"][0]["message"]
    assert api.patch(item, {"need": "Reading."}).status_code == 200
    assert api.post(f"{item}/advance").json()["stage"] == "select"
    answer = api.patch(item, {"school_ids": [piloted.world.beta_school.pk]})
    assert answer.status_code == 422 and "no school with id" in answer.json()["errors"][0]["message"]


def test_usage_is_uploaded_whole_or_refused_with_the_lines(piloted, api_as, client):
    pilot = make_pilot(piloted, "implement")
    api = api_as(piloted.world.users.lead)
    first, _ = pilot.usage_window()
    url = f"/api/clusters/alpha/pilots/{pilot.pk}/usage"
    bad = f"school,week,active_students,minutes\nAlpha High,{first},12,600\nAlpha High,{first},3,90\n".encode()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    answer = client.post(url, {"file": SimpleUploadedFile("usage.csv", bad)}, **headers)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "line 3", "message": "line 2 already gives this school and week"}]
    good = f"school,week,active_students,minutes\nAlpha High,{first},12,600\n".encode()
    answer = client.post(url, {"file": SimpleUploadedFile("usage.csv", good)}, **headers)
    assert answer.status_code == 201 and answer.json()["weeks"] == 1
    assert api.get(f"/clusters/alpha/pilots/{pilot.pk}/usage").json() == [
        {"school_id": piloted.world.high.pk, "week": str(first), "active_students": 12, "minutes": 600.0}]
    with scope(cluster=piloted.world.alpha):
        assert UsageWeek.objects.count() == 1


def test_finished_pilots_are_a_source_of_the_evidence_ledger(piloted, api_as):
    assert estimate_sources()["pilots"] is finished_pilot_estimates
    pilot = make_pilot(piloted, "decide")
    alpha = frozenset({piloted.world.alpha.pk})
    assert list(finished_pilot_estimates("product", piloted.product.pk, alpha)) == [], "not decided yet"
    api = api_as(piloted.world.users.lead)
    answer = api.post(f"/clusters/alpha/pilots/{pilot.pk}/decide", {"decision": "adopt", "reason": "It worked."})
    assert answer.status_code == 200
    assert answer.json()["cost_per_tenth_sd"]["unit"] == "per student for each 0.1 SD of effect"
    [estimate] = finished_pilot_estimates("product", piloted.product.pk, alpha)
    assert (estimate.source, estimate.site, estimate.cluster_id) == (
        "pilots", "Alpha: Reading Coach pilot", piloted.world.alpha.pk)
    assert (estimate.yi, round(estimate.vi, 6), estimate.outcome) == (0.2, 0.0064, "Spring benchmark")
    assert estimate.url == f"/clusters/alpha/pilots/{pilot.pk}/"
    assert estimate.moderators == {"cluster": "Alpha", "schools": 2, "dosage_minutes_per_week": 56.7}
    assert list(finished_pilot_estimates("product", piloted.product.pk, frozenset({piloted.world.beta.pk}))) == []
    assert list(finished_pilot_estimates("change_idea", piloted.product.pk, alpha)) == []
