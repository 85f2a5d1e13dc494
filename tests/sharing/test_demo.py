"""The demo's sharing: Riverside publishes its strongest idea, Lakeside adopts it and tests it in one cycle."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.demo import load_demo
from improvenet.demo.sharing import strongest_idea
from improvenet.learning.services import evidence_index
from improvenet.network.models import Cluster, Person, School
from improvenet.sharing.models import Adoption, Publication, adoptions_into, adoptions_out_of


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def clusters(db, demo):
    with scopes_disabled():
        yield Cluster.objects.get(slug="riverside"), Cluster.objects.get(slug="lakeside")


def test_riverside_publishes_its_idea_with_the_strongest_evidence(clusters):
    riverside, _ = clusters
    with scopes_disabled():
        publication = Publication.objects.select_related("published_by").get()
        assert publication.cluster == riverside and publication.published_by.username == "alice"
        ranks = {found.idea.pk: found.level.rank for found in evidence_index(riverside) if found.cycles}
        assert publication.evidence_level in {"supported", "promising"}
        assert strongest_idea(riverside) == publication.change_idea
        assert ranks[publication.change_idea_id] == max(ranks.values())
        decided = PdsaCycle.objects.filter(change_idea=publication.change_idea, stage="done",
                                           decided_on__lte=publication.published_at.date()).count()
        assert len(publication.snapshot["cycles"]) == decided >= 3
        text = json.dumps(publication.snapshot, ensure_ascii=False)
        riverside_names = [p.full_name for p in Person.objects.filter(cluster=riverside)]
        riverside_schools = [s.name for s in School.objects.filter(cluster=riverside)]
        assert not [name for name in riverside_names + riverside_schools if name in text]


def test_lakeside_adopts_it_and_runs_a_cycle_of_it(clusters):
    riverside, lakeside = clusters
    with scopes_disabled():
        adoption = Adoption.objects.select_related("change_idea", "adopted_by").get()
        assert adoption.cluster == lakeside and adoption.adopted_by.username == "dan"
        assert adoption.source_cluster_name == "Riverside"
        assert adoption.change_idea.cluster == lakeside
        assert list(adoptions_out_of(riverside)) == [adoption] == list(adoptions_into(lakeside))
        (cycle,) = PdsaCycle.objects.filter(change_idea=adoption.change_idea)
        assert cycle.cluster == lakeside and cycle.stage == "done" and cycle.decision == "adapt"
        assert cycle.decided_on > adoption.adopted_at.date() > adoption.publication.published_at.date()


def test_dan_reads_the_library_adopts_into_lakeside_and_never_riverside_cycles(client, clusters):
    riverside, lakeside = clusters
    client.force_login(get_user_model().objects.get(username="dan"))
    with scopes_disabled():
        publication = Publication.objects.get()
        adoption = Adoption.objects.get()
        riverside_cycle = PdsaCycle.objects.filter(cluster=riverside).first()
    body = client.get(f"/networks/{riverside.network.slug}/library/{publication.pk}/").content.decode()
    assert "Lakeside" in body and "/clusters/riverside/" not in body
    assert client.get(f"/clusters/riverside/cycles/{riverside_cycle.pk}/").status_code == 404
    lineage = client.get(f"/clusters/lakeside/sharing/ideas/{adoption.change_idea_id}/").content.decode()
    assert "Riverside" in lineage and f"/library/{publication.pk}/" in lineage
