"""Ed-Fi bulk XML converter on the Grand Bend sample (tests/fixtures/analytics/edfi_grand_bend/)."""

import shutil
from collections import Counter

import pytest

from improvenet.analytics.formats import edfi
from improvenet.analytics.formats.common import ConversionError
from improvenet.analytics.schema import TABLES

from .format_checks import FIXTURES, assert_valid, row_of, rows

SAMPLE = FIXTURES / "edfi_grand_bend"


@pytest.fixture(scope="module")
def converted():
    return edfi.convert(SAMPLE)


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "edfi"
    shutil.copytree(SAMPLE, target)
    return target


def replace_in(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path, needle, occurrence=1):
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def test_counts_of_every_table(converted):
    assert converted.errors == []
    assert converted.row_counts() == {
        "school": 3, "student": 45, "calendar_date": 2, "student_school_association": 32,
        "student_school_attendance_event": 191, "course_mark": 0, "staff_school_association": 55,
        "student_assessment": 16,
        "student_section_association": 0,  # the converter writes no class roster
    }


def test_tables_have_exactly_the_schema_columns_as_text(converted):
    for table in TABLES:
        arrow = converted.tables[table.name]
        assert tuple(arrow.column_names) == table.column_names
        assert all(str(field.type) == "string" for field in arrow.schema)


def test_the_bundle_validation_accepts_the_rows(converted):
    assert_valid(converted)


def test_schools_with_district_from_the_reference_and_level_from_the_category(converted):
    assert row_of(converted, "school", school_id="255901001") == {
        "school_id": "255901001", "name": "Grand Bend High School", "lea_id": "255901", "level": "high"}
    assert row_of(converted, "school", school_id="255901044")["level"] == "middle"
    assert row_of(converted, "school", school_id="255901107")["level"] == "elementary"


def test_level_from_grade_levels_when_no_category(copy):
    replace_in(copy / "EducationOrganization.xml",
               "<SchoolCategory>uri://ed-fi.org/SchoolCategoryDescriptor#Middle School</SchoolCategory>", "")
    assert row_of(edfi.convert(copy), "school", school_id="255901044")["level"] == "middle"


def test_calendar_keeps_instructional_days_with_the_calendar_school_year(converted):
    assert rows(converted, "calendar_date") == [
        {"school_id": "255901107", "school_year": "2022", "date": "2021-08-23"},
        {"school_id": "255901107", "school_year": "2022", "date": "2021-12-17"},
    ]
    assert any("507 instructional days" in note for note in converted.notes)


def test_students_identities_and_program_flags(converted):
    assert converted.identities["604837"] == {"given_name": "Glenn", "family_name": "Gross",
                                              "birth_date": "2012-12-19"}
    assert "Glenn" not in str(rows(converted, "student"))
    # StudentProgram.subset.xml: 604967 Bilingual, 605126 Special Education, 605064 School Food Service.
    assert row_of(converted, "student", student_id="604967")["ell"] == "1"
    assert row_of(converted, "student", student_id="605126")["sped"] == "1"
    assert row_of(converted, "student", student_id="605064")["frl"] == "1"
    assert row_of(converted, "student", student_id="604856") == {
        "student_id": "604856", "sex": "", "race_ethnicity": "", "ell": "0", "sped": "0", "frl": "0"}
    flags = Counter(tuple(row[f] for f in ("ell", "sped", "frl")) for row in rows(converted, "student"))
    assert sum(n for key, n in flags.items() if key[0] == "1") == 4
    assert sum(n for key, n in flags.items() if key[1] == "1") == 4
    assert sum(n for key, n in flags.items() if key[2] == "1") == 6
    assert any("no StudentEducationOrganizationAssociation" in note for note in converted.notes)


def test_enrollments_from_the_6_1_0_file_with_grades_mapped(converted):
    assert row_of(converted, "student_school_association", student_id="605675") == {
        "student_id": "605675", "school_id": "255901107", "school_year": "2022", "grade_level": "5",
        "entry_date": "2021-08-23", "exit_date": "", "exit_type": ""}
    assert {row["grade_level"] for row in rows(converted, "student_school_association")} == {"5"}


def test_attendance_categories_mapped(converted):
    categories = Counter(row["category"] for row in rows(converted, "student_school_attendance_event"))
    assert categories == {"excused_absence": 131, "unexcused_absence": 59, "tardy": 1}
    assert rows(converted, "student_school_attendance_event")[0] == {
        "student_id": "604837", "school_id": "255901107", "date": "2021-08-27", "category": "excused_absence"}


def test_staff_placed_in_the_school_years_of_their_assignment(converted):
    assert row_of(converted, "staff_school_association", staff_id="207219") == {
        "staff_id": "207219", "school_id": "255901107", "school_year": "2022", "role": "teacher"}
    # 207256's assignment at the middle school begins 2022-09-16, after the 2021-2022 sessions.
    assert not [row for row in rows(converted, "staff_school_association") if row["staff_id"] == "207256"]
    assert any("1 staff school associations were left out" in note for note in converted.notes)


def test_assessment_prefers_the_vertical_score_and_takes_the_school_of_the_enrollment(converted):
    assert row_of(converted, "student_assessment", student_id="604967",
                  assessment="SA-2011-Mathematics-Fifth grade") == {
        "student_id": "604967", "school_id": "255901107", "school_year": "2022",
        "assessment": "SA-2011-Mathematics-Fifth grade", "subject": "math", "score": "691", "date": "2021-04-01"}
    assert {row["subject"] for row in rows(converted, "student_assessment")} == {"math", "english"}


def test_exit_withdraw_type_mapped(copy):
    path = copy / "StudentEnrollment.excerpt.xml"
    replace_in(path, "<EntryDate>2021-08-23</EntryDate>",
               "<EntryDate>2021-08-23</EntryDate><ExitWithdrawDate>2022-02-01</ExitWithdrawDate>"
               "<ExitWithdrawType>uri://ed-fi.org/ExitWithdrawTypeDescriptor#Transferred to a public school in a "
               "different local education agency in the same state</ExitWithdrawType>")
    enrollment = row_of(edfi.convert(copy), "student_school_association", student_id="605675")
    assert (enrollment["exit_date"], enrollment["exit_type"]) == ("2022-02-01", "transfer_out_documented")


@pytest.mark.parametrize(("value", "expected"), [
    ("Student is in a different public school in the same local education agency", "transfer_in_district"),
    ("Transferred to a school outside of the country", "emigrated"),
    ("Graduated with regular, advanced, International Baccalaureate, or other type of diploma", "graduated_regular"),
    ("Completed school with other credentials", "graduated_other"),
    ("Died or is permanently incapacitated", "deceased"),
    ("Discontinued schooling", "dropout"),
    ("Expelled or involuntarily withdrawn", "dropout"),
    ("Not enrolled, unknown status", "transfer_out_undocumented"),
    ("Transferred to home schooling", "transfer_out_documented"),
    ("Lunar colony", None),
])
def test_exit_type_rules(value, expected):
    assert edfi.exit_type_for(value) == expected


def test_unmapped_exit_type_is_an_error_with_file_and_line(copy):
    path = copy / "StudentEnrollment.excerpt.xml"
    replace_in(path, "<EntryDate>2021-08-23</EntryDate>",
               "<EntryDate>2021-08-23</EntryDate><ExitWithdrawDate>2022-02-01</ExitWithdrawDate>"
               "<ExitWithdrawType>uri://x.org/ExitWithdrawTypeDescriptor#Lunar colony</ExitWithdrawType>")
    errors = edfi.convert(copy).errors
    assert errors == [ConversionError("StudentEnrollment.excerpt.xml", 3,
                                      "exit type 'Lunar colony' has no mapping to the store's exit types")]


def test_unknown_attendance_category_and_grade_are_errors_with_lines(copy):
    attendance = copy / "StudentSchoolAttendance.subset.xml"
    replace_in(attendance, "AttendanceEventCategoryDescriptor#Tardy", "AttendanceEventCategoryDescriptor#Sleepy")
    lines = attendance.read_text(encoding="utf-8").splitlines()
    record_line = max(n for n in range(1, line_of(attendance, "#Sleepy"))
                      if "<StudentSchoolAttendanceEvent>" in lines[n - 1])
    enrollment = copy / "StudentEnrollment.excerpt.xml"
    replace_in(enrollment, "GradeLevelDescriptor#Fifth grade</EntryGradeLevel>",
               "GradeLevelDescriptor#Grade Five</EntryGradeLevel>")
    errors = edfi.convert(copy).errors
    assert ConversionError("StudentSchoolAttendance.subset.xml", record_line,
                           "attendance category 'Sleepy' is not one of Excused Absence, Unexcused Absence, Tardy, "
                           "Early Departure") in errors
    assert ConversionError("StudentEnrollment.excerpt.xml", 3, "grade level 'Grade Five' is not an Ed-Fi grade "
                           "from Kindergarten to Twelfth grade") in errors


def test_malformed_xml_names_file_and_line(copy):
    path = copy / "Student.subset.xml"
    broken_line = line_of(path, "<FirstName>Morris</FirstName>")
    replace_in(path, "<FirstName>Morris</FirstName>", "<FirstName>Morris</Name>")
    errors = edfi.convert(copy).errors
    assert len(errors) == 1
    assert (errors[0].file, errors[0].line) == ("Student.subset.xml", broken_line)
    assert "not well formed" in errors[0].message


def test_a_bad_date_is_an_error(copy):
    replace_in(copy / "StudentSchoolAttendance.subset.xml", "<EventDate>2021-08-27</EventDate>",
               "<EventDate>27/08/2021</EventDate>")
    errors = edfi.convert(copy).errors
    assert len(errors) == 1 and errors[0].file == "StudentSchoolAttendance.subset.xml"
    assert errors[0].message == "EventDate '27/08/2021' is not a date (YYYY-MM-DD)"


def test_non_interchange_xml_is_skipped_with_a_note(copy):
    (copy / "notes.xml").write_text("<notes><note>hello</note></notes>", encoding="utf-8")
    converted = edfi.convert(copy)
    assert converted.errors == []
    assert "notes.xml was skipped: its root element is not an Ed-Fi Interchange." in converted.notes


def test_sex_and_race_from_student_education_organization_associations(copy):
    def association(student_id, inner):
        return (f"<StudentEducationOrganizationAssociation><StudentReference><StudentIdentity><StudentUniqueId>"
                f"{student_id}</StudentUniqueId></StudentIdentity></StudentReference>{inner}"
                "</StudentEducationOrganizationAssociation>")

    (copy / "StudentEdOrg.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<InterchangeStudentEnrollment xmlns="http://ed-fi.org/6.1.0">\n'
        + association("604837", "<Sex>uri://ed-fi.org/SexDescriptor#Male</Sex>"
                                "<HispanicLatinoEthnicity>false</HispanicLatinoEthnicity>"
                                "<Race>uri://ed-fi.org/RaceDescriptor#White</Race>"
                                "<Race>uri://ed-fi.org/RaceDescriptor#Asian</Race>") + "\n"
        + association("604856", "<Sex>uri://ed-fi.org/SexDescriptor#Female</Sex>"
                                "<HispanicLatinoEthnicity>true</HispanicLatinoEthnicity>") + "\n"
        + association("604871", "<Sex>uri://ed-fi.org/SexDescriptor#Robot</Sex>") + "\n"
        + "</InterchangeStudentEnrollment>\n", encoding="utf-8")
    converted = edfi.convert(copy)
    assert row_of(converted, "student", student_id="604837")["race_ethnicity"] == "two_or_more"
    assert row_of(converted, "student", student_id="604837")["sex"] == "male"
    assert (row_of(converted, "student", student_id="604856")["sex"],
            row_of(converted, "student", student_id="604856")["race_ethnicity"]) == ("female", "hispanic")
    assert converted.errors == [ConversionError("StudentEdOrg.xml", 5, "sex 'Robot' is not one of female, male, "
                                                "not selected")]
