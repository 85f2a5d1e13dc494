"""Permission rows for the pilots app (see tests/permission_table.py).

Everyone who reads Riverside reads its products, pilots, usage and the company's report; alice (lead),
carol (on the district design team) and the network admin change them; bob (a school team member) and
vera (a viewer) do not. The company's own person (the demo's `mira`) is not a column of the table: the
tests of tests/pilots/test_company.py check what she reads.
"""

from improvenet.network.models import Cluster, School
from improvenet.pilots.models import Pilot
from tests.permission_table import API_READ, RIVERSIDE_READ, Action

PILOTS_CHANGE_FORM = (302, 200, 403, 200, 403, 404, 200)
PILOTS_CHANGE_POST = (302, 302, 403, 302, 403, 404, 302)
PILOTS_REFUSED_POST = (302, 422, 403, 422, 403, 404, 422)
API_PILOTS_CREATE = (401, 201, 403, 201, 403, 404, 201)
API_PILOTS_CHANGE = (401, 200, 403, 200, 403, 404, 200)
API_PILOTS_REFUSED = (401, 422, 403, 422, 403, 404, 422)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    pilot = Pilot.objects.get(cluster=riverside)
    other_school = School.objects.filter(cluster=riverside, level="elementary").exclude(pilots=pilot).first()
    return {"pilot": pilot.pk, "pilot_product": pilot.product_id, "pilot_company": pilot.product.company_id,
            "pilot_school": other_school.pk}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/pilots"
    api = "/api/clusters/riverside"
    pilot, product, company, school = ids["pilot"], ids["pilot_product"], ids["pilot_company"], ids["pilot_school"]
    product_form = {"company": company, "name": "FractionLab", "version": "1", "description": "",
                    "price_per_student": "12.50", "currency": "USD", "price_unit": "per_year", "privacy_agreement": ""}
    return {
        # Pages
        "pilots": Action("GET", f"{c}/", RIVERSIDE_READ),
        "product page": Action("GET", f"{c}/products/{product}/", RIVERSIDE_READ),
        "new product form": Action("GET", f"{c}/products/new/", PILOTS_CHANGE_FORM),
        "create product": Action("POST", f"{c}/products/new/", PILOTS_CHANGE_POST, product_form),
        "edit product form": Action("GET", f"{c}/products/{product}/edit/", PILOTS_CHANGE_FORM),
        "edit product": Action("POST", f"{c}/products/{product}/edit/", PILOTS_CHANGE_POST,
                               product_form | {"name": "MathPath"}),
        "new pilot form": Action("GET", f"{c}/new/", PILOTS_CHANGE_FORM),
        "create pilot": Action("POST", f"{c}/new/", PILOTS_CHANGE_POST,
                               {"product": product, "title": "MathPath in grade 6", "schools": [school], "need": ""}),
        "pilot page": Action("GET", f"{c}/{pilot}/", RIVERSIDE_READ),
        "edit pilot form": Action("GET", f"{c}/{pilot}/edit/", PILOTS_CHANGE_FORM),
        "edit pilot": Action("POST", f"{c}/{pilot}/edit/", PILOTS_CHANGE_POST, {"title": "MathPath, grades 3 to 5"}),
        "advance pilot": Action("POST", f"{c}/{pilot}/advance/", PILOTS_CHANGE_POST, {}),
        "take a study's estimate": Action("POST", f"{c}/{pilot}/use-study/", PILOTS_CHANGE_POST, {"study": "0"}),
        "decide pilot": Action("POST", f"{c}/{pilot}/decide/", PILOTS_CHANGE_POST,
                               {"decision": "adopt", "decision_reason": "It worked."}),
        "usage upload form": Action("GET", f"{c}/{pilot}/usage/", PILOTS_CHANGE_FORM),
        "upload usage without a file": Action("POST", f"{c}/{pilot}/usage/", PILOTS_REFUSED_POST, {}),
        "pilot report": Action("GET", f"{c}/{pilot}/report/", RIVERSIDE_READ),
        # API
        "api list products": Action("GET", f"{api}/products", API_READ),
        "api create product": Action("POST", f"{api}/products", API_PILOTS_CREATE, {
            "company_id": company, "name": "FractionLab", "price_per_student": "12.50"}),
        "api read product": Action("GET", f"{api}/products/{product}", API_READ),
        "api change product": Action("PATCH", f"{api}/products/{product}", API_PILOTS_CHANGE, {"version": "3.2"}),
        "api end product": Action("POST", f"{api}/products/{product}/end", API_PILOTS_CHANGE, {}),
        "api list pilots": Action("GET", f"{api}/pilots", API_READ),
        "api create pilot": Action("POST", f"{api}/pilots", API_PILOTS_CREATE, {
            "product_id": product, "title": "MathPath in grade 6", "school_ids": [school]}),
        "api read pilot": Action("GET", f"{api}/pilots/{pilot}", API_READ),
        "api change pilot": Action("PATCH", f"{api}/pilots/{pilot}", API_PILOTS_CHANGE, {"title": "MathPath, 3-5"}),
        "api advance pilot": Action("POST", f"{api}/pilots/{pilot}/advance", API_PILOTS_CHANGE, {}),
        "api decide pilot": Action("POST", f"{api}/pilots/{pilot}/decide", API_PILOTS_REFUSED, {
            "decision": "adopt", "reason": "It worked."}),
        "api pilot usage": Action("GET", f"{api}/pilots/{pilot}/usage", API_READ),
        "api upload pilot usage": Action("POST", f"{api}/pilots/{pilot}/usage", API_PILOTS_REFUSED),
        "api pilot report": Action("GET", f"{api}/pilots/{pilot}/report", API_READ),
    }
