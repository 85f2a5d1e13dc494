"""New parts set by hand: kept with who and why, shown on the chart, removable, in the history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from improvenet.measures import services
from improvenet.measures.models import ChartBreak

BASE = "/clusters/alpha/measures/on-track"


def _parts(measured) -> list[int]:
    with scope(cluster=measured.world.alpha):
        chart = services.school_chart(measured.measure, measured.world.high)
        return chart.result.point_columns["part"].tolist()


def test_a_break_set_on_the_page_starts_a_part_and_its_removal_stays_in_the_history(measured, client):
    school = measured.world.high
    client.force_login(measured.teacher)
    form = client.get(f"{BASE}/schools/{school.pk}/breaks/new/")
    assert form.status_code == 200 and "Why the process changed here" in form.content.decode()
    answer = client.post(f"{BASE}/schools/{school.pk}/breaks/new/",
                         {"starts_on": "2025-03-29", "reason": "New grading policy from this week"})  # fmt: skip
    assert answer.status_code == 302
    assert _parts(measured) == [1] * 12 + [2] * 12
    page = client.get(f"{BASE}/schools/{school.pk}/").content.decode()
    assert "From 2025-03-29: New grading policy from this week" in page
    assert "2025-03-29: New part: New grading policy from this week" in page
    assert "From 2025-03-31: a new part set by hand." in page
    with scopes_disabled():
        chart_break = ChartBreak.objects.get()
    assert chart_break.created_by == measured.teacher
    removed = client.post(f"{BASE}/schools/{school.pk}/breaks/{chart_break.pk}/remove/", {"reason": "wrong week"})
    assert removed.status_code == 302
    assert _parts(measured) == [1] * 24
    page = client.get(f"{BASE}/schools/{school.pk}/").content.decode()
    history = page.split("History of new parts set by hand")[1].split("</details>")[0]
    assert "started a new part from 2025-03-29 (New grading policy from this week); removed on" in history
    assert "by teacher (wrong week)" in history
    again = client.post(f"{BASE}/schools/{school.pk}/breaks/{chart_break.pk}/remove/", follow=True)
    assert "This break was already removed" in again.content.decode()


def test_the_break_form_names_its_problems(measured, client):
    client.force_login(measured.teacher)
    url = f"{BASE}/schools/{measured.world.high.pk}/breaks/new/"
    answer = client.post(url, {"starts_on": "2024-12-01", "reason": "  "})
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "A new part must start after the measure&#x27;s first period (January 6, 2025)." in page
    assert "This field is required." in page or "Say why the chart starts a new part here." in page
    client.post(url, {"starts_on": "2025-03-29", "reason": "Policy"})
    duplicate = client.post(url, {"starts_on": "2025-03-29", "reason": "Again"})
    assert duplicate.status_code == 422 and "A new part already starts on 2025-03-29" in duplicate.content.decode()


def test_only_the_schools_team_or_a_lead_sets_breaks(measured, client):
    client.force_login(measured.teacher)
    assert client.get(f"{BASE}/schools/{measured.world.middle.pk}/breaks/new/").status_code == 403
    client.force_login(measured.world.users.viewer)
    assert client.post(f"{BASE}/schools/{measured.world.high.pk}/breaks/new/",
                       {"starts_on": "2025-03-29", "reason": "x"}).status_code == 403  # fmt: skip


def test_breaks_through_the_api(measured, api_as):
    api = api_as(measured.teacher)
    url = f"/clusters/alpha/measures/{measured.measure.pk}/schools/{measured.world.high.pk}/breaks"
    created = api.post(url, {"starts_on": "2025-03-29", "reason": "New grading policy"})
    assert created.status_code == 201, created.content
    assert created.json()["created_by"] == "teacher" and created.json()["removed_at"] is None
    chart = api.get(f"/clusters/alpha/measures/{measured.measure.pk}/schools/{measured.world.high.pk}/chart").json()
    assert {p["part"] for p in chart["points"]} == {1, 2}
    assert {p["limits_source"] for p in chart["points"]} == {"computed"}
    assert chart["episodes_in_words"] == [] and chart["episodes"] == []
    assert api.post(url, {"starts_on": "2025-03-29", "reason": "again"}).status_code == 409
    early = api.post(url, {"starts_on": "2024-01-01", "reason": "x"})
    assert early.status_code == 422 and "after the measure's first period" in str(early.json()["errors"])
    removed = api.post(f"{url}/{created.json()['id']}/remove", {"reason": "wrong week"})
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "wrong week"
    assert api.post(f"{url}/{created.json()['id']}/remove", {}).status_code == 422
    assert [b["removed_by"] for b in api.get(url).json()] == ["teacher"]
    assert api.post(f"{url}/999999/remove", {}).status_code == 404


def test_a_break_of_another_clusters_school_is_refused(measured):
    with scopes_disabled():
        chart_break = ChartBreak(measure=measured.measure, school=measured.world.beta_school,
                                 starts_on=datetime.date(2025, 3, 3), reason="x")  # fmt: skip
        with pytest.raises(ValidationError, match="one of this cluster's schools"):
            chart_break.full_clean()
