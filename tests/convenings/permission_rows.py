"""Permission rows for the convenings app's pages and API (see tests/permission_table.py).

Everyone who reads Riverside reads its convenings and packets; its lead and the network admin plan
and edit convenings. The rows use the demo's spring convening and bob's school design team.
"""

from django.contrib.auth import get_user_model

from improvenet.convenings.models import Convening
from improvenet.network.models import Cluster, Person, Team
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
    bob = Person.objects.get(cluster=riverside, user=get_user_model().objects.get(username="bob"))
    team = Team.objects.get(kind="school_design", memberships__person=bob, memberships__ended_on__isnull=True)
    convening = Convening.objects.filter(cluster=riverside).order_by("-held_on").first()
    return {"convening": convening.pk, "convening_team": team.pk}


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/convenings"
    convening, team = ids["convening"], ids["convening_team"]
    form = {"held_on": "2026-06-11", "title": "Summer convening", "place": "District office", "notes": ""}
    api = "/api/clusters/riverside/convenings"
    return {
        # Pages
        "convenings index": Action("GET", f"{c}/", RIVERSIDE_READ),
        "new convening form": Action("GET", f"{c}/new/", RIVERSIDE_CHANGE_FORM),
        "create convening": Action("POST", f"{c}/new/", RIVERSIDE_CHANGE_POST, form),
        "convening packet page": Action("GET", f"{c}/{convening}/", RIVERSIDE_READ),
        "edit convening form": Action("GET", f"{c}/{convening}/edit/", RIVERSIDE_CHANGE_FORM),
        "edit convening": Action("POST", f"{c}/{convening}/edit/", RIVERSIDE_CHANGE_POST,
                                 {**form, "held_on": "2026-03-13"}),
        "convening packet PDF": Action("GET", f"{c}/{convening}/packet.pdf", RIVERSIDE_READ),
        "team packet page": Action("GET", f"{c}/{convening}/teams/{team}/", RIVERSIDE_READ),
        "team packet PDF": Action("GET", f"{c}/{convening}/teams/{team}/packet.pdf", RIVERSIDE_READ),
        # API
        "api list convenings": Action("GET", api, API_READ),
        "api create convening": Action("POST", api, API_CREATE, {"held_on": "2026-06-11", "title": "Summer"}),
        "api read convening": Action("GET", f"{api}/{convening}", API_READ),
        "api change convening": Action("PATCH", f"{api}/{convening}", API_CHANGE, {"place": "Library"}),
        "api convening packet": Action("GET", f"{api}/{convening}/packet", API_READ),
        "api team packet": Action("GET", f"{api}/{convening}/teams/{team}/packet", API_READ),
    }
