"""The partnership API: rubric versions, rounds, self-assessments and the report, with the pages' rules."""

from django_scopes import scopes_disabled

from improvenet.partnership import health as ph
from improvenet.partnership.models import SelfAssessment

BASE = "/clusters/alpha/partnership"


def body(organization, **levels) -> dict:
    names = ("beginning", "developing", "established", "sustaining")
    return {"organization_id": organization.pk, "notes": "", "ratings": [
        {"dimension": key, "level": names[levels.get(key, 1) - 1], "evidence": "Meeting minutes."}
        for key in ("continuous_improvement", "equity", "coordination", "capacity_building")]}


def test_the_rubric_starts_as_the_default_and_the_lead_saves_versions(api_as, partners):
    reader = api_as(partners.world.users.viewer)
    rubric = reader.get(f"{BASE}/rubric").json()
    assert (rubric["id"], rubric["version"], rubric["gap_threshold"]) == (None, 1, ph.DEFAULT_GAP_THRESHOLD)
    assert [d["key"] for d in rubric["dimensions"]] == [d.key for d in ph.DEFAULT_RUBRIC.dimensions]
    assert reader.post(f"{BASE}/rubric", rubric).status_code == 403
    lead = api_as(partners.world.users.lead)
    rubric["dimensions"][0]["levels"] = rubric["dimensions"][0]["levels"][:1]
    refused = lead.post(f"{BASE}/rubric", rubric)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "dimensions", "message": "Continuous improvement has 1 level; a "
                                                                           "dimension needs at least 2."}]
    rubric["dimensions"] = rubric["dimensions"][1:]
    created = lead.post(f"{BASE}/rubric", rubric | {"change_note": "Three dimensions"})
    assert created.status_code == 201 and created.json()["version"] == 1
    assert [v["change_note"] for v in reader.get(f"{BASE}/rubric/versions").json()] == ["Three dimensions"]


def test_rounds_and_self_assessments_through_the_api(api_as, partners):
    lead = api_as(partners.world.users.lead)
    created = lead.post(f"{BASE}/rounds", {"held_on": "2025-10-06", "title": "Fall 2025"})
    assert created.status_code == 201 and created.json()["number"] == 3
    clash = lead.patch(f"{BASE}/rounds/{created.json()['id']}", {"held_on": "2025-03-03"})
    assert clash.status_code == 409
    listed = lead.get(f"{BASE}/rounds").json()
    assert [(r["number"], r["title"]) for r in listed["items"]] == [(1, "Fall 2024"), (2, "Spring 2025"),
                                                                    (3, "Fall 2025")]
    url = f"{BASE}/rounds/{partners.fall.pk}/assessments"
    missing = body(partners.district)
    missing["ratings"][1]["evidence"] = ""
    refused = lead.post(url, missing)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ratings.equity"
    twice = body(partners.district)
    twice["ratings"].append(twice["ratings"][0])
    assert lead.post(url, twice).json()["errors"][0]["field"] == "ratings.continuous_improvement"
    saved = lead.post(url, body(partners.district, equity=3))
    assert saved.status_code == 201, saved.content
    assert saved.json()["rubric_version"] == 1
    assert lead.post(url, body(partners.district)).status_code == 409
    lead.post(url, body(partners.union, equity=1))
    changed = lead.patch(f"{BASE}/assessments/{saved.json()['id']}",
                       {"notes": "Corrected", "ratings": body(partners.district, equity=4)["ratings"]})
    assert changed.status_code == 200 and changed.json()["ratings"][1]["level"] == "sustaining"
    report = api_as(partners.world.users.viewer).get(f"{BASE}/report").json()
    assert [(g["round"], g["dimension"], g["spread"]) for g in report["gaps"]] == [(1, "equity", 3)]
    assert report["summary"][0] == "2 partner organizations assessed the partnership in 1 round."
    assert len(report["rounds"]) == 3 and report["outcomes"] == []


def test_people_of_a_partner_record_their_own_organization_only(api_as, partners):
    researcher = api_as(partners.world.users.researcher)
    url = f"{BASE}/rounds/{partners.fall.pk}/assessments"
    assert researcher.post(url, body(partners.district)).status_code == 403
    assert researcher.post(url, body(partners.university)).status_code == 201
    assert api_as(partners.world.users.member).post(url, body(partners.university)).status_code == 403
    with scopes_disabled():
        assert SelfAssessment.objects.get().recorded_by == partners.world.users.researcher
    missing = researcher.post(url, body(partners.world.beta_school))
    assert missing.status_code == 422
    outsider = api_as(partners.world.users.outsider)
    assert outsider.get(f"{BASE}/report").status_code == 404
    assert outsider.get(f"/clusters/beta/partnership/rounds/{partners.fall.pk}").status_code == 404


def test_an_organization_id_no_row_can_have_is_refused_as_input(api_as, partners):
    answer = api_as(partners.world.users.lead).post(f"{BASE}/rounds/{partners.fall.pk}/assessments",
                                                    body(partners.union) | {"organization_id": 2**70})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "organization_id"


def test_a_nul_character_is_refused_as_input_not_a_database_error(api_as, partners):
    lead = api_as(partners.world.users.lead)
    payload = body(partners.union)
    payload["ratings"][0]["evidence"] = "Minutes\x00"
    answer = lead.post(f"{BASE}/rounds/{partners.fall.pk}/assessments", payload)
    assert answer.status_code == 422 and "NUL character" in answer.content.decode()
    with scopes_disabled():
        assert not SelfAssessment.objects.exists()
