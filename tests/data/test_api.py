"""The data API against a real store of the synthetic district: metric rows under agreements, audited."""

import datetime

import pytest
from django_scopes import scopes_disabled

from improvenet.data.models import AuditEvent, DataLoad
from tests.data.conftest import START_YEAR, make_agreement
from tests.data.stores import district_store_fixture, loaded_fixture  # noqa: F401  (fixtures)

BASE = "/clusters/alpha/data"


def test_metric_rows_come_as_json_with_school_names_and_the_read_is_audited_as_api(api_as, loaded):
    answer = api_as(loaded.world.users.lead).get(f"{BASE}/metrics/chronic-absenteeism", school_year=START_YEAR)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["options"] == {"school_year": START_YEAR} and body["min_n"] == 10
    assert body["columns"] == ["school_id", "school_year", "group", "students", "chronic", "rate", "suppressed"]
    assert {row["school_year"] for row in body["rows"]} == {START_YEAR}
    assert body["schools"]["AH"] == "Alpha High" and body["schools"]["ALL"] == "District (all schools)"
    assert all(row["students"] is None and row["rate"] is None for row in body["rows"] if row["suppressed"])
    with scopes_disabled():
        event = AuditEvent.objects.get()
    assert (event.channel, event.action, event.detail["rows"]) == ("api", "metric chronic-absenteeism",
                                                                  len(body["rows"]))


def test_a_researcher_without_an_agreement_gets_403_with_the_reason(api_as, loaded):
    answer = api_as(loaded.world.users.researcher).get(f"{BASE}/metrics/on-track")
    assert answer.status_code == 403
    assert "active data use agreement" in answer.json()["detail"]


def test_an_agreement_shortfall_names_what_is_missing(api_as, loaded):
    make_agreement(loaded, fields=("student.*", "student_school_association.*"))
    answer = api_as(loaded.world.users.researcher).get(f"{BASE}/metrics/on-track")
    assert answer.status_code == 403
    assert "course_mark.*" in answer.json()["detail"]
    with scopes_disabled():
        assert not AuditEvent.objects.exists()


def test_a_researcher_under_an_agreement_reads_the_metric(api_as, loaded):
    agreement = make_agreement(loaded)
    answer = api_as(loaded.world.users.researcher).get(f"{BASE}/metrics/chronic-absenteeism")
    assert answer.status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.get().agreement == agreement


def test_an_option_the_metric_does_not_have_is_a_422_naming_it(api_as, loaded):
    answer = api_as(loaded.world.users.lead).get(f"{BASE}/metrics/graduation-rate", school_year=2023)
    assert answer.status_code == 422
    message = "graduation-rate has no option school_year."
    assert answer.json()["errors"] == [{"field": "school_year", "message": message}]


def test_a_bad_option_value_is_a_422(api_as, loaded):
    answer = api_as(loaded.world.users.lead).get(f"{BASE}/metrics/teacher-retention", view="sideways")
    assert answer.status_code == 422
    assert "shares, curves" in answer.json()["errors"][0]["message"]


def test_an_unknown_metric_is_404(api_as, data_world):
    assert api_as(data_world.world.users.lead).get(f"{BASE}/metrics/happiness").status_code == 404


def test_without_a_store_the_metric_answers_no_rows_and_says_why(api_as, data_world):
    body = api_as(data_world.world.users.lead).get(f"{BASE}/metrics/on-track").json()
    assert (body["rows"], body["note"]) == ([], "No data loaded yet.")


def test_the_lead_lists_agreements_and_the_audit_log(api_as, loaded):
    agreement = make_agreement(loaded)
    lead = api_as(loaded.world.users.lead)
    agreements = lead.get(f"{BASE}/agreements").json()
    assert agreements["count"] == 1
    item = agreements["items"][0]
    assert (item["id"], item["researchers"], item["active"]) == (agreement.pk, ["researcher"], True)
    lead.get(f"{BASE}/metrics/on-track")
    api_as(loaded.world.users.researcher).get(f"{BASE}/metrics/chronic-absenteeism")
    log = lead.get(f"{BASE}/audit").json()
    assert [(event["username"], event["action"]) for event in log["items"]] == [
        ("researcher", "metric chronic-absenteeism"), ("lead", "metric on-track")]
    assert log["items"][0]["agreement_id"] == agreement.pk
    filtered = lead.get(f"{BASE}/audit", user="lead", since=datetime.date.today().isoformat()).json()
    assert [event["action"] for event in filtered["items"]] == ["metric on-track"]


def test_loads_are_listed_with_their_reports(api_as, data_world):
    world = data_world.world
    with scopes_disabled():
        DataLoad.objects.create(cluster=world.alpha, user=world.users.lead, source="district", format="bundle",
                                channel="web", status="refused", errors=["students.csv, line 2: no id"],
                                error_count=1)
    items = api_as(world.users.lead).get(f"{BASE}/loads").json()["items"]
    assert [(item["source"], item["status"], item["errors"], item["username"]) for item in items] == [
        ("district", "refused", ["students.csv, line 2: no id"], "lead")]


@pytest.mark.parametrize("path", ["/audit", "/loads", "/agreements", "/metrics/on-track"])
def test_a_team_member_is_refused_and_another_clusters_lead_finds_nothing(api_as, data_world, path):
    assert api_as(data_world.world.users.member).get(BASE + path).status_code == 403
    assert api_as(data_world.world.users.outsider).get(BASE + path).status_code == 404
    assert api_as(None).get(BASE + path).status_code == 401


def test_the_audit_log_is_for_the_lead_not_the_data_team(api_as, data_world):
    from improvenet.network.models import Membership, Person

    world = data_world.world
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Dee", family_name="Ta", user=world.users.member)
        Membership.objects.create(team=data_world.data_team, person=person, role="Analyst", started_on="2024-01-01")
    member = api_as(world.users.member)
    assert member.get(f"{BASE}/loads").status_code == 200
    assert member.get(f"{BASE}/audit").status_code == 403
