"""The learning API: evidence per change idea and the spread stages, with the same rules as the pages."""

import datetime

import pytest
from django_scopes import scope

from improvenet.learning.models import SpreadStage
from tests.learning.conftest import decided_cycle

D = datetime.date
STAGES = "/clusters/alpha/learning/spread-stages"


def test_evidence_list_and_one_idea(pdsa, api_as):
    decided_cycle(pdsa, "abandon", D(2025, 2, 10), notes="It took too long.")
    api = api_as(pdsa.world.users.viewer)
    listed = api.get("/clusters/alpha/learning/evidence")
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["title"] == "Weekly goal-setting conferences" and item["level"] == "being_tested"
    one = api.get(f"/clusters/alpha/learning/evidence/{pdsa.idea.pk}").json()
    assert one["cycles"] == 1 and one["schools"] == 1
    assert one["decisions"][0]["decision"] == "abandon" and one["decisions"][0]["notes"] == "It took too long."
    assert one["reasons"][0] == "Tested in 1 cycle in 1 school."
    assert api.get(f"/clusters/alpha/learning/evidence/{pdsa.beta_idea.pk}").status_code == 404


def test_a_school_team_records_stages_of_its_own_school(pdsa, api_as):
    world = pdsa.world
    api = api_as(world.users.member)
    body = {"change_idea_id": pdsa.idea.pk, "school_id": world.high.pk, "stage": "testing",
            "started_on": "2025-01-06", "reason": "First cycle."}
    created = api.post(STAGES, body)
    assert created.status_code == 201, created.json()
    assert created.json()["recorded_by"] == "member" and created.json()["stage"] == "testing"
    refused = api.post(STAGES, {**body, "school_id": world.middle.pk})
    assert refused.status_code == 403
    listed = api_as(world.users.viewer).get(STAGES, school=world.high.pk, since="2025-01-01", until="2025-01-31")
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["reason"] == "First cycle."
    assert api.get(STAGES, since="2025-01-07").json()["count"] == 0


def test_bad_stages_are_refused_with_the_field_named_and_nothing_saved(pdsa, api_as):
    world = pdsa.world
    api = api_as(world.users.lead)
    body = {"change_idea_id": pdsa.idea.pk, "school_id": world.high.pk, "stage": "testing",
            "started_on": "2025-01-06", "reason": "First cycle."}
    assert api.post(STAGES, body).status_code == 201
    duplicate = api.post(STAGES, {**body, "stage": "implementing"})
    assert duplicate.status_code == 409
    blank = api.post(STAGES, {**body, "started_on": "2025-01-07", "reason": " "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    other = api.post(STAGES, {**body, "started_on": "2025-01-08", "change_idea_id": pdsa.beta_idea.pk})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "change_idea_id"
    unknown_stage = api.post(STAGES, {**body, "started_on": "2025-01-09", "stage": "finished"})
    assert unknown_stage.status_code == 422
    with scope(cluster=world.alpha):
        assert SpreadStage.objects.count() == 1


def test_readers_and_outsiders_cannot_record(pdsa, api_as):
    world = pdsa.world
    body = {"change_idea_id": pdsa.idea.pk, "school_id": world.high.pk, "stage": "testing",
            "started_on": "2025-01-06", "reason": "First cycle."}
    assert api_as(world.users.researcher).post(STAGES, body).status_code == 403
    assert api_as(world.users.outsider).post(STAGES, body).status_code == 404
    assert api_as(None).post(STAGES, body).status_code == 401


@pytest.mark.parametrize("bad_id", ["²", -1, 0, 2**63])
def test_ids_that_cannot_name_a_record_are_refused_by_name(pdsa, api_as, bad_id):
    world = pdsa.world
    api = api_as(world.users.lead)
    body = {"change_idea_id": pdsa.idea.pk, "school_id": world.high.pk, "stage": "testing",
            "started_on": "2025-01-06", "reason": "First cycle."}
    for field in ("school_id", "change_idea_id"):
        refused = api.post(STAGES, {**body, field: bad_id})
        assert refused.status_code == 422, refused.content
        assert [error["field"] for error in refused.json()["errors"]] == [field]
    for parameter in ("school", "change_idea"):
        refused = api.get(STAGES, **{parameter: bad_id})
        assert refused.status_code == 422, refused.content
        assert [error["field"] for error in refused.json()["errors"]] == [parameter]
    with scope(cluster=world.alpha):
        assert not SpreadStage.objects.exists()
