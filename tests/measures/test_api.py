"""The measures API: same rules and errors as the pages."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from improvenet.measures.models import MeasureValue

BODY = {
    "slug": "attendance", "name": "Average daily attendance", "kind": "outcome",
    "operational_definition": "Student-days present over student-days enrolled.", "numerator_label": "Days present",
    "denominator_label": "Days enrolled", "unit": "%", "multiply": 100, "improvement_direction": "up",
    "chart_type": "p", "first_period": "2025-01-06",
}


@pytest.fixture
def base(measured):
    return f"/clusters/alpha/measures/{measured.measure.pk}"


def test_measure_crud_and_end(measured, api_as):
    api = api_as(measured.designer)
    created = api.post("/clusters/alpha/measures", BODY)
    assert created.status_code == 201, created.content
    measure_id = created.json()["id"]
    assert api.post("/clusters/alpha/measures", BODY).status_code == 409
    changed = api.patch(f"/clusters/alpha/measures/{measure_id}", {"target": 95})
    assert changed.status_code == 200 and changed.json()["target"] == 95
    listed = api.get("/clusters/alpha/measures", kind="outcome").json()
    assert {m["slug"] for m in listed["items"]} == {"on-track", "attendance"}
    ended = api.post(f"/clusters/alpha/measures/{measure_id}/end", {"ended_on": "2026-01-01"})
    assert ended.json()["ended_on"] == "2026-01-01"


def test_measure_rules_answer_422_per_field(measured, api_as):
    answer = api_as(measured.world.users.lead).post("/clusters/alpha/measures", {**BODY, "denominator_label": ""})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "denominator_label"
    answer = api_as(measured.world.users.lead).post("/clusters/alpha/measures", {**BODY, "kind": "other"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "kind"


def test_roles(measured, api_as, base):
    assert api_as(measured.teacher).post("/clusters/alpha/measures", BODY).status_code == 403
    assert api_as(measured.world.users.viewer).patch(base, {"target": 1}).status_code == 403
    assert api_as(measured.world.users.outsider).get(base).status_code == 404
    assert api_as(None).get(base).status_code == 401
    # An id beyond the database's range is refused as input, naming where it is.
    huge = 2**70
    lead = api_as(measured.world.users.lead)
    for answer, field in ((lead.get(f"/clusters/alpha/measures/{huge}"), "measure_id"),
                          (lead.patch(f"{base}/values/{huge}", {"numerator": 1}), "value_id")):
        assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == [field]


def test_values_create_update_and_errors(measured, api_as, base):
    api = api_as(measured.teacher)
    high, middle = measured.world.high.pk, measured.world.middle.pk
    created = api.post(f"{base}/values", {"school_id": high, "period": "2025-06-23", "numerator": 7, "denominator": 9})
    assert created.status_code == 201
    duplicate = api.post(f"{base}/values", {"school_id": high, "period": "2025-06-23", "numerator": 7,
                                            "denominator": 9})
    assert duplicate.status_code == 409 and duplicate.json()["existing"]["id"] == created.json()["id"]
    bad = api.post(f"{base}/values", {"school_id": high, "period": "2025-06-24", "numerator": 10, "denominator": 9})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"period", "denominator"}
    assert api.post(f"{base}/values", {"school_id": middle, "period": "2025-06-23", "numerator": 1,
                                       "denominator": 2}).status_code == 403
    unknown = api.post(f"{base}/values", {"school_id": measured.world.beta_school.pk, "period": "2025-06-23",
                                          "numerator": 1, "denominator": 2})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "school_id"
    value_id = created.json()["id"]
    assert api.patch(f"{base}/values/{value_id}", {"numerator": 8}).json()["numerator"] == 8
    assert api.patch(f"{base}/values/{value_id}", {"numerator": 10}).status_code == 422
    listed = api.get(f"{base}/values", school_id=high, period_from="2025-06-01").json()
    assert listed["count"] == 4 and listed["items"][-1]["numerator"] == 8


def post_file(client, token, url, name, content):
    return client.post(f"/api{url}/upload", {"file": SimpleUploadedFile(name, content)},
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_upload_all_or_nothing_and_idempotent(measured, api_as, client, base):
    token = api_as(measured.world.users.lead).token
    good = b"school,period,numerator,denominator\nAlpha High,2025-06-23,70,100\nAlpha Middle,2025-06-23,40,90\n"
    first = post_file(client, token, base, "good.csv", good)
    assert first.status_code == 200 and first.json()["created"] == 2
    again = post_file(client, token, base, "good.csv", good).json()
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 2)
    bad = good + b"Alpha High,2025-06-23,1,2\nNowhere,2025-06-30,1,2\n"
    answer = post_file(client, token, base, "bad.csv", bad.replace(b"70,100", b"71,100"))
    body = answer.json()
    assert answer.status_code == 422
    assert [e["field"] for e in body["errors"]] == ["row 4", "row 5"]
    assert "duplicate period" in body["errors"][0]["message"] and "unknown school" in body["errors"][1]["message"]
    with scopes_disabled():
        assert MeasureValue.objects.get(measure=measured.measure, school=measured.world.high,
                                        period="2025-06-23").numerator == 70
    unreadable = post_file(client, token, base, "x.csv", b"foo\n1\n")
    assert unreadable.status_code == 422 and unreadable.json()["errors"][0]["field"] == "file"


def test_upload_xlsx_through_the_api(measured, api_as, client, base):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["school", "period", "numerator", "denominator"])
    workbook.active.append(["Alpha High", "2025-06-30", 5, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = post_file(client, api_as(measured.teacher).token, base, "data.xlsx", buffer.getvalue())
    assert answer.status_code == 200 and answer.json()["created"] == 1


def test_chart_data(measured, api_as, base):
    api = api_as(measured.world.users.viewer)
    one = api.get(f"{base}/schools/{measured.world.high.pk}/chart").json()
    assert one["chart"] == "p" and len(one["points"]) == 24 and one["parts"][0]["runs_signal"] is True
    assert any("direction of improvement" in s for s in one["signals_in_words"])
    every = api.get(f"{base}/chart").json()
    assert {p["school_id"] for p in every["points"]} == {measured.world.high.pk, measured.world.middle.pk}
    empty = api.get(f"/clusters/alpha/measures/{measured.single.pk}/chart").json()
    assert empty["points"] == [] and "No data" in empty["message"]
    assert api.get(f"{base}/schools/{measured.world.beta_school.pk}/chart").status_code == 404


def test_openapi_lists_the_measures_operations(db, client):
    document = json.loads(client.get("/api/openapi.json").content)
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"list_measures", "create_measure", "upload_measure_values", "measure_chart_cluster",
            "measure_chart_school", "create_measure_value", "update_measure_value"} <= operations


def test_an_upload_refused_before_its_file_is_read_answers_as_documented(measured, api_as, client):
    token = api_as(measured.world.users.lead).token
    answer = post_file(client, token, f"/clusters/alpha/measures/{2**70}", "x.csv", b"school,period\n")
    assert answer.status_code == 422 and "report" not in answer.json()
    document = client.get("/api/openapi.json").json()
    rejected = document["paths"]["/api/clusters/{cluster}/measures/{measure_id}/upload"]["post"]["responses"]["422"]
    schema = document["components"]["schemas"][rejected["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert schema["required"] == ["detail", "errors"]
