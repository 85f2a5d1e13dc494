"""Chart pages and downloads, computed by the SPC engine from the measure's data."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django_scopes import scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.network.models import School

BASE = "/clusters/alpha/measures/on-track"


@pytest.fixture
def adopted(measured):
    """Alpha High adopted a change idea tested in a cycle linked to the measure."""
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=measured.world.alpha, title="Weekly grade check-ins")
        cycle = PdsaCycle.objects.create(
            cluster=measured.world.alpha, school=measured.world.high, team=measured.world.team, change_idea=idea,
            objective="Do weekly check-ins raise on-track rates?", planned_start=datetime.date(2025, 3, 3),
            do_started_on=datetime.date(2025, 3, 10), decision="adopt", decided_on=datetime.date(2025, 3, 24),
        )
        cycle.measures.add(measured.measure)
    return measured


def test_the_school_chart_shows_its_signals_in_words_and_the_cycle_marks(adopted, client):
    client.force_login(adopted.world.users.viewer)
    answer = client.get(f"{BASE}/schools/{adopted.world.high.pk}/")
    page = answer.content.decode()
    assert answer.status_code == 200
    # The summary leads: the current part in words, the latest episode, and whether the change holds.
    summary = page.split('id="summary-heading"')[1].split("</section>")[0]
    assert "Since 2025-03-31 (12 points): centre line 86 %, limits 75.6 % to 96.4 %." in summary
    assert "No signal: only random variation." in summary
    holding = "“Weekly grade check-ins” (adopted 2025-03-24) is holding: the data moved to a new level from 2025-03-31"
    assert holding in summary
    assert "From 2025-03-31: a new part where the data shifted after an adopted change." in page
    assert "<details class=\"episodes\">" in page and "All 0 episodes of signals" in page
    assert "2025-03-10: Cycle: Weekly grade check-ins" in page
    assert "2025-03-24: Adopted: Weekly grade check-ins" in page
    assert "vega-embed-7.0.2.min.js" in page and 'id="chart-spec"' in page
    spec = json.loads(page.split('id="chart-spec" type="application/json">')[1].split("</script>")[0])
    assert spec["data"]["values"][0]["x"] == "2025-01-06"
    labels = [value["label"] for layer in spec["layer"] if "data" in layer for value in layer["data"]["values"]]
    assert "Adopted: Weekly grade check-ins" in labels
    assert "<table>" in page
    # The limits follow the change: each part has its own, in the chart data as in the table.
    values = spec["data"]["values"]
    assert {(v["part"], v["limits_source"]) for v in values if "part" in v} == {(1, "computed"), (2, "computed")}


def test_without_the_adoption_one_set_of_limits_gives_episodes_not_one_sentence_per_point(measured, client):
    client.force_login(measured.world.users.viewer)
    page = client.get(f"{BASE}/schools/{measured.world.high.pk}/").content.decode()
    episodes = page.split('<details class="episodes">')[1].split("</details>")[0]
    assert ("An unusually long run of 12 points above the centre line, 2025-03-31 to 2025-06-16, in the direction "
            "of improvement.") in episodes
    assert "1 point above the upper limit, 2025-04-14, in the direction of improvement." in episodes
    # 11 episodes for 8 points beyond the limits and 3 runs analysis signals: the points beyond
    # the limits are every third week, not consecutive, so each is an episode of its own.
    assert episodes.count("<li>") == 11 and "All 11 episodes of signals" in episodes
    assert "The change:" not in page


def test_a_school_without_data_says_so(measured, client):
    client.force_login(measured.world.users.viewer)
    page = client.get(f"/clusters/alpha/measures/contacts/schools/{measured.world.high.pk}/").content.decode()
    assert "No data has been entered for this school yet." in page


def test_small_multiples_draw_every_school_with_a_text_alternative(adopted, client):
    client.force_login(adopted.world.users.viewer)
    answer = client.get(f"{BASE}/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert page.count('class="spark"') == 2
    assert ('aria-label="9th graders on track at Alpha High, latest 87 %, centre line 86 %, no signals."') in page
    assert "The same as a table" in page and "0 with a signal in the last 8 periods" in page
    svg = page.split('<svg xmlns="http://www.w3.org/2000/svg"')[1].split("</svg>")[0]
    ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg"' + svg + "</svg>")


def test_the_small_multiples_call_qic_many_once(measured, client, monkeypatch):
    from improvenet import spc  # the measures' services read the engine's functions from it

    calls = []
    original = spc.qic_many
    monkeypatch.setattr(spc, "qic_many", lambda *a, **k: calls.append(1) or original(*a, **k))
    monkeypatch.setattr(spc, "qic", lambda *a, **k: pytest.fail("qic called for the small multiples"))
    client.force_login(measured.world.users.viewer)
    assert client.get(f"{BASE}/").status_code == 200
    assert calls == [1]


def test_school_downloads(adopted, client):
    client.force_login(adopted.world.users.viewer)
    base = f"{BASE}/schools/{adopted.world.high.pk}/chart"
    answer = client.get(f"{base}.csv")
    assert answer["Content-Type"].startswith("text/csv")
    assert 'filename="on-track-alpha-high.csv"' in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert len(rows) == 24 and rows[0]["period"] == "2025-01-06" and float(rows[0]["y"]) == 60.0
    svg = client.get(f"{base}.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag.endswith("svg")
    png = client.get(f"{base}.png")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_cluster_downloads(measured, client):
    client.force_login(measured.world.users.viewer)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{BASE}/chart.csv").content.decode())))
    assert {r["school"] for r in rows} == {"Alpha High", "Alpha Middle"} and len(rows) == 48
    assert ET.fromstring(client.get(f"{BASE}/chart.svg").content).tag.endswith("svg")
    assert client.get(f"{BASE}/chart.png").content[:4] == b"\x89PNG"


def test_downloads_without_data_are_not_found(measured, client):
    client.force_login(measured.world.users.viewer)
    assert client.get("/clusters/alpha/measures/contacts/chart.csv").status_code == 404


def test_another_clusters_measure_is_not_found(measured, client):
    client.force_login(measured.world.users.outsider)
    assert client.get(f"{BASE}/").status_code == 404
    client.force_login(measured.world.users.viewer)
    assert client.get("/clusters/alpha/measures/nothing/").status_code == 404
    assert client.get(f"{BASE}/schools/{measured.world.beta_school.pk}/").status_code == 404


def test_measures_list_and_definition_pages(measured, client):
    client.force_login(measured.designer)
    page = client.get("/clusters/alpha/measures/").content.decode()
    assert "Outcome measures" in page and "9th graders on track" in page and "Add a measure" in page
    answer = client.post("/clusters/alpha/measures/new/", {
        "name": "Attendance", "slug": "attendance", "kind": "outcome", "operational_definition": "Present days.",
        "numerator_label": "Days present", "denominator_label": "", "unit": "%", "multiply": 100,
        "frequency": "weekly", "improvement_direction": "up", "chart_type": "p", "first_period": "2025-01-06",
    })
    assert answer.status_code == 422 and "needs a denominator" in answer.content.decode()
    client.force_login(measured.teacher)
    assert client.get("/clusters/alpha/measures/new/").status_code == 403


def test_the_chart_download_escapes_a_school_name_a_spreadsheet_would_run(measured, client):
    hostile = '=HYPERLINK("http://evil.example","Alpha High")'
    with scopes_disabled():
        School.objects.filter(pk=measured.world.high.pk).update(name=hostile)
    client.force_login(measured.world.users.viewer)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{BASE}/chart.csv").content.decode())))
    assert {r["school"] for r in rows} == {"'" + hostile, "Alpha Middle"}
    assert all(not r["y"].startswith("'") for r in rows), "numbers stay numbers"


def _shown(page: str) -> list[str]:
    tiles = page.split('<ul class="multiples">')[1].split("</ul>")[0]
    return [name.split(">")[-1] for name in tiles.split("</a></h3>")[:-1]]


def test_small_multiples_put_recent_signals_first_and_filter(measured, client):
    client.force_login(measured.world.users.viewer)
    with scopes_disabled():
        School.objects.filter(pk=measured.world.high.pk).update(name="Zeta High")
    page = client.get(f"{BASE}/").content.decode()
    # Without an adopted change, Zeta High's rise is a recent signal: it comes first, not by name.
    assert _shown(page) == ["Zeta High", "Alpha Middle"]
    assert "1 with a signal in the last 8 periods" in page
    assert "<strong>Recent: beyond the limits, better</strong>" in page
    recent = "1 point above the upper limit, 2025-06-16, in the direction of improvement."
    assert f'Recent: {recent}" class="spark"' in page and f"<td>{recent}</td>" in page
    assert _shown(client.get(f"{BASE}/?signal=limits&direction=better").content.decode()) == ["Zeta High"]
    assert _shown(client.get(f"{BASE}/?direction=worse").content.decode()) == []
    assert _shown(client.get(f"{BASE}/?signal=trend").content.decode()) == []
    assert _shown(client.get(f"{BASE}/?role=feeder").content.decode()) == ["Alpha Middle"]
    # Alpha Middle feeds into the high school: the pyramid is both.
    pyramid = client.get(f"{BASE}/?pyramid={measured.world.high.pk}&role=innovation").content.decode()
    assert _shown(pyramid) == ["Zeta High"]
    assert _shown(client.get(f"{BASE}/?pyramid={measured.world.high.pk}").content.decode()) == [
        "Zeta High", "Alpha Middle",
    ]
    assert _shown(client.get(f"{BASE}/?signal=nonsense").content.decode()) == ["Zeta High", "Alpha Middle"]


@pytest.mark.parametrize(("name", "unit", "title"), [
    ("Office referrals per 100 students", "per 100 students", "Office referrals per 100 students"),
    ("Attendance", "% of students", "Attendance (% of students)"),
    ("Average score", "", "Value"),
])
def test_the_axis_says_the_unit_once(name, unit, title):
    from improvenet.measures.models import Measure
    from improvenet.measures.services import y_title

    assert y_title(Measure(name=name, unit=unit, chart_type="i", multiply=1)) == title
