"""Withdrawing a record entered by mistake and restoring it: left out of lists, charts, evidence and metrics,
kept on its own page, in its corrections, in the audit trail and in the archive."""

import datetime

from django_scopes import scope, scopes_disabled

from improvenet.corrections.models import Correction
from improvenet.cycles.models import PdsaCycle
from improvenet.data.models import AuditEvent
from improvenet.engagement.models import CommunityInput, EngagementEvent
from improvenet.engagement.services import community_input
from improvenet.learning import services as learning
from improvenet.measures import services as measure_services
from improvenet.measures.models import MeasureValue
from improvenet.partnership import services as partnership
from improvenet.partnership.models import SelfAssessment
from tests.learning.conftest import decided_cycle, weekly_measure, weekly_values
from tests.partnership.conftest import ratings

C = "/clusters/alpha"


def organizations_rated(world) -> int:
    return len(partnership.health_report(world.alpha).health.trends[0].by_organization)


def test_a_withdrawn_cycle_leaves_lists_and_evidence_keeps_its_page_and_comes_back_when_restored(pdsa, client):
    world = pdsa.world
    cycle = decided_cycle(pdsa, "adopt", datetime.date(2025, 2, 3))
    assert [c.pk for c in learning.evidence_for(world.alpha, pdsa.idea).cycles] == [cycle.pk]
    client.force_login(world.users.lead)
    url = f"{C}/corrections/cycles/{cycle.pk}/"
    assert "Entered by mistake? Withdraw it" in client.get(f"{C}/cycles/{cycle.pk}/").content.decode()

    answer = client.post(url, {"reason": "Entered twice: the real cycle is the next one."})
    assert answer.status_code == 302
    with scope(cluster=world.alpha):
        assert not PdsaCycle.objects.filter(pk=cycle.pk).exists()
        assert PdsaCycle.with_withdrawn.get(pk=cycle.pk).withdrawal_reason.startswith("Entered twice")
    assert learning.evidence_for(world.alpha, pdsa.idea).cycles == []
    assert cycle.objective not in client.get(f"{C}/cycles/").content.decode()
    page = client.get(f"{C}/cycles/{cycle.pk}/").content.decode()
    assert "Withdrawn on " in page and " by lead: Entered twice: the real cycle is the next one." in page
    assert cycle.objective in client.get(f"{C}/corrections/").content.decode()
    assert client.post(f"{C}/cycles/{cycle.pk}/reopen/", {"reason": "x"}).status_code == 403  # restore it first

    answer = client.post(url, {"reason": "It was not a duplicate after all."})
    assert answer.status_code == 302
    assert [c.pk for c in learning.evidence_for(world.alpha, pdsa.idea).cycles] == [cycle.pk]
    with scopes_disabled():
        history = list(Correction.objects.order_by("at", "pk").values_list("action", "reason", "by__username"))
        audited = list(AuditEvent.objects.order_by("at", "pk").values_list("action", "detail"))
    assert history == [("withdrawn", "Entered twice: the real cycle is the next one.", "lead"),
                       ("restored", "It was not a duplicate after all.", "lead")]
    assert [action for action, _ in audited] == ["withdrawn PDSA cycle", "restored PDSA cycle"]
    assert audited[0][1]["record_id"] == cycle.pk and audited[0][1]["kind"] == "cycles"
    page = client.get(url).content.decode()
    assert "Restored on " in page and "Withdrawn on " in page and "Withdraw it</button>" in page


def test_withdrawing_without_a_reason_is_refused_and_changes_nothing(pdsa, client):
    from tests.cycles.conftest import make_cycle

    cycle = make_cycle(pdsa)
    client.force_login(pdsa.world.users.lead)
    answer = client.post(f"{C}/corrections/cycles/{cycle.pk}/", {"reason": "  "})
    assert answer.status_code == 422
    assert "Say why: the reason is shown with the record." in answer.content.decode()
    with scope(cluster=pdsa.world.alpha):
        assert PdsaCycle.objects.filter(pk=cycle.pk).exists()


def test_a_withdrawn_measure_value_leaves_the_chart_and_the_list_of_values(pdsa, api_as):
    world = pdsa.world
    with scope(cluster=world.alpha):
        measure = weekly_measure(world)
        weekly_values(measure, world.high, [0.5] * 12 + [0.05])
        wrong = MeasureValue.objects.order_by("period").last()
        assert len(measure_services.school_chart(measure, world.high).result.points) == 13
    lead = api_as(world.users.lead)
    path = f"{C}/corrections/measure-values/{wrong.pk}"
    answer = lead.post(f"{path}/withdraw", {"reason": "Typed 10 instead of 100."})
    assert answer.status_code == 200, answer.content
    assert answer.json()["withdrawal_reason"] == "Typed 10 instead of 100."
    assert answer.json()["history"][0]["action"] == "withdrawn"
    with scope(cluster=world.alpha):
        assert len(measure_services.school_chart(measure, world.high).result.points) == 12
    listed = lead.get(f"{C}/measures/{measure.pk}/values", limit=100).json()
    assert listed["count"] == 12 and wrong.pk not in [item["id"] for item in listed["items"]]
    again = lead.post(f"{path}/withdraw", {"reason": "Twice."})
    assert again.status_code == 422 and "already withdrawn" in again.json()["detail"]
    # Entering the period again points to the withdrawn value instead of failing on the database's rule.
    entered = lead.post(f"{C}/measures/{measure.pk}/values", {
        "school_id": world.high.pk, "period": wrong.period.isoformat(), "numerator": 100, "denominator": 200})
    assert entered.status_code == 409 and "withdrawn: restore it instead" in entered.json()["detail"]
    assert lead.post(f"{path}/restore", {"reason": "The value was right."}).json()["withdrawn_at"] is None
    assert lead.get(f"{C}/measures/{measure.pk}/values", limit=100).json()["count"] == 13


def test_only_those_who_change_the_record_withdraw_it(pdsa, api_as):
    from tests.cycles.conftest import make_cycle

    world = pdsa.world
    cycle = make_cycle(pdsa, team=pdsa.middle_team)  # the member writes Alpha High's cycles, not Alpha Middle's
    path = f"{C}/corrections/cycles/{cycle.pk}"
    assert api_as(world.users.member).post(f"{path}/withdraw", {"reason": "Not mine."}).status_code == 403
    assert api_as(world.users.viewer).get(path).json()["withdrawn_at"] is None
    assert api_as(world.users.outsider).get(path).status_code == 404
    assert api_as(world.users.lead).post(f"{C}/corrections/nothing/{cycle.pk}/withdraw",
                                         {"reason": "x"}).status_code == 422


def test_withdrawn_community_input_and_self_assessments_leave_the_counts_and_the_health_report(partners, api_as):
    world = partners.world
    with scope(cluster=world.alpha):
        event = EngagementEvent.objects.create(cluster=world.alpha, held_on=datetime.date(2024, 2, 6),
                                               kind="forum", school=world.high, title="Forum", attendance=40)
        kept = CommunityInput.objects.create(event=event, stance="concern", summary="Workload")
        wrong = CommunityInput.objects.create(event=event, stance="concern", summary="Typed at the wrong event")
        assert community_input([world.high])[world.high.pk].concerns == 2
        assessment = partnership.save_assessment(SelfAssessment(round=partners.fall, organization=partners.union),
                                                 ratings(ci=3))
        assert organizations_rated(world) == 1
    lead = api_as(world.users.lead)
    assert lead.post(f"{C}/corrections/engagement-inputs/{wrong.pk}/withdraw",
                     {"reason": "Raised at the other school's forum."}).status_code == 200
    assert lead.post(f"{C}/corrections/partnership-assessments/{assessment.pk}/withdraw",
                     {"reason": "Recorded for the wrong organization."}).status_code == 200
    with scope(cluster=world.alpha):
        assert community_input([world.high])[world.high.pk].concerns == 1
        assert list(event.inputs.all()) == [kept]
        assert organizations_rated(world) == 0
    assert lead.get(f"{C}/partnership/assessments/{assessment.pk}").status_code == 200
