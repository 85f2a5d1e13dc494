"""Permission rows for the studies app's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads its studies' summaries and evidence statements; the lead, the network
admin and researchers (carol) design, register, allocate and analyse them; team members (bob) read the
allocation and the impact but do not change them; viewers (vera) read the summary only. The rows use a draft
study and a registered one with a result, made here on top of the demo, and the demo's study, which is shared with
Lakeside: dan, a Lakeside member, reads its summary and evidence statement (page and API) and nothing else of
Riverside's (404, as for a cluster he does not read). A third study, finished and published to the network's
library, is read by every member of the network (dan too: its study page only); its writers publish and withdraw.
"""

import datetime

from django.contrib.auth import get_user_model
from django_scopes import scope

from improvenet.data.models import DataUseAgreement
from improvenet.demo.studies import TITLE as SHARED_STUDY
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, School
from improvenet.studies import publishing
from improvenet.studies.models import Study, StudyResult
from tests.permission_table import API_READ, RIVERSIDE_READ, SIGNED_IN, Action

WRITE_FORM = (302, 200, 403, 200, 403, 404, 200)
WRITE_POST = (302, 302, 403, 302, 403, 404, 302)
DETAILS = (302, 200, 200, 200, 403, 404, 200)
API_WRITE_CREATE = (401, 201, 403, 201, 403, 404, 201)
API_WRITE = (401, 200, 403, 200, 403, 404, 200)
API_DETAILS = (401, 200, 200, 200, 403, 404, 200)
API_ESTIMATE = (401, 422, 403, 422, 403, 404, 422)
API_SHARED_READ = (401, 200, 200, 200, 200, 200, 200)
LAKESIDE_API_READ = (401, 404, 404, 404, 404, 200, 200)
PUBLISHED = "Advisory trial (published)"

FIGURES = {
    "cr2": {"method": "cr2", "estimate": 0.2, "se": 0.08, "df": 10.0, "ci_low": 0.02, "ci_high": 0.38,
            "p_value": 0.03, "hedges_g": 0.25, "improvement_index": 9.9, "n_analyzed": 400, "clusters": 8},
    "mixed": {"method": "mixed", "estimate": 0.21, "se": 0.07, "df": None, "ci_low": 0.07, "ci_high": 0.35,
              "p_value": 0.003, "hedges_g": 0.26, "improvement_index": 10.3, "n_analyzed": 400, "clusters": 8},
    "randomization_p_value": 0.04, "randomization_draws": 499,
    "students": {"unit": "students", "treated": [230, 200], "control": [230, 200]},
    "schools": {"unit": "schools", "treated": [4, 4], "control": [4, 4]},
    "equivalence": {"g": 0.03, "verdict": "satisfies"}, "school_year": 2027,
    "statement": {"design": "experimental", "assigned": "schools", "outcome": "grade point average",
                  "outcome_unit": "points", "blocked_by": None, "favourable": "higher", "assumption": "cautious",
                  "equivalence": "satisfies", "adjusted_in_model": True, "schools": 8, "districts": 1},
}


def demo_ids() -> dict:
    """The rows' studies, made once: tests/browser/page_list.py calls this against a live server's database."""
    riverside = Cluster.objects.get(slug="riverside")
    idea = ChangeIdea.objects.filter(cluster=riverside).order_by("pk").first()
    schools = list(School.objects.filter(cluster=riverside).order_by("name").values_list("pk", flat=True)[:4])
    shared = Study.objects.get(cluster=riverside, title=SHARED_STUDY).pk
    made = Study.objects.filter(cluster=riverside, title__startswith="Advisory trial")
    if made.count() == 3:
        ids = {study.title: study.pk for study in made}
        return {"studies_idea": idea.pk, "studies_draft": ids["Advisory trial (draft)"],
                "studies_registered": ids["Advisory trial"], "studies_schools": schools, "studies_shared": shared,
                "studies_published": ids[PUBLISHED]}
    agreement = DataUseAgreement.objects.create(
        cluster=riverside, project="Advisory trial", purpose="Impact of advisory on GPA.",
        permitted_fields=["course_mark.*", "student_school_association.*"], starts_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2028, 12, 31),
    )
    fields = dict(cluster=riverside, change_idea=idea, design="randomized", assignment_level="school",
                  primary_outcome="gpa", smallest_effect=0.2, starts_on=datetime.date(2026, 8, 15),
                  ends_on=datetime.date(2027, 6, 15), agreement=agreement, power_design="cra2r2",
                  power_parameters={"n": 60, "J": 20, "rho2": 0.15})
    draft = Study.objects.create(title="Advisory trial (draft)", **fields)
    registered = Study.objects.create(title="Advisory trial", **fields)
    published = Study.objects.create(title=PUBLISHED, **fields)
    for finished in (registered, published):
        finished.register(None)
        StudyResult.objects.create(study=finished, outcome="gpa", figures=FIGURES, sites=[
            {"site": "Riverside", "yi": 0.25, "vi": 0.01, "treated": 200, "control": 200, "schools": 8}])
    with scope(cluster=riverside):
        publishing.publish(published, get_user_model().objects.get(username="carol"), channel="web")
    return {"studies_idea": idea.pk, "studies_draft": draft.pk, "studies_registered": registered.pk,
            "studies_schools": schools, "studies_shared": shared, "studies_published": published.pk}


def rows(ids) -> dict[str, Action]:
    c, api = "/clusters/riverside/studies", "/api/clusters/riverside/studies"
    draft, registered, idea = ids["studies_draft"], ids["studies_registered"], ids["studies_idea"]
    shared, published = ids["studies_shared"], ids["studies_published"]
    schools = ids["studies_schools"] or [1, 2]
    form = {"title": "Mentoring trial", "change_idea": idea, "design": "randomized", "assignment_level": "school",
            "block_level": "", "primary_outcome": "gpa", "smallest_effect": "0.2", "starts_on": "2026-08-15",
            "ends_on": "2027-06-15", "power_design": "cra2r2", "n": "60", "J": "20", "rho2": "0.15",
            "two_tailed": "on"}
    payload = {"title": "Mentoring trial", "change_idea_id": idea, "primary_outcome": "gpa", "smallest_effect": 0.2,
               "starts_on": "2026-08-15", "ends_on": "2027-06-15"}
    return {
        # Pages
        "studies": Action("GET", f"{c}/", RIVERSIDE_READ),
        "new study form": Action("GET", f"{c}/new/", WRITE_FORM),
        "create study": Action("POST", f"{c}/new/", WRITE_POST, form),
        "study power panel": Action("GET", f"{c}/power/", RIVERSIDE_READ),
        "study page": Action("GET", f"{c}/{registered}/", RIVERSIDE_READ),
        "edit study form": Action("GET", f"{c}/{draft}/edit/", WRITE_FORM),
        "edit study": Action("POST", f"{c}/{draft}/edit/", WRITE_POST, form),
        "register study": Action("POST", f"{c}/{draft}/register/", WRITE_POST),
        "study allocation page": Action("GET", f"{c}/{registered}/allocation/", DETAILS),
        "preview study allocation": Action("POST", f"{c}/{registered}/allocation/", WRITE_FORM,
                                           {"schools": schools, "proportion": "0.5", "seed": "3", "preview": ""}),
        "study impact page": Action("GET", f"{c}/{registered}/impact/", DETAILS),
        "estimate study impact": Action("POST", f"{c}/{registered}/impact/", WRITE_POST),
        "study impact chart": Action("GET", f"{c}/{registered}/impact/sites.svg", DETAILS),
        "study evidence statement": Action("GET", f"{c}/{registered}/statement/", RIVERSIDE_READ),
        "shared study page": Action("GET", f"{c}/{shared}/", SIGNED_IN),
        "shared study evidence statement": Action("GET", f"{c}/{shared}/statement/", SIGNED_IN),
        "shared study allocation page": Action("GET", f"{c}/{shared}/allocation/", DETAILS),
        "shared study impact page": Action("GET", f"{c}/{shared}/impact/", DETAILS),
        "publish study": Action("POST", f"{c}/{registered}/publish/", WRITE_POST),
        "withdraw study": Action("POST", f"{c}/{published}/withdraw/", WRITE_POST, {"reason": "A newer trial"}),
        "published study page": Action("GET", f"{c}/{published}/", SIGNED_IN),
        "published study evidence statement": Action("GET", f"{c}/{published}/statement/", RIVERSIDE_READ),
        "published study impact page": Action("GET", f"{c}/{published}/impact/", DETAILS),
        # API
        "API list studies": Action("GET", api, API_READ),
        "API create study": Action("POST", api, API_WRITE_CREATE, payload),
        "API read study": Action("GET", f"{api}/{registered}", API_READ),
        "API read shared study": Action("GET", f"{api}/{shared}", API_SHARED_READ),
        "API list shared study allocations": Action("GET", f"{api}/{shared}/allocations", API_DETAILS),
        "API update study": Action("PATCH", f"{api}/{draft}", API_WRITE, {"title": "Advisory trial, year one"}),
        "API register study": Action("POST", f"{api}/{draft}/register", API_WRITE),
        "API list study allocations": Action("GET", f"{api}/{registered}/allocations", API_DETAILS),
        "API create study allocation": Action("POST", f"{api}/{registered}/allocations", API_WRITE_CREATE,
                                              {"school_ids": schools, "seed": 3}),
        # The registered study assigns schools: writers reach the draws of students and classrooms, which name its unit
        # (422).
        "API create study student allocation": Action("POST", f"{api}/{registered}/student-allocations",
                                                      API_ESTIMATE, {"school_ids": schools, "school_year": 2026}),
        "API create study classroom allocation": Action("POST", f"{api}/{registered}/classroom-allocations",
                                                        API_ESTIMATE, {"school_ids": schools, "school_year": 2026}),
        "API list study results": Action("GET", f"{api}/{registered}/results", API_DETAILS),
        "API estimate study impact": Action("POST", f"{api}/{registered}/results", API_ESTIMATE),
        "API publish study": Action("POST", f"{api}/{registered}/publish", API_WRITE_CREATE),
        "API withdraw study": Action("POST", f"{api}/{published}/withdraw", API_WRITE, {"reason": "A newer trial"}),
        "API list shared studies": Action("GET", "/api/clusters/riverside/shared-studies", API_READ),
        "API list lakeside's shared studies": Action("GET", "/api/clusters/lakeside/shared-studies",
                                                     LAKESIDE_API_READ),
        "API list published studies": Action("GET", "/api/clusters/riverside/published-studies", API_READ),
        "API list lakeside's published studies": Action("GET", "/api/clusters/lakeside/published-studies",
                                                        LAKESIDE_API_READ),
    }
