"""Permission rows for the families app's pages and API (see tests/permission_table.py).

The family pages are public: everyone, signed in or not, reads them and may send an opt-out request
(a well-formed one answers the receipt, 200; an empty one 422). Opt-out requests are for the cluster
lead, network admins and the longitudinal data team (carol is on Riverside's): bob and vera, who read
the cluster, get 404 as if the requests did not exist, and dan (another cluster) 404. Posts that would
confirm a request send an empty form, answered 422 for those allowed, so no store is written.
"""

from improvenet.families.models import OptOutRequest
from improvenet.network.models import Cluster, School, current_on
from tests.permission_table import PUBLIC, RIVERSIDE_CHANGE_FORM, RIVERSIDE_CHANGE_POST, RIVERSIDE_READ, Action

PUBLIC_REFUSED = (422, 422, 422, 422, 422, 422, 422)
REQUESTS_READ = (302, 200, 404, 200, 404, 404, 200)
REQUESTS_POST_EMPTY = (302, 422, 404, 422, 404, 404, 422)
API_REQUESTS_READ = (401, 200, 404, 200, 404, 404, 200)
API_REQUESTS_REFUSED = (401, 422, 404, 422, 404, 404, 422)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    school = School.objects.filter(current_on(), cluster=riverside).order_by("name").first()
    request = OptOutRequest.objects.filter(cluster=riverside, status=OptOutRequest.Status.PENDING).first()
    return {
        "family_school": school.pk, "opt_out_request": request.pk,
        "opt_out_form": {"student_id": "RV-000001", "date_of_birth": "2012-05-04", "school": school.pk,
                         "guardian_name": "A. Family", "contact": "family@example.org", "website": ""},
    }


def rows(ids) -> dict[str, Action]:
    public, school = "/families/riverside", ids["family_school"]
    staff = "/clusters/riverside/family-pages"
    requests, request = "/clusters/riverside/data/opt-out-requests", ids["opt_out_request"]
    api = "/api/clusters/riverside/data/opt-out-requests"
    setting = {"published": "on", "contact_office": "Family research line", "contact_email": "r@example.org"}
    return {
        # Public pages
        "family cluster page": Action("GET", f"{public}/", PUBLIC),
        "family school page": Action("GET", f"{public}/schools/{school}/", PUBLIC),
        "family opt-out request": Action("POST", f"{public}/schools/{school}/", PUBLIC, ids["opt_out_form"]),
        "family opt-out request empty": Action("POST", f"{public}/schools/{school}/", PUBLIC_REFUSED, {}),
        # Staff pages
        "family pages setting": Action("GET", f"{staff}/", RIVERSIDE_READ),
        "family pages setting form": Action("GET", f"{staff}/edit/", RIVERSIDE_CHANGE_FORM),
        "family pages setting change": Action("POST", f"{staff}/edit/", RIVERSIDE_CHANGE_POST, setting),
        "family opt-out requests": Action("GET", f"{requests}/", REQUESTS_READ),
        "family opt-out request detail": Action("GET", f"{requests}/{request}/", REQUESTS_READ),
        "family opt-out confirm unchecked": Action("POST", f"{requests}/{request}/confirm/", REQUESTS_POST_EMPTY, {}),
        "family opt-out not matched without note": Action("POST", f"{requests}/{request}/not-matched/",
                                                          REQUESTS_POST_EMPTY, {}),
        # API
        "api family pages": Action("GET", "/api/families/riverside", PUBLIC),
        "api list opt-out requests": Action("GET", api, API_REQUESTS_READ),
        "api read opt-out request": Action("GET", f"{api}/{request}", API_REQUESTS_READ),
        "api confirm opt-out unchecked": Action("POST", f"{api}/{request}/confirm", API_REQUESTS_REFUSED,
                                                {"checked": False}),
        "api opt-out not matched without note": Action("POST", f"{api}/{request}/not-matched",
                                                       API_REQUESTS_REFUSED, {"note": ""}),
    }
