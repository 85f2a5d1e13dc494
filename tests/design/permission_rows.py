"""Permission rows for the design app's pages and API (see tests/permission_table.py).

The shared design is changed by the district design team: alice (lead), carol (researcher on the
district design team) and admin; bob (school design team) and vera (viewer) only read it, except
that bob records adaptations in his own school.
"""

from improvenet.demo.design import AIM_STATEMENT, CHALLENGE_TITLE, INNOVATION_NAME
from improvenet.design.models import Adaptation, Aim, ChangeIdea, DesignChallenge, Innovation, SchoolEnactment
from improvenet.network.models import School, Team
from tests.permission_table import (
    API_READ,
    DESIGN_API_CHANGE,
    DESIGN_API_CREATE,
    DESIGN_CHANGE_FORM,
    DESIGN_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

# bob's own school: its design team records adaptations there.
SCHOOL_TEAM_FORM = (302, 200, 200, 200, 403, 404, 200)
SCHOOL_TEAM_POST = (302, 302, 302, 302, 403, 404, 302)
SCHOOL_TEAM_API_CREATE = (401, 201, 201, 201, 403, 404, 201)


def demo_ids() -> dict:
    challenge = DesignChallenge.objects.get(cluster__slug="riverside", title=CHALLENGE_TITLE)
    aim = Aim.objects.get(challenge=challenge, statement=AIM_STATEMENT)
    innovation = Innovation.objects.get(cluster__slug="riverside", name=INNOVATION_NAME)
    bobs_school = Team.objects.filter(cluster__slug="riverside", kind="school_design",
                                      memberships__person__user__username="bob").values_list("school_id", flat=True)[0]
    enactment = SchoolEnactment.objects.get(innovation=innovation, school_id=bobs_school)
    other_school = School.objects.filter(cluster__slug="riverside", level="high", role="at_large").first()
    return {
        "challenge": challenge.pk,
        "aim": aim.pk,
        "change_idea": ChangeIdea.objects.filter(cluster__slug="riverside").first().pk,
        "innovation": innovation.pk,
        "element": innovation.elements.filter(kind="adaptable").first().pk,
        "core_element": innovation.elements.filter(kind="core").first().pk,
        "enactment": enactment.pk,
        "other_school": other_school.pk,
        "awaiting": Adaptation.objects.get(enactment__innovation=innovation, status="awaiting_decision").pk,
        "adaptation": Adaptation.objects.filter(enactment=enactment).first().pk,
        "challenge_form": {"title": challenge.title, "problem_of_practice": challenge.problem_of_practice,
                           "causes": "Students: Give up after a low grade"},
        "aim_form": {"statement": aim.statement, "population": aim.population, "baseline": aim.baseline,
                     "target": aim.target, "unit": aim.unit, "target_date": aim.target_date.isoformat()},
        "innovation_form": {"name": innovation.name, "aim": aim.pk, "core_elements": "Lessons: all six",
                            "adaptable_elements": "Timing: when"},
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/design"
    a = "/api/clusters/riverside"
    ch, aim, inn, en = ids["challenge"], ids["aim"], ids["innovation"], ids["enactment"]
    outline = "A driver\n  A secondary driver\n    A change idea\n"
    adaptation_form = {"element": ids["element"], "description": "Lessons in science class",
                       "adapted_on": "2025-10-01"}
    decision = {"decision": "bring_back", "reason": "The research base needs all six lessons."}
    rows = {
        # Pages
        "design home": Action("GET", f"{c}/", RIVERSIDE_READ),
        "challenge page": Action("GET", f"{c}/challenges/{ch}/", RIVERSIDE_READ),
        "new challenge form": Action("GET", f"{c}/challenges/new/", DESIGN_CHANGE_FORM),
        "create challenge": Action("POST", f"{c}/challenges/new/", DESIGN_CHANGE_POST,
                                   {"title": "Permission test challenge", "problem_of_practice": "Something"}),
        "edit challenge form": Action("GET", f"{c}/challenges/{ch}/edit/", DESIGN_CHANGE_FORM),
        "edit challenge": Action("POST", f"{c}/challenges/{ch}/edit/", DESIGN_CHANGE_POST, ids["challenge_form"]),
        "new aim form": Action("GET", f"{c}/challenges/{ch}/aims/new/", DESIGN_CHANGE_FORM),
        "create aim": Action("POST", f"{c}/challenges/{ch}/aims/new/", DESIGN_CHANGE_POST, ids["aim_form"]),
        "aim page": Action("GET", f"{c}/aims/{aim}/", RIVERSIDE_READ),
        "edit aim form": Action("GET", f"{c}/aims/{aim}/edit/", DESIGN_CHANGE_FORM),
        "edit aim": Action("POST", f"{c}/aims/{aim}/edit/", DESIGN_CHANGE_POST, ids["aim_form"]),
        "diagram version page": Action("GET", f"{c}/aims/{aim}/diagram/versions/1/", RIVERSIDE_READ),
        "diagram compare page": Action("GET", f"{c}/aims/{aim}/diagram/compare/", RIVERSIDE_READ),
        "diagram edit form": Action("GET", f"{c}/aims/{aim}/diagram/edit/", DESIGN_CHANGE_FORM),
        "save diagram version": Action("POST", f"{c}/aims/{aim}/diagram/edit/", DESIGN_CHANGE_POST,
                                       {"outline": outline, "note": "Permission test"}),
        "new innovation form": Action("GET", f"{c}/innovations/new/", DESIGN_CHANGE_FORM),
        "create innovation": Action("POST", f"{c}/innovations/new/", DESIGN_CHANGE_POST,
                                    {"name": "Permission test innovation"}),
        "innovation page": Action("GET", f"{c}/innovations/{inn}/", RIVERSIDE_READ),
        "edit innovation form": Action("GET", f"{c}/innovations/{inn}/edit/", DESIGN_CHANGE_FORM),
        "edit innovation": Action("POST", f"{c}/innovations/{inn}/edit/", DESIGN_CHANGE_POST,
                                  ids["innovation_form"]),
        "new enactment form": Action("GET", f"{c}/innovations/{inn}/enactments/new/", DESIGN_CHANGE_FORM),
        "create enactment": Action("POST", f"{c}/innovations/{inn}/enactments/new/", DESIGN_CHANGE_POST,
                                   {"school": ids["other_school"], "started_on": "2025-09-02"}),
        "new adaptation form": Action("GET", f"{c}/enactments/{en}/adaptations/new/", SCHOOL_TEAM_FORM),
        "create adaptation": Action("POST", f"{c}/enactments/{en}/adaptations/new/", SCHOOL_TEAM_POST,
                                    adaptation_form),
        "decision form": Action("GET", f"{c}/adaptations/{ids['awaiting']}/decision/", DESIGN_CHANGE_FORM),
        "decide adaptation": Action("POST", f"{c}/adaptations/{ids['awaiting']}/decision/", DESIGN_CHANGE_POST,
                                    decision),
        # API: driver diagrams and adaptations
        "api read diagram": Action("GET", f"{a}/aims/{aim}/diagram", API_READ),
        "api read diagram version": Action("GET", f"{a}/aims/{aim}/diagram/versions/1", API_READ),
        "api compare diagram versions": Action("GET", f"{a}/aims/{aim}/diagram/compare", API_READ),
        "api save diagram version": Action("POST", f"{a}/aims/{aim}/diagram/versions", DESIGN_API_CREATE,
                                           {"outline": outline, "note": "Permission test"}),
        "api list adaptations": Action("GET", f"{a}/adaptations", API_READ),
        "api read adaptation": Action("GET", f"{a}/adaptations/{ids['adaptation']}", API_READ),
        "api create adaptation": Action("POST", f"{a}/adaptations", SCHOOL_TEAM_API_CREATE,
                                        {"enactment_id": en, "element_id": ids["element"],
                                         "description": "Lessons in science class", "adapted_on": "2025-10-01"}),
        "api decide adaptation": Action("POST", f"{a}/adaptations/{ids['awaiting']}/decision", DESIGN_API_CHANGE,
                                        decision),
    }
    resources = {
        "design-challenges": (ch, {"title": "Permission test challenge", "problem_of_practice": "Something",
                                   "fishbone": [{"category": "Students", "cause": "Give up"}]}),
        "aims": (aim, {"challenge_id": ch, "statement": "From 10% to 20%", "population": "9th graders",
                       "baseline": 10, "target": 20, "unit": "%", "target_date": "2027-06-30"}),
        "change-ideas": (ids["change_idea"], {"title": "Permission test idea"}),
        "innovations": (inn, {"name": "Permission test innovation", "aim_id": aim,
                              "change_idea_ids": [ids["change_idea"]]}),
        "innovation-elements": (ids["element"], {"innovation_id": inn, "kind": "adaptable",
                                                 "name": "Permission test element"}),
        "enactments": (en, {"innovation_id": inn, "school_id": ids["other_school"], "started_on": "2025-09-02"}),
    }
    for kind, (record, body) in resources.items():
        rows |= {
            f"api list {kind}": Action("GET", f"{a}/{kind}", API_READ),
            f"api create {kind}": Action("POST", f"{a}/{kind}", DESIGN_API_CREATE, body),
            f"api read {kind}": Action("GET", f"{a}/{kind}/{record}", API_READ),
            f"api change {kind}": Action("PATCH", f"{a}/{kind}/{record}", DESIGN_API_CHANGE, {}),
            f"api end {kind}": Action("POST", f"{a}/{kind}/{record}/end", DESIGN_API_CHANGE, {}),
        }
    return rows
