"""The induction API: outcomes for the cluster, records for the lead, clear errors."""

from django_scopes import scopes_disabled

from improvenet.induction.models import NewTeacher


def test_outcomes_are_read_by_everyone_in_the_cluster(api_as, inducted):
    answer = api_as(inducted.world.users.viewer).get("/clusters/alpha/induction/outcomes", as_of="2026-09-01")
    assert answer.status_code == 200
    body = answer.json()
    assert body["hire_years"] == [2024] and body["min_n"] == 10
    # One inducted teacher and one other: every cell is under 10, so all are hidden.
    assert body["destinations"] and all(row["suppressed"] == 1 for row in body["destinations"])
    assert all(row["survival"] is None for row in body["comparison"])


def test_records_are_for_the_lead(api_as, inducted):
    users = inducted.world.users
    assert api_as(users.viewer).get("/clusters/alpha/induction/teachers").status_code == 403
    assert api_as(users.outsider).get("/clusters/alpha/induction/teachers").status_code == 404
    listed = api_as(users.lead).get("/clusters/alpha/induction/teachers").json()
    assert listed["count"] == 2 and {item["staff_ref"] for item in listed["items"]} == {"T-1", "T-2"}


def test_the_lead_adds_a_new_teacher_and_errors_name_fields(api_as, inducted):
    api = api_as(inducted.world.users.lead)
    created = api.post("/clusters/alpha/induction/teachers",
                       {"staff_ref": "T-3", "hired_on": "2025-08-11", "other_school": "Lincoln Middle"})
    assert created.status_code == 201 and created.json()["first_school_id"] is None
    duplicate = api.post("/clusters/alpha/induction/teachers",
                         {"staff_ref": "T-3", "hired_on": "2025-08-11", "other_school": "Lincoln Middle"})
    assert duplicate.status_code == 409
    unknown = api.post("/clusters/alpha/induction/teachers", {"staff_ref": "T-4", "hired_on": "2025-08-11",
                                                               "other_school": "X", "name": "Ana"})
    assert unknown.status_code == 422 and "name" in unknown.content.decode()
    foreign = api.post("/clusters/alpha/induction/teachers", {"staff_ref": "T-5", "hired_on": "2025-08-11",
                                                               "first_school_id": inducted.world.beta_school.pk})
    assert foreign.status_code == 422 and "first_school_id" in foreign.content.decode()
    bad_date = api.patch(f"/clusters/alpha/induction/teachers/{inducted.other.pk}", {"left_on": "2020-01-01"})
    assert bad_date.status_code == 422 and "left_on" in bad_date.content.decode()
    with scopes_disabled():
        assert NewTeacher.objects.filter(cluster=inducted.world.alpha).count() == 3
        inducted.other.refresh_from_db()
        assert str(inducted.other.left_on) == "2025-06-30"


def test_odd_values_are_422_naming_the_field_not_500(api_as, inducted):
    api = api_as(inducted.world.users.lead)
    url = f"/clusters/alpha/induction/inductions/{inducted.induction.pk}"
    for field, value in [("cohort_id", "abc"), ("cohort_id", 10**30), ("cohort_id", [1]), ("started_on", 5),
                         ("started_on", {"day": 1}), ("mentor_id", True)]:
        answer = api.patch(url, {field: value})
        assert answer.status_code == 422, (field, value, answer.status_code)
        assert [error["field"] for error in answer.json()["errors"]] == [field], answer.json()
    # PostgreSQL cannot store a NUL character: refused before it reaches the database.
    nul = api.patch(f"/clusters/alpha/induction/cohorts/{inducted.cohort.pk}", {"notes": "a\x00b"})
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "notes"


def test_a_future_as_of_date_is_refused(api_as, inducted):
    answer = api_as(inducted.world.users.viewer).get("/clusters/alpha/induction/outcomes", as_of="2999-01-01")
    assert answer.status_code == 422 and "as_of" in answer.content.decode()
    assert api_as(inducted.world.users.viewer).get("/clusters/alpha/induction/outcomes",
                                                   as_of="garbage").status_code == 422
