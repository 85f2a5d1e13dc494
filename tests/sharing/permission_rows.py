"""Permission rows for the sharing app's pages and API (see tests/permission_table.py).

Every signed-in demo user has a role in the network, so all read the library; dan (Lakeside's
lead) is the cross-cluster case: he reads Riverside's publications, adopts into Lakeside, and
never reads Riverside's own pages. Riverside publishes and withdraws through whoever changes its
shared design: alice, carol (district design team) and admin. `demo_ids()` publishes a second
Riverside idea that Lakeside has not adopted yet, so adopting has something to adopt.
"""

from django.contrib.auth import get_user_model
from django_scopes import scope

from improvenet.demo.network import NETWORK_SLUG
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, Team
from improvenet.sharing.models import Adoption, Publication
from improvenet.sharing.services import publish
from tests.permission_table import (
    API_READ,
    DESIGN_API_CHANGE,
    DESIGN_API_CREATE,
    DESIGN_CHANGE_FORM,
    DESIGN_CHANGE_POST,
    DESIGN_CHANGE_REFUSED,
    RIVERSIDE_READ,
    SIGNED_IN,
    Action,
)

LAKESIDE_READ = (302, 404, 404, 404, 404, 200, 200)
LAKESIDE_CHANGE_POST = (302, 404, 404, 404, 404, 302, 302)
API_LAKESIDE_READ = (401, 404, 404, 404, 404, 200, 200)
API_LAKESIDE_CREATE = (401, 404, 404, 404, 404, 201, 201)
API_NETWORK_READ = (401, 200, 200, 200, 200, 200, 200)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    publication = Publication.objects.get(cluster=riverside)
    adoption = Adoption.objects.get(publication=publication)
    unpublished = ChangeIdea.objects.filter(cluster=riverside).exclude(publications__isnull=False).order_by("pk")
    with scope(cluster=riverside):
        second = publish(unpublished[0], get_user_model().objects.get(username="alice"))
    bobs_team = Team.objects.get(cluster=riverside, kind="school_design", memberships__person__user__username="bob")
    return {
        "sharing_publication": publication.pk,
        "sharing_adoptable": second.pk,
        "sharing_unpublished_idea": unpublished[1].pk,
        "sharing_riverside_idea": publication.change_idea_id,
        "sharing_lakeside_idea": adoption.change_idea_id,
        "sharing_riverside_team": bobs_team.pk,
        "sharing_lakeside_team": Team.objects.get(cluster__slug="lakeside", kind="school_design").pk,
    }


def rows(ids) -> dict[str, Action]:
    library = f"/networks/{NETWORK_SLUG}/library"
    r, lake = "/clusters/riverside", "/clusters/lakeside"
    pub, adoptable = ids["sharing_publication"], ids["sharing_adoptable"]
    idea = ids["sharing_unpublished_idea"]
    reason = {"reason": "Permission test: the measure changed."}
    return {
        # Pages
        "network library": Action("GET", f"{library}/", SIGNED_IN),
        "library publication page": Action("GET", f"{library}/{pub}/", SIGNED_IN),
        "riverside sharing page": Action("GET", f"{r}/sharing/", RIVERSIDE_READ),
        "lakeside sharing page": Action("GET", f"{lake}/sharing/", LAKESIDE_READ),
        "publish form": Action("GET", f"{r}/sharing/publish/", DESIGN_CHANGE_FORM),
        "publish": Action("POST", f"{r}/sharing/publish/", DESIGN_CHANGE_POST, {"change_idea": idea}),
        "withdraw form": Action("GET", f"{r}/sharing/publications/{pub}/withdraw/", DESIGN_CHANGE_FORM),
        "withdraw": Action("POST", f"{r}/sharing/publications/{pub}/withdraw/", DESIGN_CHANGE_POST, reason),
        "adopt form": Action("GET", f"{lake}/sharing/adopt/{adoptable}/", LAKESIDE_READ),
        "adopt into lakeside": Action("POST", f"{lake}/sharing/adopt/{adoptable}/", LAKESIDE_CHANGE_POST,
                                      {"title": ""}),
        # Adopting Riverside's own publication into Riverside: refused as input for those who may share.
        "adopt own publication": Action("POST", f"{r}/sharing/adopt/{pub}/", DESIGN_CHANGE_REFUSED, {"title": ""}),
        "riverside idea lineage": Action("GET", f"{r}/sharing/ideas/{ids['sharing_riverside_idea']}/",
                                         RIVERSIDE_READ),
        "lakeside adopted idea lineage": Action("GET", f"{lake}/sharing/ideas/{ids['sharing_lakeside_idea']}/",
                                                LAKESIDE_READ),
        "riverside team learned": Action("GET", f"{r}/teams/{ids['sharing_riverside_team']}/learned/",
                                         RIVERSIDE_READ),
        "lakeside team learned": Action("GET", f"{lake}/teams/{ids['sharing_lakeside_team']}/learned/",
                                        LAKESIDE_READ),
        # API
        "api network library": Action("GET", f"/api{library}", API_NETWORK_READ),
        "api read publication": Action("GET", f"/api{library}/{pub}", API_NETWORK_READ),
        "api publish": Action("POST", f"/api{r}/publications", DESIGN_API_CREATE, {"change_idea_id": idea}),
        "api withdraw": Action("POST", f"/api{r}/publications/{pub}/withdraw", DESIGN_API_CHANGE, reason),
        "api riverside adoptions": Action("GET", f"/api{r}/adoptions", API_READ),
        "api lakeside adoptions": Action("GET", f"/api{lake}/adoptions", API_LAKESIDE_READ),
        "api adopt into lakeside": Action("POST", f"/api{lake}/adoptions", API_LAKESIDE_CREATE,
                                          {"publication_id": adoptable}),
    }
