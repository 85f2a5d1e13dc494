"""The pages: the network library, a publication, a cluster's sharing, adopting, and what a team has learned."""

import html
import re

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.sharing.models import Adoption, Publication
from tests.sharing.conftest import STUDENT_ID, decided_cycle


def page(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}) if data is not None else client.get(url)


def test_the_library_lists_publications_for_every_cluster_of_the_network(client, published):
    answer = page(client, published.users.outsider, "/networks/north/library/")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Exit tickets with a next step" in body and "Being tested" in body
    assert '<option value="alpha">Alpha</option>' in body and '<option value="beta">' not in body
    assert page(client, published.stranger, "/networks/north/library/").status_code == 404


@pytest.mark.parametrize(("query", "found"), [
    ("", True), ("?q=tickets", True), ("?q=conferences", False), ("?evidence_level=being_tested", True),
    ("?evidence_level=supported", False), ("?cluster=alpha", True), ("?cluster=beta", False),
])
def test_the_library_filters(client, published, query, found):
    body = page(client, published.users.outsider, f"/networks/north/library/{query}").content.decode()
    assert ("Exit tickets with a next step</a>" in body) is found


def test_withdrawn_publications_show_only_when_asked(client, published):
    with scope(cluster=published.world.alpha):
        published.publication.withdraw(published.users.lead, "Flawed measure")
    listed = page(client, published.users.outsider, "/networks/north/library/").content.decode()
    assert "Exit tickets with a next step</a>" not in listed
    listed = page(client, published.users.outsider, "/networks/north/library/?withdrawn=on").content.decode()
    assert "Withdrawn on" in listed


def test_another_cluster_reads_the_publication_but_not_the_cycles_behind_it(client, published):
    url = f"/networks/north/library/{published.publication.pk}/"
    body = page(client, published.users.outsider, url).content.decode()
    assert "What the PDSA cycles taught (1 decided cycle)" in body and "High school, innovation school" in body
    assert "/clusters/alpha/" not in body and "Rosa" not in body and STUDENT_ID not in body
    assert f"/clusters/beta/sharing/adopt/{published.publication.pk}/" in body
    assert "Withdraw" not in body
    assert page(client, published.users.outsider, f"/clusters/alpha/cycles/{published.cycle.pk}/").status_code == 404
    assert page(client, published.stranger, url).status_code == 404
    assert page(client, published.users.outsider, "/networks/north/library/999999/").status_code == 404


def test_the_publishing_lead_may_withdraw_and_no_one_adopts_into_the_publishing_cluster(client, published):
    body = page(client, published.users.lead, f"/networks/north/library/{published.publication.pk}/").content.decode()
    assert "/clusters/alpha/sharing/publications/" in body and "Adopt into" not in body


def test_publishing_from_the_page(client, shared):
    url = "/clusters/alpha/sharing/publish/"
    assert page(client, shared.users.member, url).status_code == 403
    form = page(client, shared.users.lead, url).content.decode()
    assert "Exit tickets with a next step" in form and "Name our schools" in form
    answer = page(client, shared.users.lead, url, {"change_idea": shared.idea.pk})
    with scopes_disabled():
        publication = Publication.objects.get()
    assert answer.status_code == 302 and answer.url == f"/networks/north/library/{publication.pk}/"
    again = page(client, shared.users.lead, url, {"change_idea": shared.idea.pk})
    assert again.status_code == 422 and "Select a valid choice" in again.content.decode()


def test_adopting_from_the_page_keeps_the_lineage_on_both_sides(client, published):
    url = f"/clusters/beta/sharing/adopt/{published.publication.pk}/"
    assert page(client, published.users.lead, url).status_code == 404  # alpha's lead has no role in beta
    answer = page(client, published.users.outsider, url, {"title": ""})
    with scopes_disabled():
        adoption = Adoption.objects.get()
    assert answer.status_code == 302 and answer.url == f"/clusters/beta/sharing/ideas/{adoption.change_idea_id}/"
    idea_page = html.unescape(page(client, published.users.outsider, answer.url).content.decode())
    assert "from Alpha's “Exit tickets with a next step”" in idea_page
    assert f"/networks/north/library/{published.publication.pk}/" in idea_page
    publication_page = page(client, published.users.lead,
                            f"/networks/north/library/{published.publication.pk}/").content.decode()
    assert re.search(r"<th scope=\"row\">Beta</th><td>\w+ \d+, \d{4}</td><td>outsider</td>", publication_page)
    dan_like = page(client, published.users.outsider, f"/networks/north/library/{published.publication.pk}/")
    assert "Adopt into Beta" not in dan_like.content.decode()  # adopted once already
    again = page(client, published.users.outsider, url, {"title": ""})
    assert again.status_code == 422 and "Beta already adopted" in again.content.decode()


def test_the_cluster_sharing_pages(client, published):
    with scope(cluster=published.world.beta, network=published.world.network.pk):
        published.publication.adopt(published.world.beta, published.users.outsider)
    alpha = page(client, published.users.viewer, "/clusters/alpha/sharing/").content.decode()
    assert "Beta (" in alpha and "Publish a change idea" not in alpha
    beta = page(client, published.users.outsider, "/clusters/beta/sharing/").content.decode()
    assert "Adopted on" in beta and "Publish a change idea" in beta
    lineage = page(client, published.users.viewer, f"/clusters/alpha/sharing/ideas/{published.idea.pk}/")
    assert "started this idea itself" in lineage.content.decode() and "Beta on" in lineage.content.decode()


def test_withdrawing_from_the_page(client, published):
    url = f"/clusters/alpha/sharing/publications/{published.publication.pk}/withdraw/"
    assert page(client, published.users.member, url).status_code == 403
    assert page(client, published.users.outsider, url).status_code == 404
    assert page(client, published.users.lead, url, {"reason": ""}).status_code == 422
    answer = page(client, published.users.lead, url, {"reason": "Flawed measure"})
    assert answer.status_code == 302
    published.publication.refresh_from_db()
    assert not published.publication.is_current and published.publication.withdrawal_reason == "Flawed measure"


def test_what_the_team_has_learned(client, shared):
    with scope(cluster=shared.world.alpha):
        dropped = ChangeIdea.objects.create(cluster=shared.world.alpha, title="Silent reading minutes")
        decided_cycle(shared.world.alpha, shared.world.team, dropped, decision="abandon")
    url = f"/clusters/alpha/teams/{shared.world.team.pk}/learned/"
    assert page(client, shared.users.outsider, url).status_code == 404
    answer = page(client, shared.users.viewer, url)
    body = answer.content.decode()
    assert answer.status_code == 200
    adopted, abandoned = body.index("<h3>Adopted (1)</h3>"), body.index("<h3>Abandoned (1)</h3>")
    assert adopted < body.index("Exit tickets with a next step") < abandoned < body.index("Silent reading minutes")
    assert "Keep it; call (555)" in body  # inside the cluster, nothing is scrubbed
    chair = body[body.index(">Chair</th>"):]
    assert chair.index("Rosa Diaz") < chair.index("June 30, 2025") < chair.index("Li Wei") < chair.index(
        "Still on the team")
    with scopes_disabled():
        assert PdsaCycle.objects.filter(team=shared.world.team).count() == 2


@pytest.mark.parametrize("bad_id", ["²", "-1", "0", str(2**63), "1" * 25])
def test_publishing_a_change_idea_id_that_cannot_name_one_is_a_form_error(client, shared, bad_id):
    answer = page(client, shared.users.lead, "/clusters/alpha/sharing/publish/", {"change_idea": bad_id})
    assert answer.status_code == 422 and "Select a valid choice" in answer.content.decode()
    with scopes_disabled():
        assert not Publication.objects.exists()
