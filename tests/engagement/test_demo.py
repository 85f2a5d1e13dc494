"""The demo's engagement: Riverside heard its schools, then withdrew one after an upheld objection."""

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.engagement.models import CommunityInput, EngagementEvent, Objection, SelectionDecision
from improvenet.engagement.services import community_input
from improvenet.network.models import Cluster


@pytest.fixture(scope="module")
def riverside(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        with scopes_disabled():
            cluster = Cluster.objects.get(slug="riverside")
        with scope(cluster=cluster):
            yield cluster
        transaction.set_rollback(True)


def test_events_of_every_kind_with_attendance_and_tagged_input(db, riverside):
    events = EngagementEvent.objects.all()
    assert {e.kind for e in events} == set(EngagementEvent.Kind.values)
    assert events.filter(school__isnull=True).exists() and all(e.attendance > 0 for e in events)
    assert {i.stance for i in CommunityInput.objects.all()} == {"concern", "support"}
    assert all(i.tags.exists() for i in CommunityInput.objects.all())
    with scopes_disabled():
        assert not EngagementEvent.objects.exclude(cluster=riverside).exists()


def test_the_final_decision_withdrew_a_school_after_its_upheld_objection(db, riverside):
    decision = SelectionDecision.objects.get()
    decision.full_clean()
    assert decision.is_final and decision.decided_by and decision.reasons
    candidates = list(decision.candidates.select_related("school", "objection"))
    selected = [c.school for c in candidates if c.outcome == "selected"]
    assert len(selected) == 3 and all(s.role == "innovation" for s in selected)
    [withdrawn] = [c for c in candidates if c.outcome == "withdrawn"]
    assert withdrawn.objection.status == Objection.Status.UPHELD and withdrawn.objection.school == withdrawn.school
    assert "objection was upheld" in withdrawn.reason
    summaries = community_input([c.school for c in candidates])
    assert all(s.events and s.attendance for s in summaries.values())
    assert summaries[withdrawn.school_id].concerns > summaries[withdrawn.school_id].support
    assert set(Objection.objects.values_list("status", flat=True)) == {"open", "addressed", "upheld"}
