"""The data pages against a real store of the synthetic district (DuckDB) and the real audit log."""

import csv
import datetime
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django_scopes import scopes_disabled

from improvenet.analytics.store import Store
from improvenet.data.models import AuditEvent, DataLoad, DataUseAgreement
from improvenet.network.models import Membership, Person
from tests.data.conftest import START_YEAR, bundle_with, make_agreement
from tests.data.stores import district_store_fixture, loaded_fixture  # noqa: F401  (fixtures)

BASE = "/clusters/alpha/data"


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def audit_actions() -> list[str]:
    with scopes_disabled():
        return list(AuditEvent.objects.values_list("action", flat=True))


def zipped(folder, *, extra: dict[str, bytes] | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"district/{path.name}")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    buffer.seek(0)
    buffer.name = "district.zip"
    return buffer


class Markup(HTMLParser):
    """What an accessibility checker would flag first: unlabeled controls, th without scope, tables without caption."""

    def __init__(self):
        super().__init__()
        self.labels, self.controls, self.problems = set(), [], []
        self.tables = self.captions = 0
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append((attrs.get("id"), self.in_label > 0, attrs.get("name")))
        elif tag == "th" and not attrs.get("scope"):
            self.problems.append("a th without scope")
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1

    def check(self, html: str) -> list[str]:
        self.feed(html)
        for control_id, wrapped, name in self.controls:
            if not wrapped and control_id not in self.labels:
                self.problems.append(f"the control {name} has no label")
        if self.tables != self.captions:
            self.problems.append(f"{self.tables} tables but {self.captions} captions")
        return self.problems


def assert_accessible(response):
    assert Markup().check(response.content.decode()) == []


# The data home ------------------------------------------------------------------------------------


def test_the_home_without_a_store_says_no_data_is_loaded(client, data_world):
    answer = page(client, data_world.world.users.lead, f"{BASE}/")
    assert answer.status_code == 200
    assert "No data loaded yet" in answer.content.decode()
    assert_accessible(answer)


def test_the_home_shows_the_store_and_recent_loads_to_the_district(client, loaded):
    lead = loaded.world.users.lead
    with scopes_disabled():
        DataLoad.objects.create(cluster=loaded.world.alpha, user=lead, source="broken", format="bundle", channel="cli",
                                status="refused", errors=["enrollments.csv, line 4, column grade_level: not a grade"],
                                error_count=1)
    answer = page(client, lead, f"{BASE}/")
    text = answer.content.decode()
    counts = Store(loaded.store).counts()
    assert f"<th scope=\"row\">student</th><td>{counts['student']}</td>" in text
    assert "enrollments.csv, line 4, column grade_level" in text
    assert "Refused: nothing was written" in text
    assert_accessible(answer)


def test_a_researcher_with_an_agreement_sees_metrics_but_not_loads(client, loaded):
    make_agreement(loaded)
    text = page(client, loaded.world.users.researcher, f"{BASE}/").content.decode()
    assert "/data/metrics/chronic-absenteeism/" in text
    assert "Recent loads" not in text and "Load data</a>" not in text


@pytest.mark.parametrize("who", ["researcher", "member", "viewer"])
def test_without_an_agreement_or_a_data_role_the_home_is_refused_with_the_reason(client, data_world, who):
    answer = page(client, getattr(data_world.world.users, who), f"{BASE}/")
    assert answer.status_code == 403
    assert "active data use agreement" in answer.content.decode()


def test_another_clusters_lead_finds_nothing(client, data_world):
    assert page(client, data_world.world.users.outsider, f"{BASE}/").status_code == 404


# Loads ---------------------------------------------------------------------------------------------


def test_a_zip_of_the_bundle_loads_and_the_report_shows_rows_per_table(client, data_world, district):
    client.force_login(data_world.world.users.lead)
    answer = client.post(f"{BASE}/load/", {"file": zipped(district), "format": "detect"})
    assert answer.status_code == 200, answer.content.decode()[:2000]
    text = answer.content.decode()
    assert "Loaded district (bundle)" in text
    with scopes_disabled():
        record = DataLoad.objects.get()
    assert (record.status, record.source, record.channel) == ("loaded", "district", "web")
    assert f"<th scope=\"row\">student</th><td>{record.rows['student']['new']}</td>" in text
    assert Store(data_world.store).counts()["student"] == record.rows["student"]["new"] > 1000
    # The report asks (htmx) for the metrics' tables to be computed, one a request, showing how many are ready.
    assert f'hx-get="{BASE}/load/results/" hx-trigger="load"' in text
    warming = client.get(f"{BASE}/load/results/", headers={"HX-Request": "true"}).content.decode()
    assert "1 of 4 ready" in warming and 'hx-trigger="load"' in warming and "<html" not in warming
    # Opened as an address, it is a whole page that goes on asking the same way.
    page = client.get(f"{BASE}/load/results/").content.decode()
    assert "<title>Computing the metrics' tables" in page and "2 of 4 ready" in page and 'hx-trigger="load"' in page
    assert_accessible(answer)


def test_a_broken_bundle_is_refused_listing_file_and_line_and_nothing_is_written(client, data_world, district,
                                                                                tmp_path):
    broken = tmp_path / "broken"
    bundle_with(district, broken, "enrollments.csv", 4, "grade_level", "thirteen")
    client.force_login(data_world.world.users.lead)
    answer = client.post(f"{BASE}/load/", {"file": zipped(broken), "format": "bundle"})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "enrollments.csv, line 4, column grade_level" in text
    assert "Nothing was written to the store" in text
    assert not data_world.store.exists() or Store(data_world.store).counts()["student"] == 0


@pytest.mark.parametrize(("entry", "reason"), [
    ("../escaped.csv", "points outside the archive"),
    ("/etc/escaped.csv", "absolute path"),
])
def test_a_zip_that_would_write_outside_its_folder_is_refused(client, data_world, district, tmp_path, entry, reason):
    client.force_login(data_world.world.users.lead)
    answer = client.post(f"{BASE}/load/", {"file": zipped(district, extra={entry: b"x"}), "format": "detect"})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert reason in text and "Nothing was written" in text
    with scopes_disabled():
        assert not DataLoad.objects.exists()
    assert not data_world.store.exists()


def test_a_zip_holding_a_symbolic_link_is_refused(client, data_world, district):
    link = zipfile.ZipInfo("district/students.csv")
    link.external_attr = (0o120777 << 16)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(link, "/etc/passwd")
    buffer.seek(0)
    buffer.name = "linked.zip"
    client.force_login(data_world.world.users.lead)
    answer = client.post(f"{BASE}/load/", {"file": buffer, "format": "detect"})
    assert answer.status_code == 422
    assert "symbolic link" in answer.content.decode()


def test_a_zip_bomb_or_a_swarm_of_files_is_refused_before_unpacking(tmp_path):
    from improvenet.data.unzip import UnsafeArchive, unpack

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.csv", b"0" * 5_000_000)
    assert len(bomb.getvalue()) < 50_000
    with pytest.raises(UnsafeArchive, match="unpacks to 5,000,000 bytes; at most 1,000,000"):
        unpack(io.BytesIO(bomb.getvalue()), tmp_path, max_bytes=1_000_000)
    swarm = io.BytesIO()
    with zipfile.ZipFile(swarm, "w") as archive:
        for number in range(11):
            archive.writestr(f"f{number}.csv", b"")
    with pytest.raises(UnsafeArchive, match="holds 11 entries; at most 10"):
        unpack(io.BytesIO(swarm.getvalue()), tmp_path, max_files=10)
    assert list(tmp_path.iterdir()) == []


def test_loading_is_for_the_lead_and_the_data_team(client, data_world, district):
    world = data_world.world
    client.force_login(world.users.member)
    assert client.get(f"{BASE}/load/").status_code == 403
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Dee", family_name="Ta", user=world.users.member)
        Membership.objects.create(team=data_world.data_team, person=person, role="Analyst", started_on="2024-01-01")
    assert client.get(f"{BASE}/load/").status_code == 200


# Metrics -------------------------------------------------------------------------------------------


def test_the_metric_page_shows_rates_by_school_and_group_with_a_trend_chart_and_audits_the_read(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/chronic-absenteeism/")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Rate (%)" in text and "Chronically absent (students)" in text
    assert "District (all schools)" in text and "Alpha High" in text and "English learners" in text
    spec = json.loads(re.search(r'id="chart-spec" type="application/json">(.*?)</script>', text, re.S).group(1))
    units = {value["unit"] for value in spec["data"]["values"]}
    assert {"Alpha High", "Cedar High", "District (all schools)"} <= units
    assert all(0 <= value["percent"] <= 100 for value in spec["data"]["values"])
    assert "vega-embed-7.0.2.min.js" in text
    assert audit_actions() == ["metric chronic-absenteeism"]
    with scopes_disabled():
        assert AuditEvent.objects.get().channel == "web"
    assert_accessible(answer)


def test_while_another_reader_computes_the_page_shows_progress_asks_again_then_shows_the_figures(client, loaded):
    """Two readers never compute at once: the second page does not wait in the server but polls (htmx)."""
    import threading

    from improvenet.analytics.results import ResultCache

    started, release = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        release.wait(30)
        raise RuntimeError("never kept")

    other = threading.Thread(target=lambda: pytest.raises(RuntimeError, ResultCache(loaded.store).result, {}, slow))
    other.start()
    try:
        assert started.wait(30)
        url = f"{BASE}/metrics/chronic-absenteeism/"
        waiting = page(client, loaded.world.users.lead, url)
        assert waiting.status_code == 202 and 'id="metric-computing"' in waiting.content.decode()
        assert 'hx-trigger="load delay:2s"' in waiting.content.decode() and "Rate (%)" not in waiting.content.decode()
        polled = client.get(url, headers={"HX-Trigger": "metric-computing"})
        assert polled.status_code == 200
        assert 'id="metric-computing"' in polled.content.decode() and "<html" not in polled.content.decode()
        assert audit_actions() == [], "nothing shown, nothing audited"
    finally:
        release.set()
        other.join(30)
    ready = client.get(url, headers={"HX-Trigger": "metric-computing"})
    assert ready["HX-Refresh"] == "true" and audit_actions() == []
    assert "Rate (%)" in client.get(url).content.decode() and audit_actions() == ["metric chronic-absenteeism"]


def test_the_options_form_chooses_the_year_and_the_table_shows_it(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/on-track/", school_year=START_YEAR)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert f"School year {START_YEAR}" in text
    with scopes_disabled():
        assert AuditEvent.objects.get().detail["options"] == {"school_year": START_YEAR, "min_n": 10}


def test_suppressed_rows_say_how_small_the_group_is_and_show_no_numbers(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/chronic-absenteeism/", min_n=50)
    text = answer.content.decode()
    hidden = re.findall(r'<tr class="suppressed">(.*?)</tr>', text, re.S)
    assert hidden, "a minimum of 50 hides some groups of this small district"
    for row in hidden:
        assert "Hidden: fewer than 50 students" in row
        assert not re.search(r"\d", re.sub(r"<[^>]+>", "", row).replace("fewer than 50 students", "")), row


def test_an_agreement_shortfall_is_refused_on_a_403_page_naming_what_is_missing(client, loaded):
    make_agreement(loaded, fields=("student.*", "student_school_association.*"))
    answer = page(client, loaded.world.users.researcher, f"{BASE}/metrics/chronic-absenteeism/")
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "calendar_date.*" in text and "student_school_attendance_event.*" in text
    assert audit_actions() == []


def test_a_researcher_without_an_agreement_sees_no_student_level_page(client, loaded):
    researcher = loaded.world.users.researcher
    for url in ("metrics/chronic-absenteeism/", "metrics/chronic-absenteeism/csv/", "compare/"):
        assert page(client, researcher, f"{BASE}/{url}").status_code == 403, url
    assert audit_actions() == []


def test_a_researcher_under_an_agreement_reads_and_the_read_names_the_agreement(client, loaded):
    agreement = make_agreement(loaded)
    answer = page(client, loaded.world.users.researcher, f"{BASE}/metrics/chronic-absenteeism/")
    assert answer.status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.get().agreement == agreement


def test_a_researcher_may_not_lower_the_minimum(client, loaded):
    make_agreement(loaded)
    answer = page(client, loaded.world.users.researcher, f"{BASE}/metrics/chronic-absenteeism/", min_n=3)
    assert answer.status_code == 403
    assert "below 10" in answer.content.decode()


def test_the_csv_download_is_audited_like_the_page(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/graduation-rate/csv/")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert {row["school_id"] for row in rows} >= {"AH", "CH", "ALL"}
    assert all(row["rate"] == "" for row in rows if row["suppressed"] == "1")
    assert audit_actions() == ["metric graduation-rate"]


def test_teacher_retention_curves_show_a_chart_and_the_shares_of_each_cohort(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/teacher-retention/", view="curves")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Retention curves by entry cohort" in text and "Still teaching in the district (%)" in text
    spec = json.loads(re.search(r'id="chart-spec" type="application/json">(.*?)</script>', text, re.S).group(1))
    assert spec["layer"][1]["encoding"]["y"]["title"] == "Still teaching in the district (%)"
    assert_accessible(answer)


def test_the_metric_page_without_a_store_says_so(client, data_world):
    answer = page(client, data_world.world.users.lead, f"{BASE}/metrics/on-track/")
    assert answer.status_code == 200
    assert "No data loaded yet" in answer.content.decode()
    assert audit_actions() == []


def test_an_unknown_metric_is_not_found(client, data_world):
    assert page(client, data_world.world.users.lead, f"{BASE}/metrics/happiness/").status_code == 404


def test_a_bad_option_is_a_form_error(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/metrics/chronic-absenteeism/", threshold="lots")
    assert answer.status_code == 422
    assert "Threshold: Enter a number." in answer.content.decode()


# The comparison ------------------------------------------------------------------------------------


def test_the_comparison_states_the_estimate_with_its_interval_and_caveats(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/compare/", metric="chronic-absenteeism",
                  treated_role="innovation", start_year=START_YEAR)
    assert answer.status_code == 200, answer.content.decode()[:3000]
    text = answer.content.decode()
    assert f"From {START_YEAR} on, the chronic absenteeism rate in the 3 innovation schools was" in text
    assert "percentage points lower than the 3 comparison schools" in text
    assert "95% interval:" in text and "What to keep in mind" in text
    assert "chosen, not assigned at random" in text
    assert audit_actions() == ["analysis did chronic-absenteeism", "metric chronic-absenteeism"]
    assert_accessible(answer)


def test_a_comparison_the_data_cannot_support_is_a_form_error(client, loaded):
    answer = page(client, loaded.world.users.lead, f"{BASE}/compare/", metric="graduation-rate",
                  treated_role="at_large", start_year=START_YEAR)
    assert answer.status_code == 422
    assert "error-summary" in answer.content.decode()


# Agreements ----------------------------------------------------------------------------------------


def agreement_form(data_world, **changes) -> dict:
    world = data_world.world
    today = datetime.date.today()
    return {"project": "Graduation study", "purpose": "Four-year graduation trends.",
            "researchers": [world.users.researcher.pk], "schools": [world.high.pk, world.middle.pk],
            "permitted_fields": ["student.*", "student_school_association.*"], "starts_on": today.isoformat(),
            "expires_on": (today + datetime.timedelta(days=200)).isoformat(), **changes}


def test_the_lead_makes_an_agreement_from_the_clusters_people_schools_and_fields(client, data_world):
    client.force_login(data_world.world.users.lead)
    form = client.get(f"{BASE}/agreements/new/")
    text = form.content.decode()
    assert 'value="student_school_association.*"' in text and "All of calendar_date" in text
    assert "outsider" not in text, "researchers are chosen from the cluster's users only"
    assert_accessible(form)
    answer = client.post(f"{BASE}/agreements/new/", agreement_form(data_world))
    assert answer.status_code == 302
    with scopes_disabled():
        agreement = DataUseAgreement.objects.get()
        assert list(agreement.researchers.all()) == [data_world.world.users.researcher]
        assert agreement.permitted_fields == ["student.*", "student_school_association.*"]
        assert agreement.created_by == data_world.world.users.lead
    listing = client.get(f"{BASE}/agreements/").content.decode()
    assert "Active (1)" in listing and "Graduation study" in listing


def test_the_agreements_own_rules_are_shown_by_field(client, data_world):
    client.force_login(data_world.world.users.lead)
    today = datetime.date.today()
    answer = client.post(f"{BASE}/agreements/new/", agreement_form(
        data_world, expires_on=(today - datetime.timedelta(days=1)).isoformat(), permitted_fields=[]))
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "Expires on: The agreement must expire after it starts." in text
    assert "Permitted fields: This field is required." in text
    with scopes_disabled():
        assert not DataUseAgreement.objects.exists()


def test_the_lead_ends_an_agreement_and_it_covers_nothing_more(client, loaded):
    agreement = make_agreement(loaded)
    client.force_login(loaded.world.users.lead)
    answer = client.post(f"{BASE}/agreements/{agreement.pk}/end/")
    assert answer.status_code == 302
    with scopes_disabled():
        agreement.refresh_from_db()
    assert agreement.ended_on == datetime.date.today()
    assert "Ended (1)" in client.get(f"{BASE}/agreements/").content.decode()
    assert page(client, loaded.world.users.researcher, f"{BASE}/metrics/chronic-absenteeism/").status_code == 403


def test_only_the_lead_and_admins_change_agreements(client, data_world):
    agreement = make_agreement(data_world)
    world = data_world.world
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Dee", family_name="Ta", user=world.users.member)
        Membership.objects.create(team=data_world.data_team, person=person, role="Analyst", started_on="2024-01-01")
    client.force_login(world.users.member)
    assert client.get(f"{BASE}/agreements/{agreement.pk}/").status_code == 200, "the data team reads them"
    assert client.get(f"{BASE}/agreements/{agreement.pk}/edit/").status_code == 403
    assert client.post(f"{BASE}/agreements/{agreement.pk}/end/").status_code == 403
    client.force_login(world.users.admin)
    assert client.get(f"{BASE}/agreements/{agreement.pk}/edit/").status_code == 200


# The audit log -------------------------------------------------------------------------------------


def test_the_lead_reads_the_audit_log_newest_first_filters_it_and_exports_it(client, loaded):
    make_agreement(loaded)
    page(client, loaded.world.users.researcher, f"{BASE}/metrics/chronic-absenteeism/")
    page(client, loaded.world.users.lead, f"{BASE}/metrics/on-track/")
    answer = page(client, loaded.world.users.lead, f"{BASE}/audit/")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert text.index("metric on-track") < text.index("metric chronic-absenteeism")
    assert "Attendance study" in text
    assert_accessible(answer)
    filtered = client.get(f"{BASE}/audit/", {"user": "researcher"}).content.decode()
    assert "metric chronic-absenteeism" in filtered and "metric on-track" not in filtered
    export = client.get(f"{BASE}/audit/csv/", {"action": "on-track"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(row["user"], row["channel"], row["action"]) for row in rows] == [("lead", "web", "metric on-track")]
    assert json.loads(rows[0]["detail"])["options"] == {"min_n": 10}


def test_the_audit_log_is_paginated(client, data_world):
    world = data_world.world
    with scopes_disabled():
        for number in range(55):
            AuditEvent.objects.create(cluster=world.alpha, user=world.users.lead, username="lead", channel="cli",
                                      action=f"metric test {number:02d}")
    client.force_login(world.users.lead)
    first = client.get(f"{BASE}/audit/").content.decode()
    assert "Page 1 of 2" in first and "metric test 54" in first and "metric test 04" not in first
    assert "metric test 04" in client.get(f"{BASE}/audit/", {"page": 2}).content.decode()


@pytest.mark.parametrize("who", ["member", "researcher"])
def test_nobody_but_the_lead_and_admins_reads_the_audit_log(client, data_world, who):
    make_agreement(data_world)
    assert page(client, getattr(data_world.world.users, who), f"{BASE}/audit/").status_code == 403
    assert page(client, getattr(data_world.world.users, who), f"{BASE}/audit/csv/").status_code == 403


# Opt-outs ------------------------------------------------------------------------------------------


def test_an_opt_out_is_recorded_and_the_confirmation_says_nothing_about_the_student(client, loaded, district):
    student_id = next(csv.DictReader((district / "students.csv").open()))["student_id"]
    client.force_login(loaded.world.users.lead)
    answer = client.post(f"{BASE}/opt-out/", {"student_id": student_id}, follow=True)
    text = answer.content.decode()
    assert "The opt-out was recorded." in text
    assert student_id not in text
    assert re.findall(r'<p class="message[^"]*">(.*?)</p>', text) == ["The opt-out was recorded."]
    assert len(Store(loaded.store).opted_out()) == 1
    assert audit_actions() == ["opt-out recorded"]
