"""The flat CSV bundle reader: every problem is named with its file, line and column, and nothing passes unchecked."""

import datetime

import pyarrow as pa
import pytest

from improvenet.analytics.bundle import MAX_ISSUES, BundleError, read_bundle, validate_tables, write_bundle
from improvenet.analytics.schema import TABLES_BY_NAME


def replace_line(folder, file, line, text):
    """Replace CSV line `line` (1 = header) of `file`, or append `text` when `line` is None."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    if line is None:
        lines.append(text)
    else:
        lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bundle_error(folder) -> BundleError:
    with pytest.raises(BundleError) as caught:
        read_bundle(folder)
    return caught.value


def test_the_tiny_bundle_reads_into_typed_tables(tiny_bundle):
    bundle = read_bundle(tiny_bundle)

    assert bundle.row_counts() == {
        "school": 3, "student": 4, "calendar_date": 9, "student_school_association": 5,
        "student_school_attendance_event": 3, "course_mark": 3, "staff_school_association": 3,
        "student_assessment": 2, "student_section_association": 3,
    }
    enrollments = bundle.tables["student_school_association"].to_pylist()
    assert enrollments[0] == {
        "student_id": "DIST-000101", "school_id": "E100", "school_year": 2024, "grade_level": 0,
        "entry_date": datetime.date(2023, 9, 5), "exit_date": None, "exit_type": None,
    }
    assert enrollments[1]["exit_type"] == "transfer_in_district"
    assert bundle.tables["student"].schema.field("ell").type == pa.int8()
    assert bundle.tables["course_mark"].column("credits_earned").to_pylist() == [0.0, 0.5, 0.0]


def test_the_assessments_file_is_optional(tiny_bundle):
    (tiny_bundle / "assessments.csv").unlink()

    bundle = read_bundle(tiny_bundle)

    assert bundle.tables["student_assessment"].num_rows == 0
    assert bundle.tables["student_assessment"].column_names == list(TABLES_BY_NAME["student_assessment"].column_names)


def test_the_class_roster_is_optional_and_checked_when_given(tiny_bundle):
    assert read_bundle(tiny_bundle).tables["student_section_association"].column("section_id").to_pylist() == [
        "K-1", "ENG9-2", "MATH9-1"]
    replace_line(tiny_bundle, "class_rosters.csv", None, "DIST-000999,H300,2024,ENG9-2")
    assert "class_rosters.csv, line 5, column student_id: this student_id is not in students.csv" in str(
        bundle_error(tiny_bundle))
    (tiny_bundle / "class_rosters.csv").unlink()

    bundle = read_bundle(tiny_bundle)

    assert bundle.tables["student_section_association"].num_rows == 0
    assert bundle.tables["student_section_association"].column_names == [
        "student_id", "school_id", "school_year", "section_id"]


def test_values_are_trimmed_and_a_byte_order_mark_is_accepted(tiny_bundle):
    path = tiny_bundle / "schools.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    replace_line(tiny_bundle, "schools.csv", 2, "E100 , Maple Elementary School,LEA1, elementary")

    school = read_bundle(tiny_bundle).tables["school"].to_pylist()[0]

    assert school == {"school_id": "E100", "name": "Maple Elementary School", "lea_id": "LEA1",
                      "level": "elementary"}


def test_a_missing_file_is_named_with_its_columns(tiny_bundle):
    (tiny_bundle / "calendar.csv").unlink()

    error = bundle_error(tiny_bundle)

    assert "calendar.csv: is missing: the bundle needs it, with the columns school_id, school_year, date" in str(error)


def test_a_folder_that_does_not_exist(tmp_path):
    error = bundle_error(tmp_path / "nowhere")

    assert "is not a folder holding the bundle's CSV files" in str(error)


def test_an_empty_file(tiny_bundle):
    (tiny_bundle / "students.csv").write_bytes(b"")

    assert "students.csv: is empty: it needs a header line" in str(bundle_error(tiny_bundle))


def test_missing_and_unexpected_columns(tiny_bundle):
    replace_line(tiny_bundle, "students.csv", 1, "student_id,gender,race_ethnicity,ell,sped,frl")

    error = bundle_error(tiny_bundle)

    assert error.issues[0].file == "students.csv"
    assert error.issues[0].line == 1
    assert "missing column(s) sex; unexpected column(s) gender" in error.issues[0].message


def test_a_file_that_is_not_utf8_names_the_line(tiny_bundle):
    path = tiny_bundle / "schools.csv"
    path.write_bytes(path.read_bytes().replace(b"Cedar", b"C\xe9dar"))

    error = bundle_error(tiny_bundle)

    assert str(error.issues[0]) == "schools.csv, line 3: is not UTF-8 text: save the file as UTF-8"


def test_a_row_with_too_few_values_names_its_line(tiny_bundle):
    replace_line(tiny_bundle, "attendance.csv", 3, "DIST-000101,E100,2024-01-08")

    error = bundle_error(tiny_bundle)

    assert str(error.issues[0]) == "attendance.csv, line 3: has 3 values where the header has 4"


@pytest.mark.parametrize(("file", "line", "text", "column", "message"), [
    ("schools.csv", 3, "M200,,LEA1,middle", "name", "is empty: a value is required"),
    ("students.csv", 4, "DIST-000103,female,black,2,0,1", "ell", '"2" is not a flag: write 0 or 1'),
    ("calendar.csv", 2, "E100,2024.0,2023-09-05", "school_year", '"2024.0" is not a whole number'),
    ("calendar.csv", 2, "E100,24,2023-09-05", "school_year", '"24" is not a school year'),
    ("calendar.csv", 3, "E100,2024,2023-09-31", "date", '"2023-09-31" is not a date written YYYY-MM-DD'),
    ("calendar.csv", 3, "E100,2024,09/06/2023", "date", '"09/06/2023" is not a date written YYYY-MM-DD'),
    ("calendar.csv", 4, "E100,2024,2024-07-01", "date",
     "2024-07-01 is not in school year 2024 (July 2023 to June 2024)"),
    ("enrollments.csv", 2, "DIST-000101,E100,2024,13,2023-09-05,,", "grade_level",
     '"13" is not a grade: 0 (kindergarten) to 12'),
    ("enrollments.csv", 3, "DIST-000102,M200,2024,7,2023-09-05,2023-09-01,transfer_in_district", "exit_date",
     "2023-09-01 is before the entry_date 2023-09-05"),
    ("enrollments.csv", 4, "DIST-000102,H300,2024,9,2024-01-08,,dropout", "exit_type",
     "an exit_type needs an exit_date"),
    ("enrollments.csv", 5, "DIST-000103,H300,2024,12,2023-09-05,2024-01-08,graduated", "exit_type",
     '"graduated" is not one of: transfer_in_district'),
    ("attendance.csv", 2, "DIST-000101,E100,2023-09-06,absent", "category",
     '"absent" is not one of: excused_absence, unexcused_absence, tardy, early_departure'),
    ("attendance.csv", 3, "DIST-000101,E999,2024-01-08,unexcused_absence", "school_id",
     '"E999" is not in schools.csv'),
    ("course_marks.csv", 2, "DIST-999999,M200,2024,S1,math,0,B", "student_id",
     "this student_id is not in students.csv"),
    ("course_marks.csv", 3, "DIST-000103,H300,2024,S1,english,\"0,5\",A", "credits_earned",
     '"0,5" is not a number (write a dot for decimals)'),
    ("course_marks.csv", 4, "DIST-000103,H300,2024,S1,math,-0.5,F", "credits_earned", '"-0.5" is negative'),
    ("course_marks.csv", 4, "DIST-000103,H300,2024,S3,math,0,F", "term", '"S3" is not one of: S1, S2'),
    ("staff_assignments.csv", 2, "EMP-7001,X1,2024,teacher", "school_id", '"X1" is not in schools.csv'),
    ("schools.csv", 2, "E100,\"Maple\nElementary\",LEA1,elementary", "name",
     "a value spans lines: remove the line break"),
])
def test_each_bad_value_is_named_with_its_file_line_and_column(tiny_bundle, file, line, text, column, message):
    replace_line(tiny_bundle, file, line, text)

    error = bundle_error(tiny_bundle)

    assert error.total == 1, str(error)
    assert (error.issues[0].file, error.issues[0].line, error.issues[0].column) == (file, line, column)
    assert message in error.issues[0].message
    assert f"{file}, line {line}, column {column}: {message}" in str(error)


def test_a_district_id_is_never_quoted_in_a_message(tiny_bundle):
    replace_line(tiny_bundle, "course_marks.csv", 2, "DIST-999999,M200,2024,S1,math,0,B")
    replace_line(tiny_bundle, "attendance.csv", 2, "DIST-888888,E100,2023-09-06,unexcused_absence")

    error = bundle_error(tiny_bundle)

    assert error.total == 2
    assert "DIST-999999" not in str(error) and "DIST-888888" not in str(error)
    assert "course_marks.csv, line 2, column student_id: this student_id is not in students.csv" in str(error)


def test_a_number_too_large_for_the_store_is_refused(tiny_bundle):
    replace_line(tiny_bundle, "course_marks.csv", 2, "DIST-000102,M200,2024,S1,math," + "9" * 400 + ",B")
    replace_line(tiny_bundle, "calendar.csv", 2, "E100," + "9" * 30 + ",2023-09-05")

    error = bundle_error(tiny_bundle)

    assert [(issue.file, issue.line, issue.column) for issue in error.issues] == [
        ("calendar.csv", 2, "school_year"), ("course_marks.csv", 2, "credits_earned")]
    assert "is too large a number" in error.issues[1].message


def test_a_repeated_natural_key_names_the_first_line(tiny_bundle):
    replace_line(tiny_bundle, "attendance.csv", None, "DIST-000101,E100,2023-09-06,excused_absence")

    error = bundle_error(tiny_bundle)

    assert str(error.issues[0]) == (
        "attendance.csv, line 5: repeats line 2: the same student_id, school_id, date, category")


def test_the_same_day_in_another_category_is_not_a_repeat(tiny_bundle):
    replace_line(tiny_bundle, "attendance.csv", None, "DIST-000103,H300,2023-09-06,early_departure")

    assert read_bundle(tiny_bundle).tables["student_school_attendance_event"].num_rows == 4


def test_every_problem_is_counted_and_the_first_ones_listed(tiny_bundle):
    rows = [f"DIST-000101,E100,2023-09-{day:02d},nope" for day in range(1, 31)] * 10
    (tiny_bundle / "attendance.csv").write_text(
        "student_id,school_id,date,category\n" + "\n".join(rows) + "\n", encoding="utf-8")
    replace_line(tiny_bundle, "students.csv", 2, "DIST-000101,female,hispanic,yes,0,1")

    error = bundle_error(tiny_bundle)

    # 300 bad categories, 270 repeated keys, 1 bad flag.
    assert error.total == 571
    assert len(error.issues) == MAX_ISSUES
    assert error.issues[0].file == "students.csv"
    assert str(error).splitlines()[0].startswith(f"The bundle {tiny_bundle} has 571 problems; nothing was loaded.")
    assert str(error).splitlines()[-1] == f"  ... and {571 - MAX_ISSUES} more."


def test_tables_in_memory_are_checked_like_files(tiny_bundle):
    bundle = read_bundle(tiny_bundle)
    text = {name: pa.table({c: table.column(c).cast(pa.string()) for c in table.column_names})
            for name, table in bundle.tables.items()}
    grades = text["student_school_association"].column("grade_level").to_pylist()
    grades[2] = "14"
    text["student_school_association"] = text["student_school_association"].set_column(
        3, "grade_level", pa.array(grades))

    with pytest.raises(BundleError) as caught:
        validate_tables(text, "ed-fi export")

    assert str(caught.value.issues[0]) == (
        "enrollments.csv, line 4, column grade_level: \"14\" is not a grade: 0 (kindergarten) to 12")


def test_a_written_bundle_reads_back_the_same(tiny_bundle, tmp_path):
    bundle = read_bundle(tiny_bundle)

    write_bundle(bundle.tables, tmp_path / "copy")

    assert read_bundle(tmp_path / "copy").tables == bundle.tables
