"""The sharing API: the network library, publishing, withdrawing and adopting, with the uniform errors."""

import datetime
import html

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.design.models import ChangeIdea
from improvenet.sharing.models import Adoption, Publication
from improvenet.sharing.services import publish


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


NAMED_TITLE = "Rosa Diaz pilot at Alpha High"


def test_a_published_title_names_no_one_wherever_the_network_reads_it(api_as, client, shared):
    with scopes_disabled():
        ChangeIdea.objects.filter(pk=shared.idea.pk).update(title=NAMED_TITLE)
    lead, reader = api_as(shared.users.lead), api_as(shared.users.outsider)
    published = lead.post("/clusters/alpha/publications", {"change_idea_id": shared.idea.pk})
    assert published.status_code == 201, published.content
    publication_id = published.json()["id"]
    assert published.json()["title"] == "[name removed] pilot at [a school]"
    adopted = reader.post("/clusters/beta/adoptions", {"publication_id": publication_id})
    assert adopted.status_code == 201, adopted.content
    twice = reader.post("/clusters/beta/adoptions", {"publication_id": publication_id})
    assert twice.status_code == 409
    client.force_login(shared.users.outsider)
    read_by_beta = [
        reader.get("/networks/north/library"), reader.get(f"/networks/north/library/{publication_id}"),
        reader.get("/clusters/beta/adoptions"), adopted, twice,
        client.get("/networks/north/library/"), client.get(f"/networks/north/library/{publication_id}/"),
    ]
    for number, answer in enumerate(read_by_beta):
        assert answer.status_code in (200, 201, 409)
        body = html.unescape(answer.content.decode())
        assert "Rosa Diaz" not in body and "Alpha High" not in body, f"answer {number}"
    with scopes_disabled():
        adoption = Adoption.objects.get()
        assert "Rosa" not in adoption.change_idea.title and "Rosa" not in adoption.source_idea_title


def test_the_network_reads_the_adopted_title_even_after_the_adopting_cluster_renames_its_idea(api_as, client,
                                                                                            published):
    adopter = api_as(published.users.outsider)
    body = {"publication_id": published.publication.pk, "title": "Next-step tickets"}
    assert adopter.post("/clusters/beta/adoptions", body).status_code == 201
    with scopes_disabled():
        adoption = Adoption.objects.get()
        ChangeIdea.objects.filter(pk=adoption.change_idea_id).update(title="Beta's private plan for Mr. Kim")
    read = api_as(published.users.lead).get(f"/networks/north/library/{published.publication.pk}").json()
    assert read["adoptions"][0]["change_idea_title"] == "Next-step tickets"
    client.force_login(published.users.lead)
    page = client.get(f"/networks/north/library/{published.publication.pk}/").content.decode()
    assert "Next-step tickets" in page and "private plan" not in page


def test_a_withdrawal_day_lies_between_publishing_and_today(api_as, shared):
    published_at = timezone.now() - datetime.timedelta(days=10)
    with scope(cluster=shared.world.alpha):
        publication = publish(shared.idea, shared.users.lead, at=published_at)
    lead = api_as(shared.users.lead)
    url = f"/clusters/alpha/publications/{publication.pk}/withdraw"
    published_on, today = timezone.localdate(published_at), timezone.localdate()
    for refused_day in (published_on - datetime.timedelta(days=1), today + datetime.timedelta(days=1)):
        refused = lead.post(url, {"reason": "Flawed", "ended_on": refused_day.isoformat()})
        assert refused.status_code == 422, refused.content
        assert [error["field"] for error in refused.json()["errors"]] == ["ended_on"]
        assert f"{refused_day:%B %-d, %Y} is outside that" in refused.json()["errors"][0]["message"]
    with scopes_disabled():
        assert Publication.objects.get().ended_on is None
    for kept_day in (published_on, published_on + datetime.timedelta(days=1), today):
        with scopes_disabled():
            Publication.objects.filter(pk=publication.pk).update(ended_on=None)
        withdrawn = lead.post(url, {"reason": "Flawed", "ended_on": kept_day.isoformat()})
        assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_on"] == kept_day.isoformat()


@pytest.mark.parametrize("bad_id", [-1, 0, 2**63, "²"])
def test_ids_that_cannot_name_a_record_are_refused_by_name(api_as, shared, bad_id):
    lead, adopter = api_as(shared.users.lead), api_as(shared.users.outsider)
    refused = lead.post("/clusters/alpha/publications", {"change_idea_id": bad_id})
    assert refused.status_code == 422 and "change_idea_id" in refused.json()["errors"][0]["field"]
    refused = adopter.post("/clusters/beta/adoptions", {"publication_id": bad_id})
    assert refused.status_code == 422 and "publication_id" in refused.json()["errors"][0]["field"]
    with scopes_disabled():
        assert not Publication.objects.exists() and not Adoption.objects.exists()
