"""The index follows the records: signals on save and delete, `rebuild_index()`, the command."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django_scopes import scope, scopes_disabled

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import Adaptation, ChangeIdea
from improvenet.search.index import flush, rebuild_index
from improvenet.search.kinds import KINDS
from improvenet.search.models import SearchDocument
from improvenet.search.results import Filters, find

D = datetime.date


def documents(**filters) -> list[SearchDocument]:
    """The documents as a search in this transaction would see them (searches bring them up to date first)."""
    flush()
    with scopes_disabled():
        return list(SearchDocument.objects.filter(**filters).order_by("kind", "object_id"))


def titles(cluster, text: str, **filters) -> list[str]:
    with scope(cluster=cluster):
        return [result.document.title for result in find(Filters(text=text, **filters)).results]


def test_every_kind_of_record_gets_its_document_with_what_the_filters_need(searchable):
    world, cycle = searchable.world, searchable.cycle
    kinds = {document.kind for document in documents(cluster=world.alpha)}
    assert kinds == set(KINDS) - {"adaptation"}  # no adaptation yet
    (document,) = documents(kind="cycle", object_id=cycle.pk)
    assert (document.cluster_id, document.school_id, document.change_idea_id, document.date) == (
        world.alpha.pk, world.high.pk, searchable.pdsa.idea.pk, D(2025, 1, 13))
    assert document.url == f"/clusters/alpha/cycles/{cycle.pk}/"
    for text in ("ninth graders keep", "At least 16 of 25", "Advisors held the conferences", "sentence starter",
                 "Decision: Adapt", "Shorter conferences", "22 of 25 students wrote"):
        assert text in document.body


def test_saving_a_cycle_or_its_prediction_rewrites_its_document(searchable):
    world, middle = searchable.world, searchable.middle
    assert titles(world.alpha, "fractions") == []
    with scope(cluster=world.alpha):
        middle.questions = "Do students compare fractions?"
        middle.save()
        assert titles(world.alpha, "fractions") == ["Exit tickets in sixth grade math"]
        middle.add_prediction("Half the class orders decimals", "The tickets show it")
        assert titles(world.alpha, "decimals") == ["Exit tickets in sixth grade math"]
        middle.predictions.get().delete()
        assert titles(world.alpha, "decimals") == []


def test_the_fishbone_and_the_aims_are_part_of_the_challenge(searchable):
    world = searchable.world
    assert titles(world.alpha, "fixed mindset") == ["Ownership"]
    assert titles(world.alpha, "graders on track", kind="challenge") == ["Ownership"]
    with scope(cluster=world.alpha):
        challenge = world.challenge
        challenge.fishbone = [{"category": "Adults", "cause": "Schedules leave no advisory time"}]
        challenge.save()
    assert titles(world.alpha, "advisory schedules") == ["Ownership"]
    assert titles(world.alpha, "fixed mindset") == []


def test_an_adaptation_and_its_decision_are_searchable_with_the_diagram_version_it_made(searchable):
    world = searchable.world
    with scope(cluster=world.alpha):
        adaptation = Adaptation.objects.create(
            enactment=world.enactment, element=world.core, description="Lessons in advisory, not in math",
            rationale="Math teachers ran out of time", adapted_on=D(2025, 2, 10),
        )
        assert titles(world.alpha, "advisory lessons", kind="adaptation") == ["Adaptation of “Lessons” in Alpha High"]
        adaptation.decide("accept", "Advisory reaches every student", world.users.lead)
        assert titles(world.alpha, "reaches every student", kind="adaptation") == [
            "Adaptation of “Lessons” in Alpha High"]
        (version,) = titles(world.alpha, "reaches every student", kind="diagram_version")
    assert version.startswith("Driver diagram version 2: From 62% to 75%")
    (document,) = documents(kind="adaptation")
    assert (document.school_id, document.change_idea_id) == (world.high.pk, world.lessons.pk)


def test_a_deleted_record_leaves_the_index(searchable):
    world = searchable.world
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Quiet reading corners")
    assert titles(world.alpha, "quiet reading") == ["Quiet reading corners"]
    with scopes_disabled():
        idea.delete()
    assert titles(world.alpha, "quiet reading") == []
    assert documents(kind="change_idea", object_id=idea.pk) == []


def test_control_characters_never_reach_the_index(searchable):
    with scope(cluster=searchable.world.alpha):
        searchable.middle.questions = "Marks \x01inside\x02 the text\x07"
        searchable.middle.save()
    (document,) = documents(kind="cycle", object_id=searchable.middle.pk)
    assert "Marks  inside  the text " in document.body


def test_rebuild_index_writes_what_bulk_loads_left_out(searchable):
    world = searchable.world
    flush()
    with scopes_disabled():
        PdsaCycle.objects.bulk_create([PdsaCycle(
            cluster=world.alpha, school=world.high, team=world.team, change_idea=searchable.pdsa.idea,
            objective="Bulk loaded peer tutoring", planned_start=D(2025, 3, 3),
        )])
        SearchDocument.objects.filter(kind="challenge").delete()
    assert titles(world.alpha, "peer tutoring") == []
    before = len(documents())
    assert rebuild_index() == before + 2
    assert titles(world.alpha, "peer tutoring") == ["Bulk loaded peer tutoring"]
    assert titles(world.alpha, "fixed mindset") == ["Ownership"]


def test_the_command_rebuilds_the_index(searchable):
    with scopes_disabled():
        SearchDocument.objects.all().delete()
    output = StringIO()
    call_command("rebuild_search_index", stdout=output)
    count = len(documents())
    assert count > 5 and output.getvalue().strip() == f"Indexed {count} records for search."


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_the_fts5_table_follows_every_write_to_the_documents(searchable):
    def check_fts5() -> None:
        count = len(documents())
        with connection.cursor() as cursor:
            # Fails (SQLITE_CORRUPT_VTAB) when the index differs from the documents it indexes.
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            cursor.execute("SELECT count(*) FROM search_fts_docsize")
            assert cursor.fetchone()[0] == count

    check_fts5()
    with scope(cluster=searchable.world.alpha):
        searchable.middle.questions = "Rewritten in place by the upsert"
        searchable.middle.save()
    check_fts5()
    assert titles(searchable.world.alpha, "upsert") == ["Exit tickets in sixth grade math"]
    with scopes_disabled():
        SearchDocument.objects.filter(kind="cycle").delete()
    check_fts5()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector column exists on PostgreSQL only")
def test_the_tsvector_column_and_its_gin_index_follow_the_documents(searchable):
    flush()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE search_vector @@ to_tsquery('english', "
                       "'ownership')")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_doc_vector'")
        assert "gin (search_vector)" in cursor.fetchone()[0]


def test_a_committed_change_reaches_the_index_without_a_search(searchable, django_capture_on_commit_callbacks):
    flush()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with scope(cluster=searchable.world.alpha):
            for word in ("first", "second", "third"):
                searchable.middle.observations = f"The {word} draft of the observations"
                searchable.middle.save()
        with scopes_disabled():
            assert "third draft" not in SearchDocument.objects.get(kind="cycle", object_id=searchable.middle.pk).body
    assert callbacks
    with scopes_disabled():
        assert "third draft" in SearchDocument.objects.get(kind="cycle", object_id=searchable.middle.pk).body
