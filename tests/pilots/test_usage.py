"""Checking a company's usage file (pilots/usage.py): every bad row named by its line, nothing kept when one
is bad, per-student rows added up per school and week, and the size limits of lib/limits.py."""

import datetime

import pytest

from improvenet.measures.upload import MAX_FILE_BYTES, UploadFileError, read_table
from improvenet.pilots.usage import UsageRules, check_usage

MONDAY = datetime.date(2026, 1, 5)
RULES = UsageRules(schools={"lincoln elementary": 1, "170000100001": 1, "park elementary": 2},
                   school_names={1: "Lincoln Elementary", 2: "Park Elementary"},
                   first_week=MONDAY, last_week=MONDAY + datetime.timedelta(weeks=3))


def checked(text: str, name: str = "usage.csv"):
    return check_usage(read_table(text.encode(), name, what="a usage file"), RULES)


def test_rows_per_school_and_week_are_kept_as_they_come():
    result = checked("school,week,active_students,minutes\n"
                     "Lincoln Elementary,2026-01-05,84,6120\n170000100001,2026-01-12,80,5000\n"
                     "Park Elementary,2026-01-05,12,700\n")
    assert result.ok and not result.per_student and result.rows_read == 3
    assert [(w.school_id, w.week, w.active_students, w.minutes) for w in result.weeks] == [
        (1, MONDAY, 84, 6120.0), (1, datetime.date(2026, 1, 12), 80, 5000.0), (2, MONDAY, 12, 700.0)]


def test_rows_per_student_are_added_up_and_no_student_leaves_the_check():
    result = checked("student,school,week,minutes\n"
                     "S-1,Lincoln Elementary,2026-01-05,30\nS-2,Lincoln Elementary,2026-01-05,45\n"
                     "S-3,Lincoln Elementary,2026-01-05,0\nS-1,Lincoln Elementary,2026-01-12,20\n")
    assert result.ok and result.per_student
    assert [(w.school_id, w.week, w.active_students, w.minutes) for w in result.weeks] == [
        (1, MONDAY, 2, 75.0), (1, datetime.date(2026, 1, 12), 1, 20.0)]
    assert "S-1" not in repr(result)


def test_every_bad_row_is_named_by_its_line_and_nothing_is_kept():
    result = checked("school,week,active_students,minutes\n"
                     "Lincoln Elementary,2026-01-05,84,6120\n"
                     "Hill Elementary,2026-01-06,84,60\n"
                     "Park Elementary,2025-12-29,-3,ten\n"
                     "\n"
                     "Park Elementary,2026-01-05,0,40\n"
                     "Lincoln Elementary,2026-01-05,80,6000\n")
    assert not result.ok and result.weeks == []
    assert [(p.row, p.message) for p in result.problems] == [
        (3, "“Hill Elementary” is not one of the pilot's schools (Lincoln Elementary, Park Elementary); "
            "the week 2026-01-06 is not a Monday (weeks start on Monday)"),
        (4, "the week 2025-12-29 is outside the pilot's implementation, 2026-01-05 to 2026-01-26; the minutes "
            "“ten” are not a number; the active students “-3” are not a whole number of zero or more"),
        (6, "40 minutes are reported for no active students"),
        (7, "line 2 already gives this school and week"),
    ]


def test_a_repeated_student_week_is_refused_by_line():
    result = checked("student,school,week,minutes\nS-1,Park Elementary,2026-01-05,30\n"
                     "s-1 ,Park Elementary,2026-01-05,10\n,Park Elementary,2026-01-05,5\n")
    assert [(p.row, p.message) for p in result.problems] == [
        (3, "line 2 already gives this student, school and week"), (4, "the student is missing")]


@pytest.mark.parametrize(("text", "message"), [
    ("school,week,minutes\nLincoln Elementary,2026-01-05,3\n", "has neither an active_students nor a student column"),
    ("student,school,week,active_students,minutes\nS-1,Lincoln Elementary,2026-01-05,1,3\n",
     "has both an active_students and a student column"),
    ("student,school,week,active_students,minutes\n", "has a header but no data rows"),
    ("school,active_students\nLincoln Elementary,3\n", "has no week and no minutes column"),
])
def test_a_file_that_cannot_be_read_as_a_whole_says_why(text, message):
    with pytest.raises(UploadFileError, match=message):
        checked(text)


def test_the_size_limits_are_checked_before_the_file_is_read():
    with pytest.raises(UploadFileError, match="a usage file can be at most 10.0 MB"):
        read_table(b"x" * (MAX_FILE_BYTES + 1), "huge.csv", what="a usage file")
    with pytest.raises(UploadFileError, match="huge.csv line 2, column student: a cell of"):
        read_table(b"student,school,week,minutes\n" + b"x" * 5000 + b",a,b,c\n", "huge.csv", what="a usage file")
