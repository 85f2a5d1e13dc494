"""Permission rows for the partnership app's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads its rubric, rounds, self-assessments and report; its lead and the
network admin edit the rubric and plan rounds. Self-assessments are recorded by the lead or by a
person of the organization assessed: carol (home: Riverside State University) and vera (home: the
school board) may open the form for their own organization; bob's home is a school, not a partner.
"""

import json

from improvenet.demo.network import RIVERSIDE_RESEARCH, RIVERSIDE_UNIVERSITY
from improvenet.network.models import Cluster, Organization
from improvenet.partnership import health as ph
from improvenet.partnership.models import Round, SelfAssessment, rubric_to_data
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

# The assessment form: partners' people open it too (carol, vera); bob has no partner organization.
ASSESS_FORM = (302, 200, 403, 200, 200, 404, 200)
# Recording another organization's self-assessment: carol and vera may not choose it (a form error).
ASSESS_OTHER_POST = (302, 302, 403, 422, 422, 404, 302)
# Changing the university's self-assessment: the lead, the admin, and carol, who works there.
CAROLS_FORM = (302, 200, 403, 200, 403, 404, 200)
CAROLS_POST = (302, 302, 403, 302, 403, 404, 302)
API_ASSESS_OTHER = (401, 201, 403, 403, 403, 404, 201)
API_CAROLS_CHANGE = (401, 200, 403, 200, 403, 404, 200)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    latest = Round.objects.filter(cluster=riverside).order_by("-held_on").first()
    university = SelfAssessment.objects.get(round=latest, organization__name=RIVERSIDE_UNIVERSITY)
    research = Organization.objects.get(cluster=riverside, name=RIVERSIDE_RESEARCH)
    return {"partnership_round": latest.pk, "partnership_round_day": latest.held_on.isoformat(),
            "partnership_assessment": university.pk, "partnership_unassessed": research.pk}


def _levels(evidence: str = "Minutes of the spring partners' meeting.") -> list[tuple[str, str, str]]:
    return [(d.key, d.levels[1].key, evidence) for d in ph.DEFAULT_RUBRIC.dimensions]


def rows(ids) -> dict[str, Action]:
    p = "/clusters/riverside/partnership"
    api = "/api/clusters/riverside/partnership"
    round_, assessment = ids["partnership_round"], ids["partnership_assessment"]
    organization = ids["partnership_unassessed"]
    rated = {f"level_{key}": level for key, level, _ in _levels()} | {
        f"evidence_{key}": evidence for key, _, evidence in _levels()}
    rubric_form = {"title": "Partnership health", "gap_threshold": 2, "change_note": "Reworded",
                   "dimensions": json.dumps(rubric_to_data(ph.DEFAULT_RUBRIC))}
    round_form = {"held_on": "2026-10-05", "title": "Fall 2026 self-assessment", "notes": ""}
    api_ratings = [{"dimension": key, "level": level, "evidence": evidence} for key, level, evidence in _levels()]
    return {
        # Pages
        "partnership report": Action("GET", f"{p}/", RIVERSIDE_READ),
        "partnership rubric": Action("GET", f"{p}/rubric/", RIVERSIDE_READ),
        "partnership rubric edit form": Action("GET", f"{p}/rubric/edit/", RIVERSIDE_CHANGE_FORM),
        "partnership rubric edit": Action("POST", f"{p}/rubric/edit/", RIVERSIDE_CHANGE_POST, rubric_form),
        "partnership rounds": Action("GET", f"{p}/rounds/", RIVERSIDE_READ),
        "partnership new round form": Action("GET", f"{p}/rounds/new/", RIVERSIDE_CHANGE_FORM),
        "partnership create round": Action("POST", f"{p}/rounds/new/", RIVERSIDE_CHANGE_POST, round_form),
        "partnership round page": Action("GET", f"{p}/rounds/{round_}/", RIVERSIDE_READ),
        "partnership edit round form": Action("GET", f"{p}/rounds/{round_}/edit/", RIVERSIDE_CHANGE_FORM),
        "partnership edit round": Action("POST", f"{p}/rounds/{round_}/edit/", RIVERSIDE_CHANGE_POST,
                                         {"held_on": ids.get("partnership_round_day", "2026-03-02"),
                                          "title": "Spring round", "notes": ""}),
        "partnership assessment form": Action("GET", f"{p}/rounds/{round_}/assess/", ASSESS_FORM),
        "partnership record assessment": Action("POST", f"{p}/rounds/{round_}/assess/", ASSESS_OTHER_POST,
                                                {"organization": organization, "notes": "", **rated}),
        "partnership assessment page": Action("GET", f"{p}/assessments/{assessment}/", RIVERSIDE_READ),
        "partnership edit assessment form": Action("GET", f"{p}/assessments/{assessment}/edit/", CAROLS_FORM),
        "partnership edit assessment": Action("POST", f"{p}/assessments/{assessment}/edit/", CAROLS_POST,
                                              {"notes": "Corrected", **rated}),
        # API
        "api partnership rubric": Action("GET", f"{api}/rubric", API_READ),
        "api partnership rubric versions": Action("GET", f"{api}/rubric/versions", API_READ),
        "api partnership new rubric version": Action("POST", f"{api}/rubric", API_CREATE,
                                                     {"dimensions": rubric_to_data(ph.DEFAULT_RUBRIC)}),
        "api partnership rounds": Action("GET", f"{api}/rounds", API_READ),
        "api partnership create round": Action("POST", f"{api}/rounds", API_CREATE, round_form),
        "api partnership read round": Action("GET", f"{api}/rounds/{round_}", API_READ),
        "api partnership change round": Action("PATCH", f"{api}/rounds/{round_}", API_CHANGE, {"notes": "Due Friday"}),
        "api partnership round assessments": Action("GET", f"{api}/rounds/{round_}/assessments", API_READ),
        "api partnership record assessment": Action("POST", f"{api}/rounds/{round_}/assessments", API_ASSESS_OTHER,
                                                    {"organization_id": organization, "ratings": api_ratings}),
        "api partnership read assessment": Action("GET", f"{api}/assessments/{assessment}", API_READ),
        "api partnership change assessment": Action("PATCH", f"{api}/assessments/{assessment}", API_CAROLS_CHANGE,
                                                    {"notes": "Corrected", "ratings": api_ratings}),
        "api partnership report": Action("GET", f"{api}/report", API_READ),
    }
