"""Reopening a cycle's decision within the allowed days, with a reason: the decision taken stays on the record."""

import datetime

import pytest
from django_scopes import scope

from improvenet.cycles.models import GateRefused, PdsaCycle
from tests.cycles.conftest import make_cycle, run_to_act

DECIDED = datetime.date(2025, 2, 3)
C = "/clusters/alpha"


def decided(pdsa, user=None) -> PdsaCycle:
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=pdsa.world.alpha):
        run_to_act(cycle, user)
        cycle.decide("adopt", DECIDED, "It worked in every advisory.")
    return cycle


def test_a_decision_reopened_within_the_days_goes_back_to_act_and_keeps_what_was_decided(pdsa):
    cycle = decided(pdsa)
    with scope(cluster=pdsa.world.alpha):
        reopening = cycle.reopen_decision("The counts were from the wrong week.", pdsa.world.users.lead,
                                          on=DECIDED + datetime.timedelta(days=14))
        cycle.refresh_from_db()
        assert (cycle.stage, cycle.decision, cycle.decided_on) == ("act", "", None)
        assert (reopening.decision, reopening.decided_on, reopening.decision_notes) == (
            "adopt", DECIDED, "It worked in every advisory.")
        cycle.decide("adapt", DECIDED + datetime.timedelta(days=15), "Only with a sentence starter.")
        assert cycle.reopenings.count() == 1


@pytest.mark.parametrize(("days", "reason", "refusal"), [
    (15, "Too late.", "A decision can be reopened within 14 days; this one was taken on February 3, 2025."),
    (1, "  ", "Say why the decision is reopened"),
])
def test_reopening_late_or_without_a_reason_is_refused(pdsa, days, reason, refusal):
    cycle = decided(pdsa)
    with scope(cluster=pdsa.world.alpha), pytest.raises(GateRefused, match=refusal):
        cycle.reopen_decision(reason, on=DECIDED + datetime.timedelta(days=days))


def test_the_window_is_a_setting(pdsa, settings):
    settings.IMPROVENET_DECISION_REOPEN_DAYS = 30
    cycle = decided(pdsa)
    with scope(cluster=pdsa.world.alpha):
        cycle.reopen_decision("Late correction.", on=DECIDED + datetime.timedelta(days=30))
        assert cycle.stage == "act"


def test_a_decision_followed_by_a_next_cycle_stays_until_that_cycle_is_withdrawn(pdsa):
    cycle = decided(pdsa)
    with scope(cluster=pdsa.world.alpha):
        following = make_cycle(pdsa, previous=cycle, objective="The next test of the ramp")
        with pytest.raises(GateRefused, match="“The next test of the ramp”, follows this decision"):
            cycle.reopen_decision("Wrong.", on=DECIDED)
        following.withdraw(pdsa.world.users.lead, "Planned by mistake.")
        cycle.reopen_decision("Wrong.", on=DECIDED)


def test_the_page_and_the_api_reopen_with_a_reason(pdsa, client, api_as, settings):
    settings.IMPROVENET_DECISION_REOPEN_DAYS = 100000  # the cycles are decided in 2025
    world = pdsa.world
    cycle = decided(pdsa)
    client.force_login(world.users.member)
    page = client.get(f"{C}/cycles/{cycle.pk}/").content.decode()
    assert "Reopen the decision" in page
    assert client.post(f"{C}/cycles/{cycle.pk}/reopen/", {"reason": ""}).status_code == 422
    assert client.post(f"{C}/cycles/{cycle.pk}/reopen/", {"reason": "Wrong week counted."}).status_code == 302
    page = client.get(f"{C}/cycles/{cycle.pk}/").content.decode()
    assert "by member: Wrong week counted." in page and "the decision had been adopt" in page
    with scope(cluster=world.alpha):
        cycle.refresh_from_db()
        cycle.decide("adopt", DECIDED)
    answer = api_as(world.users.lead).post(f"{C}/cycles/{cycle.pk}/reopen", {"reason": "Counted twice."})
    assert answer.status_code == 200, answer.content
    assert answer.json()["stage"] == "act"
    assert [r["reason"] for r in answer.json()["reopenings"]] == ["Wrong week counted.", "Counted twice."]
    refused = api_as(world.users.lead).post(f"{C}/cycles/{cycle.pk}/reopen", {"reason": "Again."})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("Reopening the decision is a step")
    assert api_as(world.users.viewer).post(f"{C}/cycles/{cycle.pk}/reopen", {"reason": "x"}).status_code == 403
