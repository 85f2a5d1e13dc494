"""Evidence from the clusters that adopted an idea from its publication: read only where they share their work."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.learning import services
from improvenet.learning.evidence import Level
from improvenet.learning.models import EvidenceThresholds
from improvenet.network.models import Cluster, School, Team
from improvenet.sharing.services import publish
from tests.learning.conftest import decided_cycle

D = datetime.date


def beta_cycle(adopted, school, decision: str, decided_on: datetime.date, outcome: str = "confirmed") -> PdsaCycle:
    """A cycle of Beta's adopted idea in `school`, run through every gate of the model to its decision."""
    start = decided_on - datetime.timedelta(days=20)
    cluster = school.cluster
    with scope(cluster=cluster):
        team = Team.objects.get_or_create(cluster=cluster, school=school, kind="school_design",
                                          defaults={"name": f"{school.name} design team"})[0]
        cycle = PdsaCycle.objects.create(cluster=cluster, school=school, team=team, change_idea=adopted.change_idea,
                                         objective="Goal conferences, Beta's way", planned_start=start)
        cycle.add_prediction("At least 16 of 25 students set a goal", "The goal log shows 16 goals")
        cycle.start_do(start)
        cycle.what_happened = "It ran."
        cycle.save()
        cycle.start_study(start + datetime.timedelta(days=14))
        for prediction in cycle.predictions.all():
            prediction.answer(outcome, "As counted on Friday.")
        cycle.learning = "We learned something."
        cycle.save()
        cycle.close_study(start + datetime.timedelta(days=16))
        cycle.decide(decision, decided_on, f"Decided to {decision}.")
    return cycle


def adopt_into(publication, cluster, user):
    with scope(cluster=cluster, network=cluster.network_id):
        return publication.adopt(cluster, user)


@pytest.fixture
def adopted(pdsa):
    """Alpha's idea, decided "adopt" at Alpha High, published and adopted into Beta (which shares its work),
    with Beta's adoption decided "adopt" at Beta High."""
    world = pdsa.world
    decided_cycle(pdsa, "adopt", D(2025, 2, 10))
    with scope(cluster=world.alpha):
        publication = publish(pdsa.idea, world.users.lead)
    Cluster.objects.filter(pk=world.beta.pk).update(shares_with_network=True)
    world.beta.refresh_from_db()
    adoption = adopt_into(publication, world.beta, world.users.outsider)
    cycle = beta_cycle(adoption, world.beta_school, "adopt", D(2025, 3, 10))
    return SimpleNamespace(pdsa=pdsa, world=world, publication=publication, adoption=adoption, cycle=cycle)


def evidence(adopted):
    return services.evidence_for(adopted.world.alpha, adopted.pdsa.idea)


def stop_sharing(adopted) -> None:
    Cluster.objects.filter(pk=adopted.world.beta.pk).update(shares_with_network=False)


def test_cycles_of_a_cluster_that_shares_count_as_schools_of_their_own(adopted):
    EvidenceThresholds.objects.create(network=adopted.world.network, promising_min_schools=2, promising_min_cycles=2)
    result = evidence(adopted)
    [cycle] = result.elsewhere
    assert cycle.pk == adopted.cycle.pk and cycle.school_label == "Beta High (Beta)"
    assert [s.school for s in result.facts.schools] == ["Alpha High", "Beta High (Beta)"]
    assert result.level == Level.PROMISING, result.evidence.reasons
    assert result.evidence.reasons[:2] == ["Tested in 2 cycles in 2 schools.",
                                           "Adopted in 2 schools (Alpha High, Beta High (Beta)); promising needs 2."]
    assert len(result.cycles) == 1 and result.signals == []  # this cluster's own cycles; Beta's measures are not read
    assert result.clusters_not_sharing == 0


def test_schools_of_the_same_name_in_two_clusters_count_apart(adopted):
    world = adopted.world
    with scopes_disabled():
        twin = School.objects.create(cluster=world.beta, name="Alpha High", level="high", role="innovation",
                                     lowest_grade=9, highest_grade=12)
    beta_cycle(adopted.adoption, twin, "abandon", D(2025, 4, 7), outcome="not_confirmed")
    facts = evidence(adopted).facts
    assert [(s.school, s.cycles) for s in facts.schools] == [
        ("Alpha High", 1), ("Alpha High (Beta)", 1), ("Beta High (Beta)", 1)]
    assert facts.confirmed_cycles == 2


def test_a_cluster_that_does_not_share_is_not_read_but_counted(adopted):
    stop_sharing(adopted)
    result = evidence(adopted)
    assert result.elsewhere == [] and result.clusters_not_sharing == 1
    assert [s.school for s in result.facts.schools] == ["Alpha High"]
    assert result.evidence.reasons[0] == "Tested in 1 cycle in 1 school."


def test_the_index_reads_each_sharing_cluster_once_for_all_ideas(adopted):
    [entry] = services.evidence_index(adopted.world.alpha)
    assert [c.pk for c in entry.elsewhere] == [adopted.cycle.pk]


def test_cycles_of_ideas_that_were_not_adopted_from_the_publication_do_not_count(adopted):
    world = adopted.world
    beta_cycle(SimpleNamespace(change_idea=adopted.pdsa.beta_idea), world.beta_school, "adopt", D(2025, 5, 5))
    assert [c.pk for c in evidence(adopted).elsewhere] == [adopted.cycle.pk]


def test_the_page_shows_the_other_clusters_cycles_in_their_own_section(adopted, client):
    client.force_login(adopted.world.users.viewer)
    page = client.get(f"/clusters/alpha/learning/ideas/{adopted.pdsa.idea.pk}/").content.decode()
    section = page.split('id="elsewhere-heading"')[1].split("</section>")[0]
    assert "In other clusters that share their work (1 cycle)" in section
    assert "Beta High (Beta)" in section and f'href="/clusters/beta/cycles/{adopted.cycle.pk}/"' in section
    assert "1 of 1" in section and "Adopt (2025-03-10)" in section
    assert "These counts include 1 cycle in" in page
    assert "do not share" not in page and "does not share" not in page


def test_the_page_counts_the_clusters_that_do_not_share(adopted, client):
    world = adopted.world
    stop_sharing(adopted)
    with scopes_disabled():
        gamma = Cluster.objects.create(network=world.network, slug="gamma", name="Gamma")
    adopt_into(adopted.publication, gamma, None)
    client.force_login(world.users.viewer)
    page = client.get(f"/clusters/alpha/learning/ideas/{adopted.pdsa.idea.pk}/").content.decode()
    assert "Beta High" not in page
    assert "No cycle of this idea in another cluster that shares its work." in page
    assert "2 other clusters adopted it and do not share their work" in page


def test_the_page_says_when_one_cluster_does_not_share(adopted, client):
    stop_sharing(adopted)
    client.force_login(adopted.world.users.viewer)
    page = client.get(f"/clusters/alpha/learning/ideas/{adopted.pdsa.idea.pk}/").content.decode()
    assert "1 other cluster adopted it and does not share its work" in page


def test_the_api_names_the_cluster_of_each_cycle(adopted, api_as):
    one = api_as(adopted.world.users.viewer).get(f"/clusters/alpha/learning/evidence/{adopted.pdsa.idea.pk}").json()
    assert one["other_cluster_cycles"] == [{
        "cycle_id": adopted.cycle.pk, "cluster": "Beta", "cluster_slug": "beta", "school": "Beta High (Beta)",
        "decision": "adopt", "decided_on": "2025-03-10", "predictions": 1, "predictions_confirmed": 1,
    }]
    assert one["other_clusters_not_sharing"] == 0
    assert one["cycles"] == 1  # this cluster's own
    stop_sharing(adopted)
    one = api_as(adopted.world.users.viewer).get(f"/clusters/alpha/learning/evidence/{adopted.pdsa.idea.pk}").json()
    assert one["other_cluster_cycles"] == [] and one["other_clusters_not_sharing"] == 1
