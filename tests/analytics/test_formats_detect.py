"""Recognising a folder's layout, and converting through the package entry point."""

import pytest

from improvenet.analytics.bundle import validate_tables, write_bundle
from improvenet.analytics.formats import UnknownFormat, convert, detect_format
from improvenet.analytics.pseudonym import Pseudonymizer
from improvenet.analytics.store import Store

from .format_checks import FIXTURES


@pytest.mark.parametrize(("folder", "expected"), [
    ("edfi_grand_bend", "edfi-xml"), ("oneroster/strict_1_1", "oneroster"), ("oneroster/sds_v2_1", "oneroster"),
    ("sdp", "sdp"),
])
def test_each_fixture_is_recognised_and_converted(folder, expected):
    assert detect_format(FIXTURES / folder) == expected
    assert convert(FIXTURES / folder).source_format == expected


def test_a_written_bundle_is_recognised_and_not_converted(tmp_path):
    write_bundle(convert(FIXTURES / "sdp").tables, tmp_path)
    assert detect_format(tmp_path) == "bundle"
    with pytest.raises(UnknownFormat, match="a flat bundle is read as it is"):
        convert(tmp_path)


def test_an_unknown_layout_lists_the_recognised_ones(tmp_path):
    (tmp_path / "grades.xlsx").write_bytes(b"not a table")
    with pytest.raises(UnknownFormat) as raised:
        detect_format(tmp_path)
    message = str(raised.value)
    assert "found: grades.xlsx" in message
    for layout in ("bundle: ", "edfi-xml: ", "oneroster: ", "sdp: "):
        assert f"\n- {layout}" in message
    assert "Student_School_Enrollment.csv" in message and "academicSessions.csv" in message


def test_a_file_is_not_a_folder(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK")
    with pytest.raises(UnknownFormat, match="is not a folder"):
        detect_format(path)


def test_a_converted_export_loads_into_the_store_without_names(tmp_path):
    converted = convert(FIXTURES / "oneroster" / "sds_v2_1")
    bundle = validate_tables(converted.tables, "sds_v2_1")
    report = Store(tmp_path / "store.duckdb").load(bundle, Pseudonymizer(b"k" * 32),
                                                   identities=converted.identities)
    assert Store(tmp_path / "store.duckdb").counts()["student_school_association"] == 3
    assert report.identities_dropped == 3
