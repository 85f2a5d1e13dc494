"""Permission rows for the pilots app (see tests/permission_table.py).

Everyone who reads Riverside reads its products, pilots, usage and the company's report; alice (lead),
carol (on the district design team) and the network admin change them; bob (a school team member) and
vera (a viewer) do not. The company's own person (the demo's `mira`) is not a column of the table: the
tests of tests/pilots/test_company.py check what she reads.
"""

from improvenet.network.models import Cluster, School
from improvenet.pilots.models import Pilot
from tests.permission_table import (
    API_READ,
    DESIGN_API_CHANGE,
    DESIGN_API_CREATE,
    DESIGN_API_REFUSED,
    DESIGN_CHANGE_FORM,
    DESIGN_CHANGE_POST,
    DESIGN_CHANGE_REFUSED,
    RIVERSIDE_READ,
    Action,
)


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
        "new product form": Action("GET", f"{c}/products/new/", DESIGN_CHANGE_FORM),
        "create product": Action("POST", f"{c}/products/new/", DESIGN_CHANGE_POST, product_form),
        "edit product form": Action("GET", f"{c}/products/{product}/edit/", DESIGN_CHANGE_FORM),
        "edit product": Action("POST", f"{c}/products/{product}/edit/", DESIGN_CHANGE_POST,
                               product_form | {"name": "MathPath"}),
        "new pilot form": Action("GET", f"{c}/new/", DESIGN_CHANGE_FORM),
        "create pilot": Action("POST", f"{c}/new/", DESIGN_CHANGE_POST,
                               {"product": product, "title": "MathPath in grade 6", "schools": [school], "need": ""}),
        "pilot page": Action("GET", f"{c}/{pilot}/", RIVERSIDE_READ),
        "edit pilot form": Action("GET", f"{c}/{pilot}/edit/", DESIGN_CHANGE_FORM),
        "edit pilot": Action("POST", f"{c}/{pilot}/edit/", DESIGN_CHANGE_POST, {"title": "MathPath, grades 3 to 5"}),
        "advance pilot": Action("POST", f"{c}/{pilot}/advance/", DESIGN_CHANGE_POST, {}),
        "take a study's estimate": Action("POST", f"{c}/{pilot}/use-study/", DESIGN_CHANGE_POST, {"study": "0"}),
        "decide pilot": Action("POST", f"{c}/{pilot}/decide/", DESIGN_CHANGE_POST,
                               {"decision": "adopt", "decision_reason": "It worked."}),
        "usage upload form": Action("GET", f"{c}/{pilot}/usage/", DESIGN_CHANGE_FORM),
        "upload usage without a file": Action("POST", f"{c}/{pilot}/usage/", DESIGN_CHANGE_REFUSED, {}),
        "pilot report": Action("GET", f"{c}/{pilot}/report/", RIVERSIDE_READ),
        # API
        "api list products": Action("GET", f"{api}/products", API_READ),
        "api create product": Action("POST", f"{api}/products", DESIGN_API_CREATE, {
            "company_id": company, "name": "FractionLab", "price_per_student": "12.50"}),
        "api read product": Action("GET", f"{api}/products/{product}", API_READ),
        "api change product": Action("PATCH", f"{api}/products/{product}", DESIGN_API_CHANGE, {"version": "3.2"}),
        "api end product": Action("POST", f"{api}/products/{product}/end", DESIGN_API_CHANGE, {}),
        "api list pilots": Action("GET", f"{api}/pilots", API_READ),
        "api create pilot": Action("POST", f"{api}/pilots", DESIGN_API_CREATE, {
            "product_id": product, "title": "MathPath in grade 6", "school_ids": [school]}),
        "api read pilot": Action("GET", f"{api}/pilots/{pilot}", API_READ),
        "api change pilot": Action("PATCH", f"{api}/pilots/{pilot}", DESIGN_API_CHANGE, {"title": "MathPath, 3-5"}),
        "api advance pilot": Action("POST", f"{api}/pilots/{pilot}/advance", DESIGN_API_CHANGE, {}),
        "api decide pilot": Action("POST", f"{api}/pilots/{pilot}/decide", DESIGN_API_REFUSED, {
            "decision": "adopt", "reason": "It worked."}),
        "api pilot usage": Action("GET", f"{api}/pilots/{pilot}/usage", API_READ),
        "api upload pilot usage": Action("POST", f"{api}/pilots/{pilot}/usage", DESIGN_API_REFUSED),
        "api pilot report": Action("GET", f"{api}/pilots/{pilot}/report", API_READ),
    }
