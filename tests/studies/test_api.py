"""The studies API: create and change with field errors, register, revisions only with a reason, allocations
drawn and saved once (then only with a reason), results; viewers read the summary only."""

from django_scopes import scopes_disabled

from improvenet.data.models import AuditEvent

BASE = "/clusters/alpha/studies"


def _payload(study, **changes) -> dict:
    body = {"title": "Advisory trial", "change_idea_id": study.change_idea_id, "primary_outcome": "gpa",
            "smallest_effect": 0.25, "starts_on": "2026-08-15", "ends_on": "2027-06-15",
            "agreement_id": study.agreement_id, "power_design": "cra2r2",
            "power_parameters": {"n": 80, "J": 24, "rho2": 0.15}}
    return body | changes


def test_researchers_plan_register_and_revise_studies(api_as, world, study):
    researcher = api_as(world.users.researcher)
    bad = researcher.post(BASE, _payload(study, change_idea_id=None, smallest_effect=9,
                                         power_parameters={"rho": 0.1}))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"change_idea_id", "smallest_effect", "power_parameters"}
    created = researcher.post(BASE, _payload(study))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert researcher.post(f"{BASE}/{pk}/register").json()["registered_at"]
    refused = researcher.patch(f"{BASE}/{pk}", {"smallest_effect": 0.3})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "revision_reason"
    changed = researcher.patch(f"{BASE}/{pk}", {"smallest_effect": 0.3, "revision_reason": "Cost threshold."})
    assert changed.status_code == 200 and changed.json()["smallest_effect"] == 0.3
    assert api_as(world.users.member).patch(f"{BASE}/{pk}", {"title": "X"}).status_code == 403
    assert api_as(world.users.viewer).get(f"{BASE}/{pk}").json()["title"] == "Advisory trial"
    assert api_as(world.users.viewer).get(BASE, registered=True).json()["count"] == 1


def test_allocations_are_saved_once_then_only_with_a_reason(api_as, world, study):
    lead = api_as(world.users.lead)
    url = f"{BASE}/{study.pk}/allocations"
    body = {"school_ids": [world.high.pk, world.middle.pk], "seed": 5}
    assert "Register the study first" in lead.post(url, body).content.decode()
    assert lead.post(f"{BASE}/{study.pk}/register").status_code == 200
    saved = lead.post(url, body)
    assert saved.status_code == 201 and saved.json()["seed"] == 5 and saved.json()["number"] == 1
    assert sorted(unit["treated"] for unit in saved.json()["units"]) == [False, True]
    again = lead.post(url, body)
    assert again.status_code == 422 and "running it again is refused" in again.content.decode()
    assert lead.post(url, body | {"reason": "A school closed."}).json()["number"] == 2
    assert [a["number"] for a in api_as(world.users.member).get(url).json()] == [1, 2]
    assert api_as(world.users.viewer).get(url).status_code == 403
    assert api_as(world.users.member).post(url, body | {"reason": "x"}).status_code == 403
    other = lead.post(url, {"school_ids": [world.high.pk, world.beta_school.pk], "reason": "x"})
    assert other.status_code == 422 and "names no school of this cluster" in other.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(channel="api", action__startswith="study allocation").count() == 2
    assert api_as(world.users.member).get(f"{BASE}/{study.pk}/results").json() == []
