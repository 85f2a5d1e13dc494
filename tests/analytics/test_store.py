"""The longitudinal store: pseudonymized, idempotent, all-or-nothing loads, opt-outs, Parquet in and out."""

import datetime

import duckdb
import pyarrow as pa
import pytest

from improvenet.analytics.bundle import Bundle, read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer
from improvenet.analytics.schema import TABLES
from improvenet.analytics.store import Store, StoreError, TableCount

RAW_STUDENT_IDS = ("DIST-000101", "DIST-000102", "DIST-000103", "DIST-000104")
RAW_STAFF_IDS = ("EMP-7001", "EMP-7002", "EMP-7003")
IDENTITIES = {
    "DIST-000101": {"given_name": "Zephyrine", "family_name": "Quackenbush", "birth_date": "2018-03-14"},
    "DIST-000103": {"given_name": "Bartholomew", "family_name": "Wolfeschlegel", "birth_date": "2006-11-02"},
}


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "analytics.duckdb")


def snapshot(store: Store) -> dict[str, list]:
    """Every row of every table, sorted: two equal snapshots mean two equal stores."""
    with duckdb.connect(str(store.path), read_only=True) as connection:
        return {name: sorted(map(repr, connection.execute(f"SELECT * FROM {name}").fetchall()))
                for name in store.counts()}


def test_a_load_writes_every_table_under_pseudonyms(store, tiny_bundle, pseudonymizer):
    report = store.load(read_bundle(tiny_bundle), pseudonymizer, source="tiny")

    assert report.inserted == 35 and report.replaced == 0
    assert report.tables["student_school_attendance_event"].inserted == 3
    with duckdb.connect(str(store.path), read_only=True) as connection:
        students = {row[0] for row in connection.execute("SELECT student_id FROM student").fetchall()}
        staff = {row[0] for row in connection.execute("SELECT staff_id FROM staff_school_association").fetchall()}
        enrolled = {row[0] for row in connection.execute(
            "SELECT student_id FROM student_school_association").fetchall()}
        seated = {row[0] for row in connection.execute(
            "SELECT student_id FROM student_section_association").fetchall()}
        grade = connection.execute("SELECT typeof(grade_level), typeof(entry_date), typeof(ell) "
                                   "FROM student_school_association, student LIMIT 1").fetchone()
    assert students == {pseudonymizer.student(raw) for raw in RAW_STUDENT_IDS}
    assert staff == {pseudonymizer.staff(raw) for raw in RAW_STAFF_IDS}
    assert enrolled <= students and seated == {pseudonymizer.student(raw) for raw in RAW_STUDENT_IDS[:2]}
    assert grade == ("INTEGER", "DATE", "TINYINT")
    assert store.loads()[0]["source"] == "tiny"


def test_loading_the_same_bundle_twice_replaces_rows(store, tiny_bundle, pseudonymizer):
    bundle = read_bundle(tiny_bundle)
    store.load(bundle, pseudonymizer)
    first = snapshot(store)

    report = store.load(bundle, pseudonymizer)

    assert report.inserted == 0 and report.replaced == 35
    second = snapshot(store)
    assert {name: rows for name, rows in second.items() if name != "load_log"} == {
        name: rows for name, rows in first.items() if name != "load_log"}
    assert len(store.loads()) == 2


def test_a_changed_row_replaces_the_stored_one_by_its_natural_key(store, tiny_bundle, pseudonymizer):
    store.load(read_bundle(tiny_bundle), pseudonymizer)
    marks = tiny_bundle / "course_marks.csv"
    marks.write_text(marks.read_text().replace("2024,S1,math,0,F", "2024,S1,math,0.5,D"))

    report = store.load(read_bundle(tiny_bundle), pseudonymizer)

    assert report.tables["course_mark"] == TableCount(inserted=0, replaced=3)
    with duckdb.connect(str(store.path), read_only=True) as connection:
        marks = connection.execute("SELECT mark, credits_earned FROM course_mark WHERE subject = 'math' "
                                   "AND school_id = 'H300'").fetchall()
    assert marks == [("D", 0.5)]


def test_a_failing_load_leaves_the_store_as_it_was(store, tiny_bundle, pseudonymizer):
    bundle = read_bundle(tiny_bundle)
    store.load(bundle, pseudonymizer)
    before = snapshot(store)
    # A bundle built by hand, past validation: its last table breaks a NOT NULL column after the others were written.
    broken = dict(bundle.tables)
    staff = broken["staff_school_association"]
    broken["staff_school_association"] = staff.set_column(
        3, "role", pa.array([None] * staff.num_rows, pa.string()))
    students = broken["student"]
    broken["student"] = students.set_column(1, "sex", pa.array(["changed"] * students.num_rows))

    with pytest.raises(duckdb.ConstraintException):
        store.load(Bundle("broken", broken), pseudonymizer)

    assert snapshot(store) == before


def test_a_load_under_another_key_is_refused(store, tiny_bundle, pseudonymizer):
    store.load(read_bundle(tiny_bundle), pseudonymizer)
    before = snapshot(store)

    with pytest.raises(StoreError, match="another pseudonym key"):
        store.load(read_bundle(tiny_bundle), Pseudonymizer(b"another key entirely, 32 bytes!!"))

    assert snapshot(store) == before
    assert store.key_fingerprint() == pseudonymizer.fingerprint


def test_an_opted_out_student_is_removed_and_not_loaded_again(store, tiny_bundle, pseudonymizer):
    bundle = read_bundle(tiny_bundle)
    store.load(bundle, pseudonymizer, identities=IDENTITIES, encrypt_identities=True)

    removed = store.add_opt_out("DIST-000103", pseudonymizer, recorded_on=datetime.date(2024, 2, 1))

    assert removed == {"student": 1, "student_school_association": 1, "student_school_attendance_event": 1,
                       "course_mark": 2, "student_assessment": 1, "student_identity": 1}
    assert store.opted_out() == [(pseudonymizer.student("DIST-000103"), datetime.date(2024, 2, 1))]
    report = store.load(bundle, pseudonymizer, identities=IDENTITIES, encrypt_identities=True)
    assert report.skipped_opted_out == 6
    assert store.identity("DIST-000103", pseudonymizer) is None
    with duckdb.connect(str(store.path), read_only=True) as connection:
        for table in TABLES:
            if "student_id" in table.column_names:
                found = connection.execute(f"SELECT count(*) FROM {table.name} WHERE student_id = ?",
                                           [pseudonymizer.student("DIST-000103")]).fetchone()[0]
                assert found == 0, table.name


def test_identities_are_dropped_unless_encryption_is_on(store, tiny_bundle, pseudonymizer):
    report = store.load(read_bundle(tiny_bundle), pseudonymizer, identities=IDENTITIES)

    assert report.identities_dropped == 2 and report.identities_stored == 0
    assert store.counts()["student_identity"] == 0
    assert store.identity("DIST-000101", pseudonymizer) is None


def test_encrypted_identities_decrypt_with_the_key(store, tiny_bundle, pseudonymizer):
    report = store.load(read_bundle(tiny_bundle), pseudonymizer, identities=IDENTITIES, encrypt_identities=True)

    assert report.identities_stored == 2
    assert store.identity("DIST-000101", pseudonymizer) == IDENTITIES["DIST-000101"]


def test_no_raw_id_name_or_key_is_in_the_store_file_or_the_export(store, tiny_bundle, pseudonymizer, tmp_path):
    store.load(read_bundle(tiny_bundle), pseudonymizer, identities=IDENTITIES, encrypt_identities=True)
    with duckdb.connect(str(store.path)) as connection:
        connection.execute("CHECKPOINT")
    store.export_parquet(tmp_path / "export", include_identities=True)
    files = [store.path] + sorted((tmp_path / "export").iterdir())
    secrets = [*RAW_STUDENT_IDS, *RAW_STAFF_IDS] + [v for identity in IDENTITIES.values()
                                                     for v in identity.values()]

    for path in files:
        data = path.read_bytes()
        found = [secret for secret in secrets if secret.encode() in data]
        assert not found, f"{path.name} holds {found}"
        assert bytes(range(32)) not in data and bytes(range(32)).hex().encode() not in data
    # The search sees text that is stored: the pseudonyms and the schools' names are there in clear.
    everything = b"".join(path.read_bytes() for path in files)
    assert pseudonymizer.student("DIST-000101").encode() in everything
    assert b"Maple Elementary School" in store.path.read_bytes()


def test_export_then_import_gives_the_same_store(store, tiny_bundle, pseudonymizer, tmp_path):
    store.load(read_bundle(tiny_bundle), pseudonymizer)
    store.add_opt_out("DIST-000104", pseudonymizer)

    written = store.export_parquet(tmp_path / "export")
    copy = Store(tmp_path / "copy.duckdb")
    report = copy.import_parquet(tmp_path / "export")

    assert written["student"] == 3 and "student_identity" not in written
    assert report.inserted == sum(written[t.name] for t in TABLES)
    original, imported = snapshot(store), snapshot(copy)
    for name in [t.name for t in TABLES] + ["student_opt_out", "store_info"]:
        assert imported[name] == original[name], name
    assert copy.import_parquet(tmp_path / "export").replaced == report.inserted


def test_an_export_goes_to_a_new_or_empty_folder(store, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me")

    with pytest.raises(StoreError, match="is not empty"):
        store.export_parquet(tmp_path / "busy")

    store.export_parquet(tmp_path / "empty")
    assert sorted(p.name for p in (tmp_path / "empty").iterdir())[:2] == ["calendar_date.parquet",
                                                                          "course_mark.parquet"]
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_an_incomplete_or_broken_import_writes_nothing(store, tiny_bundle, pseudonymizer, tmp_path):
    store.load(read_bundle(tiny_bundle), pseudonymizer)
    store.export_parquet(tmp_path / "export")
    target = Store(tmp_path / "target.duckdb")
    (tmp_path / "export" / "course_mark.parquet").unlink()

    with pytest.raises(StoreError, match="course_mark.parquet missing"):
        target.import_parquet(tmp_path / "export")

    with duckdb.connect() as connection:
        connection.execute(f"COPY (SELECT 1 AS student_id) TO '{tmp_path / 'export' / 'course_mark.parquet'}' "
                           "(FORMAT parquet)")
    with pytest.raises(StoreError, match="course_mark.parquet lacks the column"):
        target.import_parquet(tmp_path / "export")
    assert sum(target.counts().values()) == 0


def test_an_import_made_under_another_key_is_refused(store, tiny_bundle, pseudonymizer, tmp_path):
    store.load(read_bundle(tiny_bundle), pseudonymizer)
    store.export_parquet(tmp_path / "export")
    other = Store(tmp_path / "other.duckdb")
    other.load(read_bundle(tiny_bundle), Pseudonymizer(b"another key entirely, 32 bytes!!"))

    with pytest.raises(StoreError, match="another pseudonym key"):
        other.import_parquet(tmp_path / "export")


def test_progress_is_reported_step_by_step(store, tiny_bundle, pseudonymizer):
    steps = []

    store.load(read_bundle(tiny_bundle), pseudonymizer, progress=lambda *step: steps.append(step))

    assert steps[0] == ("pseudonymizing ids", 0, len(TABLES) + 2)
    assert ("loading student_school_attendance_event", 5, len(TABLES) + 2) in steps
    assert steps[-1] == ("done", len(TABLES) + 2, len(TABLES) + 2)


def test_a_bundle_without_assessments_loads(store, tiny_bundle, pseudonymizer):
    (tiny_bundle / "assessments.csv").unlink()

    report = store.load(read_bundle(tiny_bundle), pseudonymizer)

    assert report.tables["student_assessment"] == TableCount(inserted=0, replaced=0)
    assert report.inserted == 33


def test_a_bundle_without_a_class_roster_loads(store, tiny_bundle, pseudonymizer):
    (tiny_bundle / "class_rosters.csv").unlink()

    report = store.load(read_bundle(tiny_bundle), pseudonymizer)

    assert report.tables["student_section_association"] == TableCount(inserted=0, replaced=0)
    assert report.inserted == 32
