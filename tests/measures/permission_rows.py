"""Permission rows for the measures app's pages and API (see tests/permission_table.py).

Measure definitions are shared design: alice (lead), carol (district design team) and the network
admin change them. A school's data is school work: bob writes his own school's data only.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from improvenet.measures.models import ChartBreak, Measure, MeasureValue
from improvenet.network.models import Membership, School
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_OWN_SCHOOL_CHANGE,
    API_OWN_SCHOOL_CREATE,
    API_READ,
    DESIGN_API_CHANGE,
    DESIGN_API_CREATE,
    DESIGN_CHANGE_FORM,
    DESIGN_CHANGE_POST,
    OWN_SCHOOL_FORM,
    OWN_SCHOOL_POST,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

MEASURE = "on-track-9th"
API_UPLOAD_WITHOUT_FILE = (401, 422, 422, 403, 403, 404, 422)


def demo_ids() -> dict:
    measure = Measure.objects.get(cluster__slug="riverside", slug=MEASURE)
    bob_school = Membership.objects.filter(
        person__user__username="bob", team__kind="school_design", ended_on__isnull=True
    ).values_list("team__school_id", flat=True).first()
    other = School.objects.filter(cluster__slug="riverside", ended_on__isnull=True).exclude(pk=bob_school).first()
    last = MeasureValue.objects.filter(measure=measure).order_by("-period").values_list("period", flat=True).first()
    return {
        "measure_slug": measure.slug,
        "measure": measure.pk,
        "bob_school": bob_school,
        "other_school": other.pk,
        "bob_value": MeasureValue.objects.filter(measure=measure, school_id=bob_school).first().pk,
        "other_value": MeasureValue.objects.filter(measure=measure, school_id=other.pk).first().pk,
        "bob_school_name": School.objects.get(pk=bob_school).name,
        "next_period": (last + timedelta(weeks=1)).isoformat(),
        "last_period": last.isoformat(),
        "bob_break": ChartBreak.objects.filter(school_id=bob_school, removed_at__isnull=True).values_list(
            "pk", flat=True).first(),
        "bob_break_measure": ChartBreak.objects.filter(school_id=bob_school).values_list(
            "measure__slug", "measure_id").first(),
    }


def _measure_form() -> dict:
    return {
        "name": "Permission test measure", "slug": "permission-test", "kind": "process",
        "operational_definition": "Counted on Mondays.", "numerator_label": "Done", "denominator_label": "Planned",
        "unit": "%", "multiply": 100, "frequency": "weekly", "improvement_direction": "up", "chart_type": "p",
        "first_period": "2024-08-19",
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/measures"
    m = f"{c}/{ids['measure_slug']}"
    bob, other = ids["bob_school"], ids["other_school"]
    api = f"/api/clusters/riverside/measures/{ids['measure']}"
    value_form = {"period": ids.get("last_period", "2026-08-10"), "numerator": 100, "denominator": 200}
    name = ids.get("bob_school_name", "x")
    upload_file = SimpleUploadedFile(
        "permission.csv", f"school,period,numerator,denominator\n{name},{value_form['period']},101,200\n".encode(),
        content_type="text/csv",
    )
    break_slug, break_measure = ids.get("bob_break_measure") or (ids["measure_slug"], ids["measure"])
    bm, bapi = f"{c}/{break_slug}", f"/api/clusters/riverside/measures/{break_measure}"
    break_form = {"starts_on": "2025-11-03", "reason": "Permission test"}
    return {
        # Pages
        "measures list": Action("GET", f"{c}/", RIVERSIDE_READ),
        "new measure form": Action("GET", f"{c}/new/", DESIGN_CHANGE_FORM),
        "create measure": Action("POST", f"{c}/new/", DESIGN_CHANGE_POST, _measure_form()),
        "measure small multiples": Action("GET", f"{m}/", RIVERSIDE_READ),
        "measure edit form": Action("GET", f"{m}/edit/", DESIGN_CHANGE_FORM),
        "measure edit": Action("POST", f"{m}/edit/", DESIGN_CHANGE_POST,
                               {**_measure_form(), "slug": ids["measure_slug"]}),
        "measure end": Action("POST", f"{m}/end/", DESIGN_CHANGE_POST, {"ended_on": "2026-08-31"}),
        "measure upload form": Action("GET", f"{m}/upload/", OWN_SCHOOL_FORM),
        "measure upload": Action("POST", f"{m}/upload/", OWN_SCHOOL_FORM, {"file": upload_file}),
        "cluster chart csv": Action("GET", f"{m}/chart.csv", RIVERSIDE_READ),
        "school chart page": Action("GET", f"{m}/schools/{bob}/", RIVERSIDE_READ),
        "school chart csv": Action("GET", f"{m}/schools/{bob}/chart.csv", RIVERSIDE_READ),
        "school chart svg": Action("GET", f"{m}/schools/{bob}/chart.svg", RIVERSIDE_READ),
        "value form, own school": Action("GET", f"{m}/schools/{bob}/values/new/", OWN_SCHOOL_FORM),
        "value entry, own school": Action("POST", f"{m}/schools/{bob}/values/new/", OWN_SCHOOL_POST, value_form),
        "value form, other school": Action("GET", f"{m}/schools/{other}/values/new/", RIVERSIDE_CHANGE_FORM),
        "value entry, other school": Action("POST", f"{m}/schools/{other}/values/new/", RIVERSIDE_CHANGE_POST,
                                            value_form),
        "break form, own school": Action("GET", f"{bm}/schools/{bob}/breaks/new/", OWN_SCHOOL_FORM),
        "break create, own school": Action("POST", f"{bm}/schools/{bob}/breaks/new/", OWN_SCHOOL_POST, break_form),
        "break form, other school": Action("GET", f"{bm}/schools/{other}/breaks/new/", RIVERSIDE_CHANGE_FORM),
        "break remove, own school": Action("POST", f"{bm}/schools/{bob}/breaks/{ids['bob_break']}/remove/",
                                           OWN_SCHOOL_POST, {"reason": "test"}),
        # API
        "api list chart breaks": Action("GET", f"{bapi}/schools/{bob}/breaks", API_READ),
        "api create chart break, own school": Action("POST", f"{bapi}/schools/{bob}/breaks", API_OWN_SCHOOL_CREATE,
                                                     break_form),
        "api create chart break, other school": Action("POST", f"{bapi}/schools/{other}/breaks",
                                                       API_CREATE, break_form),
        "api remove chart break, own school": Action(
            "POST", f"{bapi}/schools/{bob}/breaks/{ids['bob_break']}/remove", API_OWN_SCHOOL_CHANGE,
            {"reason": "test"}),
        "api list measures": Action("GET", "/api/clusters/riverside/measures", API_READ),
        "api create measure": Action("POST", "/api/clusters/riverside/measures", DESIGN_API_CREATE,
                                     {**_measure_form(), "denominator_label": "Planned"}),
        "api read measure": Action("GET", api, API_READ),
        "api update measure": Action("PATCH", api, DESIGN_API_CHANGE, {"target": 80}),
        "api end measure": Action("POST", f"{api}/end", DESIGN_API_CHANGE, {"ended_on": "2026-08-31"}),
        "api list values": Action("GET", f"{api}/values", API_READ),
        "api create value, own school": Action("POST", f"{api}/values", API_OWN_SCHOOL_CREATE,
                                               {"school_id": bob, "period": ids.get("next_period", "2026-08-17"),
                                                "numerator": 50, "denominator": 100}),
        "api update value, own school": Action("PATCH", f"{api}/values/{ids['bob_value']}", API_OWN_SCHOOL_CHANGE,
                                               {"numerator": 1}),
        "api update value, other school": Action("PATCH", f"{api}/values/{ids['other_value']}",
                                                 API_CHANGE, {"numerator": 1}),
        "api upload without a file": Action("POST", f"{api}/upload", API_UPLOAD_WITHOUT_FILE),
        "api cluster chart": Action("GET", f"{api}/chart", API_READ),
        "api school chart": Action("GET", f"{api}/schools/{bob}/chart", API_READ),
    }
