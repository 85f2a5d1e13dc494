"""Permission rows for the learning app's pages and API (see tests/permission_table.py).

Evidence, spread and travel are read by everyone with a role in Riverside. A school's spread stages
are recorded by its design team (bob for his school), the cluster lead and network admins; the
evidence thresholds are changed by network admins only (admin; alice, the lead, gets 403).
"""

from django.contrib.auth import get_user_model

from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, Person, Team
from tests.permission_table import (
    ADMIN_POST,
    API_CREATE,
    API_OWN_SCHOOL_CREATE,
    API_READ,
    OWN_SCHOOL_FORM,
    OWN_SCHOOL_POST,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    bob = Person.objects.get(cluster=riverside, user=get_user_model().objects.get(username="bob"))
    team = Team.objects.get(kind="school_design", memberships__person=bob, memberships__ended_on__isnull=True)
    other = (Team.objects.filter(cluster=riverside, kind="school_design").exclude(school=team.school)
             .order_by("name").first())
    idea = ChangeIdea.objects.filter(cluster=riverside).order_by("pk").first()
    return {"learning_idea": idea.pk, "learning_school": team.school_id, "learning_other_school": other.school_id}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/learning"
    idea, school, other = ids["learning_idea"], ids["learning_school"], ids["learning_other_school"]
    stage = {"stage": "testing", "started_on": "2026-09-14", "reason": "Permission test: we start testing it."}
    thresholds = {"promising_min_schools": 2, "promising_min_cycles": 2, "supported_min_schools": 2,
                  "not_supported_min_abandoned": 2}
    api = "/api/clusters/riverside/learning"
    return {
        # Pages
        "evidence index": Action("GET", f"{c}/ideas/", RIVERSIDE_READ),
        "evidence page": Action("GET", f"{c}/ideas/{idea}/", RIVERSIDE_READ),
        "evidence thresholds page": Action("GET", f"{c}/thresholds/", RIVERSIDE_READ),
        "adjust evidence thresholds": Action("POST", f"{c}/thresholds/", ADMIN_POST, thresholds),
        "spread grid": Action("GET", f"{c}/spread/", RIVERSIDE_READ),
        "spread timeline": Action("GET", f"{c}/spread/ideas/{idea}/", RIVERSIDE_READ),
        "record spread stage form": Action("GET", f"{c}/spread/ideas/{idea}/record/", OWN_SCHOOL_FORM),
        "record spread stage": Action("POST", f"{c}/spread/ideas/{idea}/record/", OWN_SCHOOL_POST,
                                      {**stage, "school": school}),
        "record spread stage in another school": Action("POST", f"{c}/spread/ideas/{idea}/record/",
                                                        RIVERSIDE_CHANGE_POST, {**stage, "school": other}),
        "scaling and travel": Action("GET", f"{c}/travel/", RIVERSIDE_READ),
        # API
        "api list evidence": Action("GET", f"{api}/evidence", API_READ),
        "api read evidence": Action("GET", f"{api}/evidence/{idea}", API_READ),
        "api list spread stages": Action("GET", f"{api}/spread-stages", API_READ),
        "api record spread stage": Action("POST", f"{api}/spread-stages", API_OWN_SCHOOL_CREATE,
                                          {**stage, "change_idea_id": idea, "school_id": school}),
        "api record spread stage in another school": Action("POST", f"{api}/spread-stages", API_CREATE,
                                                            {**stage, "change_idea_id": idea, "school_id": other}),
    }
