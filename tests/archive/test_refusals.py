"""A broken or tampered archive is refused with a message naming the file and the problem, and
nothing is written; so is an archive whose records the database already holds."""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from improvenet.archive import export, restore
from improvenet.archive.restore import ArchiveRefused, import_archive
from improvenet.archive.tables import archive_tables
from improvenet.network.models import Person
from tests.archive.conftest import export_bytes, members

SCHOOLS = "tables/network.school.csv"
PEOPLE = "tables/network.person.csv"


@pytest.fixture
def archive(world) -> bytes:
    return export_bytes("alpha")


def database_rows() -> dict[str, int]:
    with scopes_disabled():
        counts = {table.name: table.model._base_manager.count() for table in archive_tables()}
    return counts | {"accounts": get_user_model().objects.count()}


def rebuilt(archive: bytes, changes: dict[str, bytes | None], *, rehash: bool = True, manifest=None) -> bytes:
    """The archive with files replaced (None removes one); the manifest follows the tables unless rehash
    is off, `manifest` may change it, and a change of manifest.json itself replaces it."""
    files = members(archive)
    listed = json.loads(files["manifest.json"])
    for entry in listed["files"]:
        data = changes.get(entry["path"])
        if rehash and data is not None:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            if "table" in entry:
                entry["rows"] = data.count(b"\r\n") - 1
    if manifest:
        manifest(listed)
    files["manifest.json"] = json.dumps(listed).encode()
    files.update(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as written:
        for path, data in files.items():
            if data is not None:
                written.writestr(path, data)
    return out.getvalue()


def edit_line(archive: bytes, path: str, line: int, old: str, new: str) -> bytes:
    lines = members(archive)[path].decode().split("\r\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\r\n".join(lines).encode()


def refusal(archive: bytes) -> str:
    before = database_rows()
    with pytest.raises(ArchiveRefused) as refused:
        import_archive(io.BytesIO(archive), "alpha.zip")
    assert database_rows() == before, "a refused import wrote rows"
    return str(refused.value)


def test_a_file_that_is_not_a_zip(archive):
    assert refusal(b"PK but not really a zip " + archive[:100]) == "alpha.zip is not a zip archive."


def test_an_archive_without_a_manifest(archive):
    message = refusal(rebuilt(archive, {"manifest.json": None}))
    assert message == "alpha.zip: there is no manifest.json, so this is not an improvenet open archive."


def test_a_manifest_that_is_not_json(archive):
    message = refusal(rebuilt(archive, {"manifest.json": b'{"format": '}))
    assert message.startswith("alpha.zip: manifest.json is not valid JSON: Expecting value on line 1")


def test_a_changed_file_fails_its_checksum_naming_the_file(archive):
    changed = edit_line(archive, SCHOOLS, 2, "innovation", "comparison")
    message = refusal(rebuilt(archive, {SCHOOLS: changed}, rehash=False))
    assert message.startswith(f"alpha.zip: checksum mismatch for {SCHOOLS}: manifest.json says SHA-256 ")
    assert "The archive was changed or damaged after it was written." in message


@pytest.mark.parametrize("version", [3, True, "2"])
def test_an_unknown_format_version(archive, version):
    message = refusal(rebuilt(archive, {}, manifest=lambda listed: listed.update(format_version=version)))
    assert message == (f"alpha.zip: manifest.json has format version {json.dumps(version)}, which this improvenet "
                       "does not know: it reads format versions 1 and 2.")


def test_a_row_that_breaks_the_schema_is_named_by_file_line_and_column(archive):
    changed = edit_line(archive, SCHOOLS, 3, ",middle,", ",castle,")
    message = refusal(rebuilt(archive, {SCHOOLS: changed}))
    assert message.startswith("alpha.zip: rows break the schema; nothing was imported:")
    assert f"{SCHOOLS} line 3: column level 'castle' is not one of 'elementary', 'middle', 'high', 'other'." in message


def test_a_cell_of_the_wrong_type(archive):
    changed = edit_line(archive, SCHOOLS, 2, ",9,12,", ",nine,12,")
    message = refusal(rebuilt(archive, {SCHOOLS: changed}))
    assert f"{SCHOOLS} line 2: column lowest_grade 'nine' is not a whole number." in message


def test_a_foreign_key_to_a_record_that_is_not_in_the_archive(archive, world):
    person_line = 2
    changed = edit_line(archive, PEOPLE, person_line, f",{world.high.pk},", ",999999,")
    message = refusal(rebuilt(archive, {PEOPLE: changed}))
    assert message.startswith("alpha.zip: foreign keys point to records that are not in the archive; nothing was")
    assert (f"{PEOPLE} line {person_line}: home_organization_id refers to network.organization id 999999, "
            "which is not in the archive.") in message


def test_columns_that_do_not_match(archive):
    changed = edit_line(archive, SCHOOLS, 1, ",nces_id", "")
    message = refusal(rebuilt(archive, {SCHOOLS: changed}))
    assert message.startswith(f"alpha.zip: {SCHOOLS} line 1: the columns do not match this improvenet's table "
                              "(missing nces_id)")


def test_a_file_missing_from_the_archive_or_from_the_manifest(archive):
    assert refusal(rebuilt(archive, {SCHOOLS: None})) == (
        f"alpha.zip: manifest.json lists {SCHOOLS}, which is not in the archive.")
    assert refusal(rebuilt(archive, {"tables/extra.csv": b"id\r\n"})) == (
        "alpha.zip: tables/extra.csv is in the archive but not in manifest.json.")


def test_a_row_count_that_does_not_match_the_manifest(archive):
    def miscount(listed):
        next(entry for entry in listed["files"] if entry["path"] == SCHOOLS)["rows"] = 5

    assert refusal(rebuilt(archive, {}, manifest=miscount)) == (
        f"alpha.zip: {SCHOOLS} has 2 rows, but manifest.json says 5.")


def test_an_archive_the_database_already_holds(archive):
    message = refusal(archive)
    assert message.startswith("alpha.zip: this database already holds a network with slug “north”; a cluster with "
                              "slug “alpha”; a user with username “lead”")
    assert message.endswith("Import the archive into an empty database (a new one, after `improvenet migrate`); "
                            "nothing was imported.")


def test_a_tampered_archive_with_a_rehashed_manifest_fails_only_the_whole_archive_digest(archive):
    exported_digest = hashlib.sha256(archive).hexdigest()
    tampered = rebuilt(archive, {SCHOOLS: edit_line(archive, SCHOOLS, 2, "innovation", "comparison")})
    # The manifest's checksums pass: the refusal comes from the database, after every file was checked.
    assert "this database already holds" in refusal(tampered)
    message = refusal_with_digest(tampered, exported_digest)
    assert message == (f"alpha.zip: the SHA-256 of the whole archive is {hashlib.sha256(tampered).hexdigest()}, "
                       f"but the expected digest is {exported_digest}. The archive is not the one that was "
                       "exported: it was changed or replaced, or the digest belongs to another file. "
                       "Nothing was imported.")


def test_the_right_digest_lets_the_checks_go_on(archive):
    assert "this database already holds" in refusal_with_digest(archive, hashlib.sha256(archive).hexdigest())


def refusal_with_digest(archive: bytes, sha256: str) -> str:
    before = database_rows()
    with pytest.raises(ArchiveRefused) as refused:
        import_archive(io.BytesIO(archive), "alpha.zip", sha256=sha256)
    assert database_rows() == before, "a refused import wrote rows"
    return str(refused.value)


def compressed(archive: bytes, extra: dict[str, bytes]) -> bytes:
    """The archive's files and `extra`, listed in the manifest and deflated, so that long runs of one byte
    take almost no room."""
    files = members(archive)
    manifest = json.loads(files["manifest.json"])
    manifest["files"] += [{"path": path, "sha256": hashlib.sha256(data).hexdigest()} for path, data in extra.items()]
    files |= extra | {"manifest.json": json.dumps(manifest).encode()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as written:
        for path, data in files.items():
            written.writestr(path, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_declared_size(archive, monkeypatch):
    monkeypatch.setattr(restore, "MAX_MEMBER_BYTES", 1024 * 1024)
    bomb = compressed(archive, {"tables/bomb.csv": b"0" * (3 * 1024 * 1024)})
    assert len(bomb) < len(archive) + 10_000, "the test needs a member that unpacks far beyond its packed size"
    assert refusal(bomb) == (
        "alpha.zip: tables/bomb.csv unpacks to 3.0 MB; this improvenet accepts at most 1.0 MB for a single file "
        "(MAX_MEMBER_BYTES and MAX_TOTAL_BYTES in improvenet/archive/restore.py). Nothing was imported.")


def test_files_that_unpack_to_too_much_together_are_refused(archive, monkeypatch):
    monkeypatch.setattr(restore, "MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    several = compressed(archive, {f"tables/bomb{number}.csv": b"0" * (1024 * 1024) for number in range(3)})
    message = refusal(several)
    # Three megabytes of bombs plus the archive's own tables, whose size grows with every new table.
    assert re.match(r"alpha\.zip: its files unpack to 3\.[1-9] MB; this improvenet accepts at most 2\.0 MB for a "
                    r"whole archive", message), message


def test_bytes_are_counted_while_unpacking_too(archive, monkeypatch):
    # Whatever the zip declares, unpacking stops at the limit: here the declared sizes are not looked at.
    monkeypatch.setattr(restore, "_check_declared_sizes", lambda opened, label: None)
    monkeypatch.setattr(restore, "MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    several = compressed(archive, {f"tables/bomb{number}.csv": b"0" * (1024 * 1024) for number in range(3)})
    assert refusal(several).startswith("alpha.zip: its files unpack to more than 2.0 MB, the most this improvenet "
                                       "accepts for a whole archive")


def test_a_member_that_holds_more_than_it_declares_cannot_be_unpacked(archive):
    bomb = bytearray(compressed(archive, {"tables/bomb.csv": b"0" * (1024 * 1024)}))
    # Declare 10 bytes in the bomb's local header (offset 22) and central directory entry (offset 24).
    central = _central_entry(bomb, b"tables/bomb.csv")
    local = int.from_bytes(bomb[central + 42:central + 46], "little")
    bomb[local + 22:local + 26] = (10).to_bytes(4, "little")
    bomb[central + 24:central + 28] = (10).to_bytes(4, "little")
    message = refusal(bytes(bomb))
    assert message.startswith("alpha.zip: ") and "cannot be unpacked" in message


def _central_entry(data: bytearray, name: bytes) -> int:
    """Where the zip's central directory entry for `name` starts (ValueError when there is none)."""
    start = 0
    while True:
        start = data.index(b"PK\x01\x02", start)
        name_length = int.from_bytes(data[start + 28:start + 30], "little")
        if data[start + 46:start + 46 + name_length] == name:
            return start
        start += 4


def test_a_manifest_that_unpacks_to_too_much_is_refused_before_it_is_read(archive):
    padded = rebuilt(archive, {}, manifest=lambda listed: listed.update(padding=" " * restore.MAX_MANIFEST_BYTES))
    assert refusal(padded).startswith(
        "alpha.zip: manifest.json unpacks to 1.0 MB; this improvenet accepts at most 1.0 MB for the manifest "
        "(MAX_MANIFEST_BYTES in improvenet/archive/restore.py).")


@pytest.mark.parametrize(("name", "length"), [
    ("R" * 60, "60 characters"),
    # Past the line's limit too: only as much of the line as that limit is read.
    ("R" * 100_000, "more than 50 characters"),
])
def test_a_cell_over_the_limit_is_refused_naming_file_line_and_column(archive, monkeypatch, name, length):
    monkeypatch.setattr(restore, "MAX_CELL_CHARS", 50)
    monkeypatch.setattr(restore, "MAX_LINE_CHARS", 200)
    changed = edit_line(archive, PEOPLE, 2, "Rosa", name)
    assert refusal(rebuilt(archive, {PEOPLE: changed})) == (
        f"alpha.zip: {PEOPLE} line 2, column given_name: a cell of {length}; a cell can hold at most 50. "
        "Nothing was imported.")


def test_the_export_refuses_a_cell_the_import_would_refuse(world, monkeypatch):
    monkeypatch.setattr(export, "MAX_CELL_CHARS", 120)
    with scopes_disabled():
        Person.objects.filter(pk=world.person.pk).update(title="T" * 150)
    with pytest.raises(export.ExportRefused) as refused:
        export_bytes("alpha")
    assert str(refused.value) == ("The cluster “Alpha” cannot be archived as it is:\n  tables/network.person.csv row "
                                  f"with id {world.person.pk}: title has 150 characters; an archive's cell holds at "
                                  "most 120.")
