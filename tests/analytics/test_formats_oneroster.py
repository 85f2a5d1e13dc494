"""OneRoster 1.1 CSV converter on the project's strict fixture, and the School Data Sync v2.1 sample."""

import shutil

import pytest

from improvenet.analytics.formats import oneroster
from improvenet.analytics.formats.common import ConversionError

from .format_checks import FIXTURES, assert_valid, row_of, rows

STRICT = FIXTURES / "oneroster" / "strict_1_1"
SDS = FIXTURES / "oneroster" / "sds_v2_1"


@pytest.fixture(scope="module")
def strict():
    return oneroster.convert(STRICT)


@pytest.fixture(scope="module")
def sds():
    return oneroster.convert(SDS)


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "oneroster"
    shutil.copytree(STRICT, target)
    return target


def test_strict_counts(strict):
    assert strict.errors == []
    assert strict.row_counts() == {
        "school": 3, "student": 6, "calendar_date": 0, "student_school_association": 5,
        "student_school_attendance_event": 0, "course_mark": 0, "staff_school_association": 5,
        "student_assessment": 0,
        "student_section_association": 5,
    }
    assert_valid(strict)


def test_the_class_roster_from_enrollments_in_classes(strict):
    # Math 7 runs two terms of one school year: one section row; teachers' enrollments are no seats.
    assert rows(strict, "student_section_association") == [
        {"student_id": "U1", "school_id": "S110", "school_year": "2025", "section_id": "K1"},
        {"student_id": "U2", "school_id": "S110", "school_year": "2025", "section_id": "G5A"},
        {"student_id": "U3", "school_id": "S120", "school_year": "2025", "section_id": "M7A"},
        {"student_id": "U4", "school_id": "S130", "school_year": "2025", "section_id": "E9A"},
        {"student_id": "U5", "school_id": "S130", "school_year": "2025", "section_id": "E9A"},
    ]


def test_schools_from_orgs_with_level_from_student_grades(strict):
    assert rows(strict, "school") == [
        {"school_id": "S110", "name": "Fernbrook Elementary (fictional)", "lea_id": "D100", "level": "elementary"},
        {"school_id": "S120", "name": "Quill Ridge Middle (fictional)", "lea_id": "D100", "level": "middle"},
        {"school_id": "S130", "name": "Lanternfield High (fictional)", "lea_id": "D100", "level": "high"},
    ]


def test_students_demographics_and_identities(strict):
    assert row_of(strict, "student", student_id="U3") == {
        "student_id": "U3", "sex": "female", "race_ethnicity": "two_or_more", "ell": "", "sped": "", "frl": ""}
    assert row_of(strict, "student", student_id="U4")["race_ethnicity"] == "hispanic"
    assert row_of(strict, "student", student_id="U2")["race_ethnicity"] == "black"
    assert strict.identities["U1"] == {"given_name": "Ada", "family_name": "Quillon", "birth_date": "2019-03-02"}
    assert "G1" not in strict.identities  # a guardian is no student


def test_enrollments_school_year_from_session_end_grade_codes_and_explicit_exits(strict):
    assert row_of(strict, "student_school_association", student_id="U1") == {
        "student_id": "U1", "school_id": "S110", "school_year": "2025", "grade_level": "0",
        "entry_date": "2024-08-19", "exit_date": "", "exit_type": ""}
    assert row_of(strict, "student_school_association", student_id="U3")["entry_date"] == "2024-09-03"
    # U4's only class ends with the fall term: no exit. U5's enrollment carries an endDate: an exit.
    assert row_of(strict, "student_school_association", student_id="U4")["exit_date"] == ""
    assert row_of(strict, "student_school_association", student_id="U5")["exit_date"] == "2024-11-15"
    assert not [row for row in rows(strict, "student_school_association") if row["student_id"] == "U6"]
    assert any("1 student memberships in grades outside kindergarten" in note for note in strict.notes)


def test_staff_at_each_of_their_schools(strict):
    assert sorted((r["staff_id"], r["school_id"], r["school_year"], r["role"])
                  for r in rows(strict, "staff_school_association")) == [
        ("A1", "S110", "2025", "administrator"), ("T1", "S110", "2025", "teacher"),
        ("T2", "S120", "2025", "teacher"), ("T2", "S130", "2025", "teacher"), ("T3", "S130", "2025", "teacher"),
    ]


def test_sds_v2_1_sample_reads_through_roles(sds):
    assert sds.errors == []
    assert_valid(sds)
    assert rows(sds, "school") == [
        {"school_id": "110003", "name": "School of TwoDotOne", "lea_id": "110004", "level": "high"}]
    assert row_of(sds, "student", student_id="114001") == {
        "student_id": "114001", "sex": "male", "race_ethnicity": "hispanic", "ell": "0", "sped": "1", "frl": "0"}
    assert row_of(sds, "student", student_id="114003")["frl"] == "1"
    # The college student (114008) and the ministry-level teacher role are outside K-12 schools.
    assert {row["student_id"] for row in rows(sds, "student")} == {"114001", "114003", "114004"}
    assert rows(sds, "staff_school_association") == [
        {"staff_id": "114007", "school_id": "110003", "school_year": "2022", "role": "teacher"}]
    assert row_of(sds, "student_school_association", student_id="114004")["school_year"] == "2022"
    assert any("SY2021K12 (2021)" in note for note in sds.notes)


def test_missing_file_and_missing_columns_are_named(copy):
    (copy / "orgs.csv").unlink()
    users = copy / "users.csv"
    users.write_text(users.read_text().replace(",grades,", ",grade,", 1))
    assert oneroster.convert(copy).errors == [
        ConversionError("orgs.csv", None, "the file is missing"),
        ConversionError("users.csv", 1, "the header lacks grades"),
    ]


def test_bad_grade_date_and_class_reference_name_file_and_line(copy):
    users = copy / "users.csv"
    users.write_text(users.read_text().replace(",u3,,Cleo,Ravensby,,1003,,,,,07,", ",u3,,Cleo,Ravensby,,1003,,,,,7th,"))
    enrollments = copy / "enrollments.csv"
    enrollments.write_text(enrollments.read_text().replace("E2,,,G5A", "E2,,,G9Z").replace("2024-09-03", "9/3/2024"))
    errors = oneroster.convert(copy).errors
    assert ConversionError("enrollments.csv", 3, "class 'G9Z' is not in classes.csv") in errors
    assert ConversionError("enrollments.csv", 4, "beginDate '9/3/2024' is not a date (YYYY-MM-DD)") in errors
    assert ConversionError("users.csv", 8, "grade '7th' is not a OneRoster grade code (KG, 01 to 12)") in errors
    assert len(errors) == 3
