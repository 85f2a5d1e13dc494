"""Permission rows for the engagement app's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads its engagement events, objections and selection decisions; its
lead and the network admin record and change them. The rows use the demo's selection decision, its
withdrawn candidate and that school's upheld objection.
"""

from improvenet.engagement.models import Candidate, CommunityInput, EngagementEvent, SelectionDecision
from improvenet.network.models import Cluster, School
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_READ,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    decision = SelectionDecision.objects.get(cluster=riverside)
    withdrawn = Candidate.objects.get(decision=decision, outcome="withdrawn")
    event = EngagementEvent.objects.filter(cluster=riverside, school=withdrawn.school).first()
    # A school that is not yet a candidate, so that adding it succeeds.
    newcomer = School.objects.filter(cluster=riverside, role="comparison", level="high").order_by("name").first()
    return {
        "engagement_event": event.pk, "engagement_input": CommunityInput.objects.filter(event=event).first().pk,
        "engagement_objection": withdrawn.objection_id, "engagement_school": withdrawn.school_id,
        "engagement_decision": decision.pk, "engagement_candidate": withdrawn.pk,
        "engagement_newcomer": newcomer.pk,
    }


def rows(ids) -> dict[str, Action]:
    c, api = "/clusters/riverside/engagement", "/api/clusters/riverside/engagement"
    event, item, objection = ids["engagement_event"], ids["engagement_input"], ids["engagement_objection"]
    school, decision, candidate = ids["engagement_school"], ids["engagement_decision"], ids["engagement_candidate"]
    newcomer = ids["engagement_newcomer"]
    event_form = {"held_on": "2026-05-04", "kind": "forum", "school": "", "title": "Spring forum", "attendance": "40",
                  "notes": ""}
    input_form = {"stance": "concern", "summary": "Bus times.", "tag_names": "transportation"}
    objection_form = {"school": school, "raised_on": "2024-03-01", "raised_by": "Parent-teacher association",
                      "objection": "Not this year.", "status": "open", "response": "", "responded_on": ""}
    decision_form = {"title": "Choosing at-large schools", "status": "draft", "decided_on": "", "decided_by": "",
                     "reasons": ""}
    candidate_form = {"school": newcomer, "outcome": "", "reason": "", "objection": ""}
    return {
        # Pages
        "engagement events": Action("GET", f"{c}/", RIVERSIDE_READ),
        "new engagement event form": Action("GET", f"{c}/events/new/", RIVERSIDE_CHANGE_FORM),
        "create engagement event": Action("POST", f"{c}/events/new/", RIVERSIDE_CHANGE_POST, event_form),
        "engagement event page": Action("GET", f"{c}/events/{event}/", RIVERSIDE_READ),
        "edit engagement event form": Action("GET", f"{c}/events/{event}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit engagement event": Action("POST", f"{c}/events/{event}/edit/", RIVERSIDE_CHANGE_POST,
                                        {**event_form, "school": school}),
        "new community input form": Action("GET", f"{c}/events/{event}/inputs/new/", RIVERSIDE_CHANGE_FORM),
        "create community input": Action("POST", f"{c}/events/{event}/inputs/new/", RIVERSIDE_CHANGE_POST,
                                         input_form),
        "edit community input form": Action("GET", f"{c}/inputs/{item}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit community input": Action("POST", f"{c}/inputs/{item}/edit/", RIVERSIDE_CHANGE_POST, input_form),
        "objections page": Action("GET", f"{c}/objections/", RIVERSIDE_READ),
        "new objection form": Action("GET", f"{c}/objections/new/", RIVERSIDE_CHANGE_FORM),
        "create objection": Action("POST", f"{c}/objections/new/", RIVERSIDE_CHANGE_POST, objection_form),
        "objection page": Action("GET", f"{c}/objections/{objection}/", RIVERSIDE_READ),
        "edit objection form": Action("GET", f"{c}/objections/{objection}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit objection": Action("POST", f"{c}/objections/{objection}/edit/", RIVERSIDE_CHANGE_POST,
                                 {**objection_form, "status": "upheld", "response": "Withdrawn.",
                                  "responded_on": "2024-05-02"}),
        "school engagement page": Action("GET", f"{c}/schools/{school}/", RIVERSIDE_READ),
        "selection decisions page": Action("GET", f"{c}/decisions/", RIVERSIDE_READ),
        "new selection decision form": Action("GET", f"{c}/decisions/new/", RIVERSIDE_CHANGE_FORM),
        "create selection decision": Action("POST", f"{c}/decisions/new/", RIVERSIDE_CHANGE_POST, decision_form),
        "selection decision page": Action("GET", f"{c}/decisions/{decision}/", RIVERSIDE_READ),
        "edit selection decision form": Action("GET", f"{c}/decisions/{decision}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit selection decision": Action("POST", f"{c}/decisions/{decision}/edit/", RIVERSIDE_CHANGE_POST,
                                          {**decision_form, "title": "Choosing the innovation high schools"}),
        "new selection candidate form": Action("GET", f"{c}/decisions/{decision}/candidates/new/",
                                               RIVERSIDE_CHANGE_FORM),
        # The demo's decision is final, so a new candidate needs its outcome and reason.
        "create selection candidate": Action("POST", f"{c}/decisions/{decision}/candidates/new/",
                                             RIVERSIDE_CHANGE_POST, {**candidate_form, "outcome": "not_selected",
                                                                     "reason": "A comparison school."}),
        "edit selection candidate form": Action("GET", f"{c}/candidates/{candidate}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit selection candidate": Action("POST", f"{c}/candidates/{candidate}/edit/", RIVERSIDE_CHANGE_POST,
                                           {"school": school, "outcome": "withdrawn", "reason": "Objection upheld.",
                                            "objection": objection}),
        # API
        "api list engagement events": Action("GET", f"{api}/events", API_READ),
        "api create engagement event": Action("POST", f"{api}/events", API_CREATE,
                                              {"held_on": "2026-05-04", "kind": "forum", "title": "Forum",
                                               "attendance": 30}),
        "api read engagement event": Action("GET", f"{api}/events/{event}", API_READ),
        "api change engagement event": Action("PATCH", f"{api}/events/{event}", API_CHANGE, {"attendance": 51}),
        "api list community inputs": Action("GET", f"{api}/inputs", API_READ),
        "api create community input": Action("POST", f"{api}/inputs", API_CREATE,
                                             {"event_id": event, "stance": "support", "summary": "Yes.",
                                              "tags": ["ninth-grade success"]}),
        "api read community input": Action("GET", f"{api}/inputs/{item}", API_READ),
        "api change community input": Action("PATCH", f"{api}/inputs/{item}", API_CHANGE, {"tags": ["schedule"]}),
        "api list engagement tags": Action("GET", f"{api}/tags", API_READ),
        "api list objections": Action("GET", f"{api}/objections", API_READ),
        "api create objection": Action("POST", f"{api}/objections", API_CREATE,
                                       {"school_id": school, "raised_on": "2026-01-05", "raised_by": "Student council",
                                        "objection": "Too many surveys."}),
        "api read objection": Action("GET", f"{api}/objections/{objection}", API_READ),
        "api change objection": Action("PATCH", f"{api}/objections/{objection}", API_CHANGE,
                                       {"response": "The school was withdrawn."}),
        "api list selection decisions": Action("GET", f"{api}/decisions", API_READ),
        "api create selection decision": Action("POST", f"{api}/decisions", API_CREATE, {"title": "At-large schools"}),
        "api read selection decision": Action("GET", f"{api}/decisions/{decision}", API_READ),
        "api change selection decision": Action("PATCH", f"{api}/decisions/{decision}", API_CHANGE,
                                                {"decided_by": "Superintendent's cabinet"}),
        "api list selection candidates": Action("GET", f"{api}/decisions/{decision}/candidates", API_READ),
        "api create selection candidate": Action("POST", f"{api}/decisions/{decision}/candidates", API_CREATE,
                                                 {"school_id": newcomer, "outcome": "not_selected",
                                                  "reason": "A comparison school."}),
        "api read selection candidate": Action("GET", f"{api}/candidates/{candidate}", API_READ),
        "api change selection candidate": Action("PATCH", f"{api}/candidates/{candidate}", API_CHANGE,
                                                 {"reason": "The objection was upheld."}),
    }
