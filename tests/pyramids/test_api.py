"""The pyramid API: the same numbers as the pages, metrics only where the data rules allow."""

import pytest
from django_scopes import scopes_disabled

from improvenet.data.models import AuditEvent


def test_list_gives_each_pyramids_monthly_measures(measured, api_as):
    world = measured.world
    answer = api_as(world.users.viewer).get("/clusters/alpha/pyramids")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert [p["high_school"]["name"] for p in body["pyramids"]] == ["Alpha High"]
    assert [s["name"] for s in body["pyramids"][0]["schools"]] == ["Alpha High", "Alpha Middle"]
    (measure,) = body["measures"]
    (series,) = measure["pyramids"]
    first = series["points"][0]
    assert series["unit_id"] == world.high.pk and first["month"] == "2025-01-01"
    assert round(first["value"], 3) == 56.125 and first["weight"] == 800
    assert [m["problem"] != "" for m in body["metrics"]] == [True, True, True]
    assert all(m["pyramids"] == [] for m in body["metrics"])


def test_one_pyramid_gives_every_school_and_404s_otherwise(measured, api_as):
    world = measured.world
    api = api_as(world.users.lead)
    body = api.get(f"/clusters/alpha/pyramids/{world.high.pk}").json()
    (measure,) = body["measures"]
    assert {s["unit_id"] for s in measure["schools"]} == {world.high.pk, world.middle.pk}
    assert "has not been loaded" in body["metrics"][0]["problem"]
    assert api.get(f"/clusters/alpha/pyramids/{world.middle.pk}").status_code == 404
    assert api_as(world.users.outsider).get(f"/clusters/alpha/pyramids/{world.high.pk}").status_code == 404
    assert api_as(None).get("/clusters/alpha/pyramids").status_code == 401


@pytest.mark.usefixtures("loaded")
def test_metrics_come_summed_per_pyramid_for_district_readers_and_are_audited(loaded, api_as):
    world = loaded.world
    body = api_as(world.users.lead).get(f"/clusters/alpha/pyramids/{world.high.pk}").json()
    graduation = next(m for m in body["metrics"] if m["name"] == "graduation-rate")
    assert graduation["problem"] == "" and graduation["pyramids"]
    shown = [t for t in graduation["pyramids"] if t["count"] is not None]
    assert shown and all(t["count"] >= 10 and 0 <= t["rate"] <= 1 for t in shown)
    # A pyramid's count is its schools' counts added up, where none is hidden.
    for total in shown:
        schools = [t for t in graduation["schools"] if t["year"] == total["year"]]
        assert total["count"] == sum(t["count"] for t in schools)
    with scopes_disabled():
        assert AuditEvent.objects.filter(user=world.users.lead, channel="api").count() == 3
