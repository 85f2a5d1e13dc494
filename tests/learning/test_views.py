"""The learning pages: evidence, thresholds (network admins only, audited), the spread grid, timeline and travel."""

import datetime
import html
import json

import pytest
from django_scopes import scope

from improvenet.learning.models import EvidenceThresholds, SpreadStage
from tests.learning.conftest import decided_cycle

D = datetime.date


def text(answer) -> str:
    return answer.content.decode()


def url(pdsa, path: str) -> str:
    return f"/clusters/alpha/learning/{path}"


def test_the_index_lists_every_idea_with_its_level_and_the_evidence_page_links_the_cycles(pdsa, client):
    cycle = decided_cycle(pdsa, "abandon", D(2025, 2, 10), notes="Took too long for the class.")
    client.force_login(pdsa.world.users.viewer)
    page = text(client.get(url(pdsa, "ideas/")))
    assert "Weekly goal-setting conferences" in page and "Being tested" in page
    page = text(client.get(url(pdsa, f"ideas/{pdsa.idea.pk}/")))
    assert f'href="/clusters/alpha/cycles/{cycle.pk}/"' in page
    assert "Took too long for the class." in page
    assert "Tested in 1 cycle in 1 school." in page
    assert "1 confirmed, 0 not confirmed, 0 unclear, 0 not answered yet (of 1)." in page


def test_another_clusters_idea_is_not_found(pdsa, client):
    client.force_login(pdsa.world.users.lead)
    assert client.get(url(pdsa, f"ideas/{pdsa.beta_idea.pk}/")).status_code == 404
    assert client.get(url(pdsa, f"spread/ideas/{pdsa.beta_idea.pk}/")).status_code == 404


def test_only_network_admins_adjust_the_thresholds_and_the_change_is_audited(pdsa, client):
    world = pdsa.world
    client.force_login(world.users.lead)
    page = client.get(url(pdsa, "thresholds/"))
    assert page.status_code == 200 and "Only the network's admins adjust" in text(page)
    assert client.post(url(pdsa, "thresholds/"), {"promising_min_schools": 1}).status_code == 403
    client.force_login(world.users.admin)
    numbers = {"promising_min_schools": 1, "promising_min_cycles": 1, "supported_min_schools": 4,
               "not_supported_min_abandoned": 3}
    answer = client.post(url(pdsa, "thresholds/"), numbers)
    assert answer.status_code == 302
    saved = EvidenceThresholds.for_network(world.network)
    assert saved.as_rules().promising_min_schools == 1 and saved.updated_by == world.users.admin
    assert "by net-admin" in text(client.get(url(pdsa, "thresholds/")))


def test_a_threshold_of_zero_is_refused_and_nothing_is_saved(pdsa, client):
    client.force_login(pdsa.world.users.admin)
    answer = client.post(url(pdsa, "thresholds/"), {"promising_min_schools": 0, "promising_min_cycles": 3,
                                                    "supported_min_schools": 3, "not_supported_min_abandoned": ""})
    assert answer.status_code == 422
    assert "Use a whole number of at least 1." in text(answer) and "This field is required." in text(answer)
    assert not EvidenceThresholds.objects.exists()


def grid_table(answer) -> str:
    return text(answer).split('class="spread-grid"', 1)[1]


def test_the_grid_shows_the_stage_as_a_letter_on_the_chosen_day(pdsa, client):
    world = pdsa.world
    with scope(cluster=world.alpha):
        SpreadStage.objects.create(cluster=world.alpha, change_idea=pdsa.idea, school=world.high, stage="testing",
                                   started_on=D(2025, 1, 6), reason="First cycle.")
        SpreadStage.objects.create(cluster=world.alpha, change_idea=pdsa.idea, school=world.high,
                                   stage="implementing", started_on=D(2025, 3, 3), reason="Adopted.")
    client.force_login(world.users.viewer)
    table = grid_table(client.get(url(pdsa, "spread/?on=2025-02-01")))
    assert 'class="stage stage-testing" title="Testing since 2025-01-06">T</span>' in table
    assert "Innovation schools (1)" in table and "Feeder schools (1)" in table
    table = grid_table(client.get(url(pdsa, "spread/?on=2025-03-03")))
    assert ">I</span>" in table and ">T</span>" not in table
    assert "stage stage-" not in grid_table(client.get(url(pdsa, "spread/?on=2024-12-31")))


def test_a_date_that_is_not_a_date_is_named_and_today_shown(pdsa, client):
    client.force_login(pdsa.world.users.viewer)
    answer = client.get(url(pdsa, "spread/?on=2025-13-01"))
    assert answer.status_code == 400
    assert "“2025-13-01” is not a date: write it as YYYY-MM-DD" in text(answer)
    assert client.get(url(pdsa, "travel/?on=soon")).status_code == 400


def test_a_school_team_records_a_stage_for_its_own_school_only(pdsa, client):
    world = pdsa.world
    client.force_login(world.users.member)
    form = client.get(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"))
    assert form.status_code == 200
    assert "Alpha High" in text(form) and "Alpha Middle" not in text(form)
    record = {"school": world.middle.pk, "stage": "testing", "started_on": "2025-04-07", "reason": "We try it."}
    answer = client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"), record)
    assert answer.status_code == 403
    answer = client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"), {**record, "school": world.high.pk})
    assert answer.status_code == 302
    with scope(cluster=world.alpha):
        saved = SpreadStage.objects.get()
    assert (saved.school, saved.recorded_by) == (world.high, world.users.member)
    timeline = client.get(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/"))
    assert "We try it." in text(timeline)
    spec = json.loads(text(timeline).split('id="timeline-spec" type="application/json">', 1)[1].split("</script>")[0])
    assert spec["data"]["values"][0]["school"] == "Alpha High" and spec["data"]["values"][0]["stage"] == "Testing"


def test_a_second_stage_the_same_day_and_a_stage_without_reason_are_refused(pdsa, client):
    world = pdsa.world
    client.force_login(world.users.lead)
    record = {"school": world.high.pk, "stage": "testing", "started_on": "2025-04-07", "reason": "We try it."}
    assert client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"), record).status_code == 302
    again = client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"), {**record, "stage": "implementing"})
    assert again.status_code == 422 and "already has a stage for this idea on 2025-04-07" in text(again)
    blank = client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"),
                        {**record, "started_on": "2025-04-08", "reason": "  "})
    assert blank.status_code == 422
    with scope(cluster=world.alpha):
        assert SpreadStage.objects.count() == 1


def test_readers_get_no_record_form(pdsa, client):
    client.force_login(pdsa.world.users.researcher)
    assert client.get(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/")).status_code == 403
    assert "Record a stage" not in text(client.get(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/")))


def test_the_travel_page_counts_scaling_in_and_out(pdsa, client):
    world = pdsa.world
    with scope(cluster=world.alpha):
        for school, stage, on, reason in ((world.high, "testing", D(2025, 1, 6), "First."),
                                          (world.high, "implementing", D(2025, 3, 3), "Adopted."),
                                          (world.middle, "testing", D(2025, 4, 7), "Saw it at the convening.")):
            SpreadStage.objects.create(cluster=world.alpha, change_idea=pdsa.idea, school=school, stage=stage,
                                       started_on=on, reason=reason)
    client.force_login(world.users.viewer)
    page = text(client.get(url(pdsa, "travel/?on=2025-12-31")))
    assert "Scaling in: deeper in the innovation schools (1)" in page
    assert "Scaling out: to other schools and clusters (1)" in page and "To other schools of Alpha (1)" in page
    assert "Alpha Middle (feeder school), 2025-04-07: Saw it at the convening." in page


@pytest.mark.parametrize("bad_school", ["²", "-1", "0", str(2**63), "1" * 25])
def test_a_school_that_is_not_an_id_is_a_form_error(pdsa, client, bad_school):
    client.force_login(pdsa.world.users.lead)
    record = {"school": bad_school, "stage": "testing", "started_on": "2025-04-07", "reason": "We try it."}
    answer = client.post(url(pdsa, f"spread/ideas/{pdsa.idea.pk}/record/"), record)
    assert answer.status_code == 422
    assert f"“{bad_school[:20]}” is not a school id; choose a school in the list." in html.unescape(text(answer))
    assert "Alpha High" in text(answer)  # the list to choose from is still offered
    with scope(cluster=pdsa.world.alpha):
        assert not SpreadStage.objects.exists()
