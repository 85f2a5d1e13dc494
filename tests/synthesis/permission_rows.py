"""Permission rows for the evidence ledger's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads its ledgers; its lead and the network admins record external studies and
schools' estimates. The rows use the demo's published change idea (13 estimates), its innovation and its pilot's
product; the innovation and the product have too few estimates to pool, so their forest plots are not found.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from improvenet.design.models import Innovation
from improvenet.network.models import Cluster, School
from improvenet.pilots.models import Product
from improvenet.sharing.models import Publication
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_READ,
    LEAD_POST_EMPTY,
    LEAD_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

NOT_FOUND_FOR_READERS = (302, 404, 404, 404, 404, 404, 404)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    idea = Publication.objects.get(cluster=riverside).change_idea
    return {
        "ledger_idea": idea.pk,
        "ledger_innovation": Innovation.objects.filter(cluster=riverside).order_by("pk").first().pk,
        "ledger_product": Product.objects.filter(cluster=riverside).order_by("pk").first().pk,
        "ledger_study": ExternalStudy.objects.filter(cluster=riverside).order_by("pk").first().pk,
        "ledger_estimate": SchoolEstimate.objects.filter(cluster=riverside).order_by("pk").first().pk,
        "ledger_school": School.objects.filter(cluster=riverside).order_by("name").first().pk,
    }


def _study_form() -> dict:
    return {"citation": "Permission (2024)", "outcome": "GPA", "wwc_rating": "not_reviewed", "scale": "smd",
            "effect": "0.1", "standard_error": "0.05"}


def _school_form(ids) -> dict:
    return {"school": ids["ledger_school"], "outcome": "GPA", "start_year": 2025, "effect": 0.1,
            "standard_error": 0.05, "scale": "smd", "included": "on", "inclusion_reason": "Parallel trends held."}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/ledger"
    api = "/api/clusters/riverside/ledger"
    subjects = {"idea": ("ideas", ids["ledger_idea"], RIVERSIDE_READ),
                "innovation": ("innovations", ids["ledger_innovation"], NOT_FOUND_FOR_READERS),
                "product": ("products", ids["ledger_product"], NOT_FOUND_FOR_READERS)}
    found = {
        "ledger index": Action("GET", f"{c}/", RIVERSIDE_READ),
        "external study edit form": Action("GET", f"{c}/studies/{ids['ledger_study']}/edit/", RIVERSIDE_CHANGE_FORM),
        "external study edit": Action("POST", f"{c}/studies/{ids['ledger_study']}/edit/", RIVERSIDE_CHANGE_POST,
                                      _study_form()),
        "school estimate edit form": Action("GET", f"{c}/schools/{ids['ledger_estimate']}/edit/",
                                            RIVERSIDE_CHANGE_FORM),
        "school estimate edit": Action("POST", f"{c}/schools/{ids['ledger_estimate']}/edit/", RIVERSIDE_CHANGE_POST,
                                       _school_form(ids)),
        # API
        "api list external studies": Action("GET", f"{api}/studies", API_READ),
        "api create external study": Action("POST", f"{api}/studies", API_CREATE,
                                            {"change_idea_id": ids["ledger_idea"], "citation": "P", "outcome": "GPA",
                                             "effect": 0.1, "standard_error": 0.05}),
        "api read external study": Action("GET", f"{api}/studies/{ids['ledger_study']}", API_READ),
        "api change external study": Action("PATCH", f"{api}/studies/{ids['ledger_study']}", API_CHANGE,
                                            {"sample": "12 schools"}),
        "api end external study": Action("POST", f"{api}/studies/{ids['ledger_study']}/end", API_CHANGE, {}),
        "api list school estimates": Action("GET", f"{api}/schools", API_READ),
        "api create school estimate": Action("POST", f"{api}/schools", API_CREATE, {
            "change_idea_id": ids["ledger_idea"], "school_id": ids["ledger_school"], "outcome": "GPA",
            "start_year": 2025, "effect": 0.1, "standard_error": 0.05, "inclusion_reason": "Parallel trends."}),
        "api read school estimate": Action("GET", f"{api}/schools/{ids['ledger_estimate']}", API_READ),
        "api change school estimate": Action("PATCH", f"{api}/schools/{ids['ledger_estimate']}", API_CHANGE,
                                             {"included": False, "inclusion_reason": "Trends diverged."}),
        "api end school estimate": Action("POST", f"{api}/schools/{ids['ledger_estimate']}/end", API_CHANGE, {}),
        "api read idea ledger": Action("GET", f"{api}/ideas/{ids['ledger_idea']}", API_READ),
        "api read innovation ledger": Action("GET", f"{api}/innovations/{ids['ledger_innovation']}", API_READ),
        "api read product ledger": Action("GET", f"{api}/products/{ids['ledger_product']}", API_READ),
    }
    for name, (folder, pk, forest) in subjects.items():
        here = f"{c}/{folder}/{pk}"
        upload = SimpleUploadedFile("studies.csv", b"citation,outcome,effect,standard_error\nP (2024),GPA,0.1,0.05\n",
                                    content_type="text/csv")
        found |= {
            f"{name} ledger page": Action("GET", f"{here}/", RIVERSIDE_READ),
            f"{name} forest plot SVG": Action("GET", f"{here}/forest-smd.svg", forest),
            f"{name} external study form": Action("GET", f"{here}/studies/new/", RIVERSIDE_CHANGE_FORM),
            f"{name} add external study": Action("POST", f"{here}/studies/new/", RIVERSIDE_CHANGE_POST, _study_form()),
            f"{name} studies upload form": Action("GET", f"{here}/studies/upload/", RIVERSIDE_CHANGE_FORM),
            f"{name} studies upload": Action("POST", f"{here}/studies/upload/", RIVERSIDE_CHANGE_POST,
                                             {"file": upload}),
            f"{name} school estimate form": Action("GET", f"{here}/schools/new/", RIVERSIDE_CHANGE_FORM),
            f"{name} add school estimate": Action("POST", f"{here}/schools/new/", RIVERSIDE_CHANGE_POST,
                                                  _school_form(ids)),
            # The computed estimates are open to the district's readers, the lead and the admins, and not to the
            # data team's researchers (carol is one: 403). An empty choice is refused (422).
            f"{name} computed school estimates": Action("GET", f"{here}/schools/from-store/", LEAD_READ),
            f"{name} include computed school estimates": Action("POST", f"{here}/schools/from-store/",
                                                                LEAD_POST_EMPTY, {}),
        }
    return found
