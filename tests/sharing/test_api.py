"""The sharing API: the network library, publishing, withdrawing and adopting, with the uniform errors."""

from django_scopes import scopes_disabled

from improvenet.design.models import ChangeIdea
from improvenet.sharing.models import Publication


def test_publish_read_list_withdraw(api_as, shared):
    lead, reader = api_as(shared.users.lead), api_as(shared.users.outsider)
    answer = lead.post("/clusters/alpha/publications", {"change_idea_id": shared.idea.pk})
    assert answer.status_code == 201, answer.content
    publication = answer.json()
    assert publication["cluster"] == "alpha" and publication["evidence_level"] == "being_tested"
    assert publication["snapshot"]["cycles"][0]["school_level"] == "High school"
    assert "Rosa" not in answer.content.decode()

    listed = reader.get("/networks/north/library").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == publication["id"]
    assert reader.get("/networks/north/library", evidence_level="supported").json()["count"] == 0
    assert reader.get("/networks/north/library", cluster="beta").json()["count"] == 0
    assert reader.get(f"/networks/north/library/{publication['id']}").json()["snapshot"] == publication["snapshot"]

    refused = lead.post(f"/clusters/alpha/publications/{publication['id']}/withdraw", {"reason": " "})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    withdrawn = lead.post(f"/clusters/alpha/publications/{publication['id']}/withdraw", {"reason": "Flawed"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_on"]
    assert reader.get("/networks/north/library").json()["count"] == 0
    assert reader.get("/networks/north/library", include_ended=True).json()["count"] == 1


def test_publishing_refusals(api_as, shared):
    lead = api_as(shared.users.lead)
    assert api_as(shared.users.member).post("/clusters/alpha/publications",
                                            {"change_idea_id": shared.idea.pk}).status_code == 403
    assert api_as(shared.users.outsider).post("/clusters/alpha/publications",
                                              {"change_idea_id": shared.idea.pk}).status_code == 404
    with scopes_disabled():
        beta_idea = ChangeIdea.objects.create(cluster=shared.world.beta, title="Beta's own idea")
    unknown = lead.post("/clusters/alpha/publications", {"change_idea_id": beta_idea.pk})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "change_idea_id", "message":
                                         f"There is no current change idea with id {beta_idea.pk} in this cluster."}]
    assert lead.post("/clusters/alpha/publications", {"change_idea_id": shared.idea.pk}).status_code == 201
    twice = lead.post("/clusters/alpha/publications", {"change_idea_id": shared.idea.pk})
    assert twice.status_code == 409 and "already published" in twice.json()["detail"]
    with scopes_disabled():
        assert Publication.objects.count() == 1


def test_adopting_through_the_api(api_as, published):
    adopter = api_as(published.users.outsider)
    body = {"publication_id": published.publication.pk, "title": "Next-step tickets"}
    assert api_as(published.users.lead).post("/clusters/beta/adoptions", body).status_code == 404
    answer = adopter.post("/clusters/beta/adoptions", body)
    assert answer.status_code == 201, answer.content
    adoption = answer.json()
    assert adoption["change_idea_title"] == "Next-step tickets" and adoption["source_cluster_name"] == "Alpha"
    assert adoption["publication_id"] == published.publication.pk and adoption["adopted_by"] == "outsider"
    assert adopter.post("/clusters/beta/adoptions", body).status_code == 409
    assert adopter.get("/clusters/beta/adoptions").json()["items"] == [adoption]
    read = adopter.get(f"/networks/north/library/{published.publication.pk}").json()
    assert read["adoption_count"] == 1 and read["adoptions"][0]["cluster"] == "beta"
    own = api_as(published.users.lead).post("/clusters/alpha/adoptions", {"publication_id": published.publication.pk})
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "cluster"


def test_outside_the_network_everything_is_not_found(api_as, published):
    stranger = api_as(published.stranger)
    assert stranger.get("/networks/north/library").status_code == 404
    assert stranger.get(f"/networks/north/library/{published.publication.pk}").status_code == 404
    assert stranger.post("/clusters/gamma/adoptions", {"publication_id": published.publication.pk}).status_code == 404
    assert api_as(None).get("/networks/north/library").status_code == 401
