"""The learning demo: every evidence level appears, ideas travel to at-large schools and some stop."""

import datetime
import random

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from improvenet.demo import DEFAULT_SEED, load_demo
from improvenet.demo.learning import _stages_from_cycles, _travel
from improvenet.design.models import ChangeIdea
from improvenet.learning import services
from improvenet.learning.evidence import Level
from improvenet.learning.models import SpreadStage
from improvenet.network.models import Cluster, School

ON = datetime.date(2026, 6, 30)


@pytest.fixture(scope="module")
def riverside(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        with scopes_disabled():
            yield Cluster.objects.get(slug="riverside")
        transaction.set_rollback(True)


def test_every_evidence_level_appears(db, riverside):
    levels = {e.level for e in services.evidence_index(riverside)}
    assert levels == set(Level)


def test_the_grid_shows_ideas_that_traveled_to_at_large_schools_and_ideas_that_stopped(db, riverside):
    grid = services.grid(riverside, ON)
    groups = dict(grid.groups)
    assert list(groups) == ["Innovation school", "At-large school", "Comparison school", "Feeder school"]
    at_large = [cell for row in groups["At-large school"] for cell in row.cells if cell]
    assert {"testing", "implementing"} <= {cell.stage for cell in at_large}
    everywhere = [cell for _, rows in grid.groups for row in rows for cell in row.cells if cell]
    assert {"abandoned", "not_started", "sustained"} <= {cell.stage for cell in everywhere}
    traveled, stopped = services.travel(riverside, ON)
    assert any(r.school.role == School.Role.AT_LARGE for t in traveled for r in t.reached)
    assert stopped and all(r.reason.strip() for t in stopped for r in t.stopped)
    scaling = services.scaling(riverside, ON)
    assert scaling.scaling_in > 0 and scaling.reached_schools
    # The sharing demo has Lakeside adopt one of Riverside's published ideas: scaling out to another cluster.
    assert {a.cluster.slug for a in services.scaling(riverside, datetime.date.today()).other_clusters} == {"lakeside"}


def test_supported_ideas_traveled_and_not_supported_ideas_did_not(db, riverside):
    levels = {e.idea.pk: e.level for e in services.evidence_index(riverside)}
    roles = {(r.change_idea_id, r.school.role) for r in SpreadStage.objects.select_related("school")}
    for idea_id, level in levels.items():
        if level == Level.SUPPORTED:
            assert (idea_id, School.Role.AT_LARGE) in roles
        if level in (Level.NOT_SUPPORTED, Level.UNTESTED):
            assert (idea_id, School.Role.AT_LARGE) not in roles


def test_every_stage_obeys_the_models_rules(db, riverside):
    records = list(SpreadStage.objects.select_related("school", "change_idea"))
    assert len(records) >= 40
    for record in records:
        record.full_clean()


def test_the_stages_are_the_same_for_the_same_seed(db, riverside):
    def signature(records):
        return [(r.change_idea_id, r.school_id, r.stage, r.started_on, r.reason) for r in records]

    assert signature(_stages_from_cycles(riverside)) == signature(_stages_from_cycles(riverside))
    ideas = list(ChangeIdea.objects.filter(cluster=riverside).order_by("pk"))
    levels = {e.idea.pk: e.level for e in services.evidence_index(riverside)}
    schools = list(School.objects.filter(cluster=riverside, role="at_large").order_by("name"))
    feeders = list(School.objects.filter(cluster=riverside, role="feeder", level="middle").order_by("name"))

    def travel(seed):
        return signature(_travel(random.Random(seed), riverside, ideas, levels, [], schools, feeders))

    assert travel(f"{DEFAULT_SEED}-learning") == travel(f"{DEFAULT_SEED}-learning")
    assert travel(f"{DEFAULT_SEED}-learning") != travel("another seed")
