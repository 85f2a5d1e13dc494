"""SDP college-going toolkit converter on the synthetic sample (tests/fixtures/analytics/sdp/)."""

import shutil
from collections import Counter

import pytest

from improvenet.analytics.formats import sdp
from improvenet.analytics.formats.common import ConversionError

from .format_checks import FIXTURES, assert_valid, row_of, rows

SAMPLE = FIXTURES / "sdp"


@pytest.fixture(scope="module")
def converted():
    return sdp.convert(SAMPLE)


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "sdp"
    shutil.copytree(SAMPLE, target)
    return target


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_counts(converted):
    assert converted.errors == []
    assert converted.row_counts() == {
        "school": 7, "student": 500, "calendar_date": 0, "student_school_association": 2594,
        "student_school_attendance_event": 0, "course_mark": 0, "staff_school_association": 0,
        "student_assessment": 2381,
        "student_section_association": 0,  # the converter writes no class roster
    }
    assert_valid(converted)


def test_schools_named_by_code_with_level_from_grades(converted):
    assert row_of(converted, "school", school_id="14") == {
        "school_id": "14", "name": "School 14", "lea_id": "SDP", "level": "high"}
    assert row_of(converted, "school", school_id="10")["level"] == "middle"


def test_student_race_is_the_most_frequent_and_frl_ever(converted):
    assert row_of(converted, "student", student_id="23") == {
        "student_id": "23", "sex": "", "race_ethnicity": "hispanic", "ell": "", "sped": "", "frl": "1"}
    assert row_of(converted, "student", student_id="3361")["race_ethnicity"] == "asian"  # A x4, H x3
    assert row_of(converted, "student", student_id="8455")["race_ethnicity"] == "black"  # H x3, B x3: latest
    assert any("5 students are reported with different races" in note for note in converted.notes)


def test_enrollments_one_per_row_with_grade_and_exits_before_year_end(converted):
    student_23 = [row for row in rows(converted, "student_school_association") if row["student_id"] == "23"]
    assert student_23[:3] == [
        {"student_id": "23", "school_id": "10", "school_year": "2002", "grade_level": "8", "entry_date": "2001-09-05",
         "exit_date": "", "exit_type": ""},
        {"student_id": "23", "school_id": "14", "school_year": "2003", "grade_level": "9", "entry_date": "2003-01-09",
         "exit_date": "2003-06-22", "exit_type": ""},
        {"student_id": "23", "school_id": "14", "school_year": "2003", "grade_level": "9", "entry_date": "2002-08-02",
         "exit_date": "2003-01-10", "exit_type": ""},
    ]
    # 2004 lists grades 9 and 10: the higher is kept.
    assert row_of(converted, "student_school_association", student_id="23", school_year="2004")["grade_level"] == "10"
    assert any("14 enrollment rows without a school code" in note for note in converted.notes)
    assert {row["exit_type"] for row in rows(converted, "student_school_association")} == {""}


def test_test_scores_in_the_school_of_that_year(converted):
    assert [row for row in rows(converted, "student_assessment") if row["student_id"] == "23"] == [
        {"student_id": "23", "school_id": "14", "school_year": "2005", "assessment": "SDP state test",
         "subject": "test subject 1", "score": "274", "date": ""},
        {"student_id": "23", "school_id": "14", "school_year": "2005", "assessment": "SDP state test",
         "subject": "test subject 2", "score": "216", "date": ""},
    ]
    assert Counter(row["subject"] for row in rows(converted, "student_assessment")).keys() == {
        "test subject 1", "test subject 2"}


def test_bad_values_name_file_and_line(copy):
    edit(copy / "Student_School_Enrollment.subset.csv", "23,2002,10,9/5/2001,", "23,2002,10,9/35/2001,")
    edit(copy / "Student_Attributes.subset.csv", "23,2002,H", "23,2002,Q")
    edit(copy / "Student_School_Year.subset.csv", "23,2003,9,F", "23,2003,9,X")
    assert sdp.convert(copy).errors == [
        ConversionError("Student_Attributes.subset.csv", 2, "race_ethnicity 'Q' is not one of A, B, H, W, M/O, N, P"),
        ConversionError("Student_School_Year.subset.csv", 3, "frpl 'X' is not F (free), R (reduced) or N (neither)"),
        ConversionError("Student_School_Enrollment.subset.csv", 2, "enrollment_date '9/35/2001' is not a date "
                        "(m/d/yyyy)"),
    ]


def test_a_missing_file_is_named(copy):
    (copy / "Student_School_Year.subset.csv").unlink()
    assert sdp.convert(copy).errors == [ConversionError("Student_School_Year.csv", None, "the file is missing")]
