"""Publishing a finished study to the network library: a frozen, de-identified copy (statement, headline numbers,
sites above the suppression threshold) that every member of the network reads on the study's page and finds in
the library; re-publishing after a new analysis replaces the copy and keeps the old one ended; withdrawing ends it
and closes the page again; each step is audited. Pages and API."""

import copy
import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.data.models import AuditEvent
from improvenet.lib.errors import Conflict
from improvenet.network.models import Cluster, ClusterRole
from improvenet.studies import analysis, publishing
from improvenet.studies.models import StudyError, StudyPublication, StudyResult
from tests.conftest import make_user
from tests.studies.permission_rows import FIGURES

C = "/clusters/alpha/studies"
# One site below the suppression threshold (9 students in the comparison arm): never published.
SITES = [{"site": "North pyramid", "yi": 0.31, "vi": 0.04, "treated": 120, "control": 110, "schools": 4},
         {"site": "Tiny pyramid", "yi": 1.9, "vi": 0.5, "treated": 12, "control": 9, "schools": 2}]


@pytest.fixture
def finished(world, study):
    """The study, registered, with a result."""
    with scope(cluster=world.alpha):
        study.register(world.users.researcher)
        StudyResult.objects.create(study=study, outcome="on-track", figures=FIGURES, sites=SITES,
                                   computed_by=world.users.researcher)
    return study


@pytest.fixture
def gamma_member(world):
    """The lead of a third cluster of the network, with which nothing is shared."""
    with scopes_disabled():
        gamma = Cluster.objects.create(network=world.network, slug="gamma", name="Gamma")
        member = make_user("gamma-lead")
        ClusterRole.objects.create(cluster=gamma, user=member, role="lead")
    return member


def test_the_published_copy_is_frozen_and_leaves_out_small_sites(world, finished):
    with scope(cluster=world.alpha):
        publication = publishing.publish(finished, world.users.researcher, channel="web")
        statement = analysis.evidence_statement(finished.results.first())
        event = AuditEvent.objects.get(action__startswith="study published to the network")
    shown = publication.snapshot
    assert shown["statement"]["numbers"] == list(statement.numbers)
    assert [tier["verdict"] for tier in shown["statement"]["tiers"]] == [tier.verdict() for tier in statement.tiers]
    assert publication.tier == statement.highest_tier.verdict() == shown["tier"]
    assert shown["headline"] == {
        "estimate": 0.2, "ci_low": 0.02, "ci_high": 0.38, "p_value": 0.03, "outcome_unit": "points",
        "hedges_g": 0.25, "n_analyzed": 400, "clusters": 8, "assigned": "schools", "schools": 8, "districts": 1}
    assert [site["site"] for site in shown["sites"]] == ["North pyramid"]
    assert shown["sites"][0]["ci_low"] == pytest.approx(0.31 - 1.96 * 0.2, abs=1e-3)
    assert publication.design == "Randomized trial: schools assigned"
    assert (event.user, event.channel, event.detail["study"]) == (world.users.researcher, "web", finished.pk)


def test_an_unfinished_study_is_not_published(world, study):
    with scope(cluster=world.alpha), pytest.raises(StudyError, match="Only a finished study is published"):
        publishing.publish(study, world.users.lead, channel="web")
    with scopes_disabled():
        assert not StudyPublication.objects.exists()


def test_publishing_again_needs_a_new_result_and_keeps_the_old_copy_ended(world, finished):
    with scope(cluster=world.alpha):
        first = publishing.publish(finished, world.users.researcher, channel="web")
        with pytest.raises(Conflict, match="already published with its latest result"):
            publishing.publish(finished, world.users.lead, channel="api")
        newer = copy.deepcopy(FIGURES)
        newer["cr2"]["estimate"] = 0.3
        StudyResult.objects.create(study=finished, outcome="on-track", figures=newer, sites=SITES,
                                   computed_at=timezone.now() + datetime.timedelta(minutes=1))
        second = publishing.publish(finished, world.users.lead, channel="api")
        first.refresh_from_db()
        assert (first.ended_on, first.withdrawn_by) == (timezone.localdate(), world.users.lead)
        assert first.withdrawal_reason == publishing.REPLACED
        assert first.snapshot["headline"]["estimate"] == 0.2  # the old copy is kept as it was
        assert second.snapshot["headline"]["estimate"] == 0.3 and second.is_current
        assert publishing.open_publication(finished) == second


def test_the_network_reads_the_published_study_in_the_library_until_it_is_withdrawn(client, world, finished,
                                                                                      gamma_member):
    client.force_login(gamma_member)
    page = f"{C}/{finished.pk}/"
    assert client.get(page).status_code == 404  # not published, not shared: nothing of Alpha
    client.force_login(world.users.researcher)
    assert client.post(f"{page}publish/").status_code == 302
    shown = client.get(page).content.decode()
    assert "Published to the" in shown and "Withdraw from the library" in shown
    client.force_login(gamma_member)
    library = client.get("/networks/north/library/").content.decode()
    studies = library[library.index('id="studies"'):]
    assert f'href="{page}"' in studies and "Success teams trial" in studies
    assert "Randomized trial: schools assigned" in studies and "ninth graders on track" in studies
    assert "meets the criteria of ESSA Tier 1 (strong evidence)" in studies
    assert timezone.localdate().strftime("%B %-d, %Y") in studies
    shown = client.get(page).content.decode()
    assert "Hedges' g = 0.25 standard deviations" in shown and "North pyramid" in shown
    assert "Tiny pyramid" not in shown and "Withdraw" not in shown
    # The publication admits to the study's page alone: not its live statement, not the rest of the cluster.
    assert f"{C}/{finished.pk}/statement/" not in shown
    for closed in ("statement/", "impact/", "allocation/"):
        assert client.get(f"{page}{closed}").status_code == 404
    assert client.get(f"{C}/").status_code == 404
    assert client.post(f"{page}publish/").status_code == 404
    # A new result changes nothing the network reads until the study is published again.
    with scope(cluster=world.alpha):
        newer = copy.deepcopy(FIGURES)
        newer["cr2"]["hedges_g"] = 0.4
        StudyResult.objects.create(study=finished, outcome="on-track", figures=newer, sites=SITES,
                                   computed_at=timezone.now() + datetime.timedelta(minutes=1))
    assert "Hedges' g = 0.25 standard deviations" in client.get(page).content.decode()
    client.force_login(world.users.lead)
    assert "Publish the new result in place of this copy" in client.get(page).content.decode()
    # Without a reason nothing ends; the page says what is missing.
    refused = client.post(f"{page}withdraw/", {"reason": "  "}, follow=True).content.decode()
    assert "Say why the study is withdrawn from the library" in refused
    assert "Publish the new result in place of this copy" in refused
    assert client.post(f"{page}withdraw/", {"reason": "The sites' data were found incomplete."}).status_code == 302
    with scope(cluster=world.alpha):
        withdrawal = AuditEvent.objects.get(action__startswith="study withdrawn from the network",
                                            user=world.users.lead)
        assert withdrawal.detail["reason"] == "The sites' data were found incomplete."
    listed = client.get(page).content.decode()
    assert "Not published to the network library" in listed and "ended on" in listed
    assert "“The sites&#x27; data were found incomplete.”" in listed
    client.force_login(gamma_member)
    assert client.get(page).status_code == 404
    assert "Success teams trial" not in client.get("/networks/north/library/").content.decode()
    withdrawn = client.get("/networks/north/library/?withdrawn=on").content.decode()
    assert "Success teams trial" in withdrawn and "The sites&#x27; data were found incomplete." in withdrawn


def test_the_api_publishes_lists_and_withdraws(api_as, world, finished, gamma_member):
    researcher, outsider = api_as(world.users.researcher), api_as(world.users.outsider)
    base = f"{C}/{finished.pk}"
    assert api_as(world.users.member).post(f"{base}/publish").status_code == 403
    published = researcher.post(f"{base}/publish")
    assert published.status_code == 201, published.content
    assert published.json()["snapshot"]["headline"]["n_analyzed"] == 400
    assert researcher.post(f"{base}/publish").status_code == 409
    listed = outsider.get("/clusters/beta/published-studies").json()
    assert [(item["study_id"], item["cluster"]) for item in listed["items"]] == [(finished.pk, "alpha")]
    assert outsider.get("/clusters/beta/shared-studies").json()["count"] == 0
    with scopes_disabled():
        finished.shared_with.add(world.beta)
    assert [item["id"] for item in outsider.get("/clusters/beta/shared-studies").json()["items"]] == [finished.pk]
    assert api_as(gamma_member).get("/clusters/beta/published-studies").status_code == 404
    missing = researcher.post(f"{base}/withdraw", {})
    assert missing.status_code == 422 and "reason" in missing.content.decode()
    assert researcher.post(f"{base}/withdraw", {"reason": " "}).status_code == 422
    withdrawn = researcher.post(f"{base}/withdraw", {"reason": "Superseded by the 2027 replication."})
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["withdrawn_by"] == "researcher"
    assert withdrawn.json()["withdrawal_reason"] == "Superseded by the 2027 replication."
    assert outsider.get("/clusters/beta/published-studies").json()["count"] == 0
    assert outsider.get("/clusters/beta/published-studies?include_ended=true").json()["count"] == 1
    refused = researcher.post(f"{base}/withdraw", {"reason": "again"})
    assert refused.status_code == 422 and "nothing to withdraw" in refused.content.decode()
