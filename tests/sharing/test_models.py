"""Publishing a de-identified snapshot, withdrawing it, adopting it elsewhere with the lineage kept both ways."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from improvenet.design.models import ChangeIdea
from improvenet.lib.errors import Conflict
from improvenet.sharing.models import Adoption, Publication, adoptions_into, adoptions_out_of
from improvenet.sharing.services import publish
from improvenet.sharing.snapshot import CYCLE_KEYS, EVIDENCE_KEYS, PREDICTION_KEYS, SNAPSHOT_KEYS
from tests.sharing.conftest import EMAIL, STUDENT_ID


def adopt(shared, cluster=None, user=None, **kwargs) -> Adoption:
    cluster = cluster or shared.world.beta
    with scope(cluster=cluster, network=cluster.network_id):
        return shared.publication.adopt(cluster, user or shared.users.outsider, **kwargs)


def test_the_snapshot_holds_only_the_listed_fields(published):
    snapshot = published.publication.snapshot
    assert set(snapshot) == SNAPSHOT_KEYS
    assert set(snapshot["evidence"]) == EVIDENCE_KEYS
    (cycle,) = snapshot["cycles"]
    assert set(cycle) <= CYCLE_KEYS and "school" not in cycle
    assert set(cycle["predictions"][0]) == PREDICTION_KEYS
    assert cycle == {**cycle, "school_level": "High school", "school_role": "Innovation school",
                     "scale": "One classroom", "decision": "adopt", "decided_in": "January 2025"}
    assert cycle["predictions"][0]["outcome"] == "confirmed"


def test_the_snapshot_carries_no_person_contact_id_or_school_name(published):
    text = json.dumps(published.publication.snapshot, ensure_ascii=False)
    for never in ("Rosa", "Diaz", "Okafor", "Room 12", EMAIL, "555", STUDENT_ID, "Alpha High", "Ran for two weeks"):
        assert never not in text, never
    cycle = published.publication.snapshot["cycles"][0]
    assert cycle["learning"] == ("[name removed] saw that student [id number removed] at [a school] needed a "
                                 "sentence starter.")
    assert "[phone number removed]" in cycle["decision_reasons"]
    assert "[e-mail removed]" in published.publication.snapshot["description"]


def test_a_cluster_may_choose_to_name_its_schools(shared):
    with scope(cluster=shared.world.alpha):
        publication = publish(shared.idea, shared.users.lead, names_schools=True)
    cycle = publication.snapshot["cycles"][0]
    assert cycle["school"] == "Alpha High"
    assert "Alpha High" in cycle["learning"] and "Rosa" not in cycle["learning"]


def test_the_snapshot_is_frozen_and_the_evidence_level_is_stored(published):
    publication = published.publication
    assert publication.evidence_level == publication.snapshot["evidence"]["level"] == "being_tested"
    assert publication.snapshot["evidence"]["reasons"][0] == "Tested in 1 cycle in 1 school."
    with scope(cluster=published.world.alpha):
        published.idea.title = "Renamed later"
        published.idea.save()
    publication.refresh_from_db()
    assert publication.snapshot["title"] == publication.title == "Exit tickets with a next step"


def test_an_idea_is_published_once_at_a_time(published):
    """Named by check_conflicts; a constraint stops two publishers racing past the check."""
    with scope(cluster=published.world.alpha), pytest.raises(Conflict, match="already published"):
        publish(published.idea, published.users.lead)
    with scope(cluster=published.world.alpha):
        published.publication.withdraw(published.users.lead, "New cycles changed the picture.")
        again = publish(published.idea, published.users.lead)
    assert again.pk != published.publication.pk
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(cluster=again.cluster, change_idea=again.change_idea, title=again.title,
                                   evidence_level=again.evidence_level, snapshot=again.snapshot)


def test_withdrawing_ends_the_publication_and_needs_a_reason(published):
    publication = published.publication
    with scope(cluster=published.world.alpha):
        with pytest.raises(ValidationError, match="Say why"):
            publication.withdraw(published.users.lead, "  ")
        publication.withdraw(published.users.lead, "We found a flaw in the measure.")
        with pytest.raises(ValidationError, match="already ended"):
            publication.withdraw(published.users.lead, "Again")
    publication.refresh_from_db()
    assert not publication.is_current and publication.withdrawn_by == published.users.lead
    assert Publication.objects.with_scopes_disabled().filter(pk=publication.pk).exists()


def test_adopting_creates_an_idea_in_the_adopting_cluster_with_lineage_both_ways(published):
    adoption = adopt(published)
    with scopes_disabled():
        idea = ChangeIdea.objects.get(pk=adoption.change_idea_id)
    assert idea.cluster == published.world.beta and idea.title == "Exit tickets with a next step"
    assert "Adopted from Alpha's published change idea “Exit tickets with a next step”" in idea.description
    assert EMAIL not in idea.description
    assert (adoption.source_cluster_name, adoption.source_idea_title) == ("Alpha", "Exit tickets with a next step")
    assert adoption.source_evidence_label == "Being tested"
    assert list(adoptions_out_of(published.world.alpha)) == [adoption]
    assert list(adoptions_into(published.world.beta)) == [adoption]
    assert list(adoptions_into(published.world.alpha)) == [] == list(adoptions_out_of(published.world.beta))


def test_adoption_is_refused_in_the_own_cluster_twice_or_after_withdrawal(published):
    with pytest.raises(ValidationError, match="its own publication"):
        adopt(published, cluster=published.world.alpha, user=published.users.lead)
    with pytest.raises(ValidationError, match="network"):
        adopt(published, cluster=published.gamma, user=published.stranger)
    adopt(published, title="Next-step tickets")
    with pytest.raises(Conflict, match="already adopted"):
        adopt(published, title="Another title")
    with scope(cluster=published.world.alpha):
        published.publication.withdraw(published.users.lead, "Flawed")
    with scopes_disabled():
        Adoption.objects.all().delete()
    with pytest.raises(ValidationError, match="withdrawn"):
        adopt(published)


def test_a_clashing_title_is_refused_and_nothing_is_left_behind(published):
    with scopes_disabled():
        ChangeIdea.objects.create(cluster=published.world.beta, title="Exit tickets with a next step")
    with pytest.raises(Conflict, match="already has the change idea"):
        adopt(published)
    with scopes_disabled():
        assert not Adoption.objects.exists()
        assert ChangeIdea.objects.filter(cluster=published.world.beta).count() == 1
    assert adopt(published, title="Exit tickets, Beta's version").change_idea.title == "Exit tickets, Beta's version"


def test_the_library_reads_across_the_network_but_never_a_cluster_of_its_own(published):
    with scope(network=published.world.network.pk):
        assert list(Publication.in_network.all()) == [published.publication]
        with pytest.raises(ScopeError):
            list(Publication.objects.all())
    with scope(network=published.gamma.network_id):
        assert not Publication.in_network.exists()


def test_the_lineage_survives_without_the_publication(published):
    """An archive of the adopting cluster drops the foreign key to the other cluster's publication."""
    adoption = adopt(published)
    with scopes_disabled():
        Adoption.objects.filter(pk=adoption.pk).update(publication=None)
        adoption.refresh_from_db()
    assert adoption.lineage.startswith("Adopted on ")
    assert "from Alpha's “Exit tickets with a next step”, published " in adoption.lineage
