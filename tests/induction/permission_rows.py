"""Permission rows for the induction app (see tests/permission_table.py).

Everyone who reads Riverside reads the induction outcomes (aggregates, suppressed); the individual records
(new teachers, inductions, mentors, plans, logs, placements) are read and changed by its lead and the
network admin only: the other roles of the cluster get 403 even for reading.
"""

from improvenet.induction.models import Cohort, Induction, Mentor
from improvenet.network.models import Cluster
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_LEAD_READ,
    API_READ,
    LEAD_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    cohort = Cohort.objects.filter(cluster=riverside).order_by("starts_on").first()
    induction = Induction.objects.filter(cohort=cohort).order_by("pk").first()
    mentor = Mentor.objects.filter(cluster=riverside).order_by("pk").first()
    return {"induction_cohort": cohort.pk, "induction": induction.pk, "induction_mentor": mentor.pk}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/induction"
    api = "/api/clusters/riverside/induction"
    cohort, induction, mentor = ids["induction_cohort"], ids["induction"], ids["induction_mentor"]
    cohort_form = {"name": "2026 cohort", "starts_on": "2026-08-17", "length_years": "2", "notes": ""}
    return {
        # Pages
        "induction outcomes": Action("GET", f"{c}/", RIVERSIDE_READ),
        "induction records": Action("GET", f"{c}/records/", LEAD_READ),
        "induction cohort page": Action("GET", f"{c}/cohorts/{cohort}/", LEAD_READ),
        "induction page": Action("GET", f"{c}/inductions/{induction}/", LEAD_READ),
        "new induction record form": Action("GET", f"{c}/cohorts/new/", RIVERSIDE_CHANGE_FORM),
        "create induction cohort": Action("POST", f"{c}/cohorts/new/", RIVERSIDE_CHANGE_POST, cohort_form),
        "edit induction record form": Action("GET", f"{c}/mentors/{mentor}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit induction cohort": Action("POST", f"{c}/cohorts/{cohort}/edit/", RIVERSIDE_CHANGE_POST,
                                        {**cohort_form, "name": "2024 cohort (renamed)", "starts_on": "2024-08-19"}),
        "induction roster import form": Action("GET", f"{c}/teachers/import/", RIVERSIDE_CHANGE_FORM),
        # A roster without a file: the lead gets the form back with its error (422).
        "induction roster import": Action("POST", f"{c}/teachers/import/", (302, 422, 403, 403, 403, 404, 422), {}),
        # API
        "api induction outcomes": Action("GET", f"{api}/outcomes", API_READ),
        "api list induction records": Action("GET", f"{api}/inductions", API_LEAD_READ),
        "api create induction record": Action("POST", f"{api}/cohorts", API_CREATE,
                                              {"name": "2026 cohort", "starts_on": "2026-08-17"}),
        "api read induction record": Action("GET", f"{api}/inductions/{induction}", API_LEAD_READ),
        "api change induction record": Action("PATCH", f"{api}/cohorts/{cohort}", API_CHANGE, {"notes": "Changed."}),
    }
