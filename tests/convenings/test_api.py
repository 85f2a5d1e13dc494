"""The convenings API: list, create, change, and packets as JSON."""

from django_scopes import scopes_disabled

from improvenet.convenings.models import Convening

BASE = "/clusters/alpha/convenings"


def test_list_and_read_convenings_with_their_windows(api_as, convened):
    api = api_as(convened.world.users.viewer)
    listed = api.get(BASE).json()
    assert listed["count"] == 2
    assert [(c["title"], c["since"]) for c in listed["items"]] == [
        ("Spring convening", "2025-01-29"), ("Winter convening", None)]
    one = api.get(f"{BASE}/{convened.spring.pk}").json()
    assert one["previous_id"] == convened.winter.pk and one["held_on"] == "2025-04-10"


def test_the_lead_creates_and_changes_convenings(api_as, convened):
    lead = api_as(convened.world.users.lead)
    created = lead.post(BASE, {"held_on": "2025-07-10", "title": "Summer convening"})
    assert created.status_code == 201, created.content
    assert created.json()["previous_id"] == convened.spring.pk
    changed = lead.patch(f"{BASE}/{created.json()['id']}", {"place": "Library"})
    assert changed.status_code == 200 and changed.json()["place"] == "Library"
    clash = lead.patch(f"{BASE}/{created.json()['id']}", {"held_on": "2025-04-10"})
    assert clash.status_code == 409 and "already has a convening on April 10, 2025" in clash.json()["detail"]
    invalid = lead.post(BASE, {"held_on": "someday", "title": ""})
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"held_on", "title"}
    with scopes_disabled():
        assert Convening.objects.get(pk=created.json()["id"]).held_on.isoformat() == "2025-07-10"


def test_readers_may_not_create_and_other_clusters_see_nothing(api_as, convened):
    assert api_as(convened.world.users.member).post(BASE, {"held_on": "2025-07-10", "title": "X"}).status_code == 403
    outsider = api_as(convened.world.users.outsider)
    assert outsider.get(BASE).status_code == 404
    assert outsider.get(f"/clusters/beta/convenings/{convened.spring.pk}").status_code == 404
    assert api_as(None).get(BASE).status_code == 401


def test_packets_as_json(api_as, convened):
    api = api_as(convened.world.users.researcher)
    packet = api.get(f"{BASE}/{convened.spring.pk}/packet").json()
    assert (packet["since"], packet["until"], packet["team_id"]) == ("2025-01-29", "2025-04-10", None)
    cycles = {c["objective"]: c for t in packet["teams"] for c in t["cycles"]}
    abandoned = cycles["Goal conferences with a tracker"]
    assert (abandoned["decision"], abandoned["predictions_confirmed"], abandoned["ramp_position"]) == ("abandon", 1, 1)
    assert cycles["Goal conferences in one classroom"]["stage"] == "act"
    assert packet["signals"] and packet["signals"][0]["measure"] == "on-track"
    assert [a["element"] for a in packet["adaptations"]] == ["Weekly advisory"]
    assert [s["stage"] for s in packet["spread_changes"]] == ["abandoned"]
    assert any("what explains the difference?" in p for p in packet["prompts"])
    team = api.get(f"{BASE}/{convened.spring.pk}/teams/{convened.pdsa.middle_team.pk}/packet").json()
    assert [t["team"] for t in team["teams"]] == ["Alpha Middle design team"]
    assert team["signals"] == [] and team["adaptations"] == []
