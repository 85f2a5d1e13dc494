"""The tables of the longitudinal store: Ed-Fi entity names, improvenet's bundle columns.

Each store table is filled from one file of the flat CSV bundle (docs/data.md), after validation
and pseudonymization: `student_id` and `staff_id` hold keyed pseudonyms, never the district's ids.
The loaders of the other formats (Ed-Fi XML, OneRoster, SDP) convert to the same bundle tables first,
so every format ends in the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "integer", "flag", "date", "decimal"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    """The store table (Ed-Fi entity name, snake case)."""
    bundle_file: str
    """The bundle file that fills it."""
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    """A re-load replaces the rows with the same natural key (loads are idempotent)."""
    required_in_bundle: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


SCHOOL_LEVELS = ("elementary", "middle", "high", "other")
EXIT_TYPES = (
    "transfer_in_district", "transfer_out_documented", "transfer_out_undocumented", "dropout",
    "graduated_regular", "graduated_other", "deceased", "emigrated",
)
ATTENDANCE_CATEGORIES = ("excused_absence", "unexcused_absence", "tardy", "early_departure")
ABSENCE_CATEGORIES = ("excused_absence", "unexcused_absence")
TERMS = ("S1", "S2")
SUBJECTS = ("english", "math", "science", "social_studies", "other")
MARKS = ("A", "B", "C", "D", "F")
CORE_SUBJECTS = ("english", "math", "science", "social_studies")
# Exit types that remove a student from a graduation cohort (docs/metrics.md).
COHORT_REMOVING_EXITS = ("transfer_out_documented", "emigrated", "deceased")

TABLES: tuple[Table, ...] = (
    Table("school", "schools.csv", (
        Column("school_id", "text"),
        Column("name", "text"),
        Column("lea_id", "text", description="The local education agency (district) id."),
        Column("level", "text", choices=SCHOOL_LEVELS),
    ), natural_key=("school_id",)),
    Table("student", "students.csv", (
        Column("student_id", "text", description="Pseudonym in the store; the district's id in the bundle."),
        Column("sex", "text", required=False, description="Empty when the source does not carry it."),
        Column("race_ethnicity", "text", required=False),
        Column("ell", "flag", required=False, description="English learner (0 or 1; empty when unknown)."),
        Column("sped", "flag", required=False, description="Special education (0 or 1)."),
        Column("frl", "flag", required=False, description="Free or reduced-price lunch (0 or 1)."),
    ), natural_key=("student_id",)),
    Table("calendar_date", "calendar.csv", (
        Column("school_id", "text"),
        Column("school_year", "integer", description="The calendar year in which the school year ends."),
        Column("date", "date", description="One instructional day."),
    ), natural_key=("school_id", "date")),
    Table("student_school_association", "enrollments.csv", (
        Column("student_id", "text"),
        Column("school_id", "text"),
        Column("school_year", "integer"),
        Column("grade_level", "integer", description="0 for kindergarten, 1 to 12."),
        Column("entry_date", "date"),
        Column("exit_date", "date", required=False, description="Empty: through the last instructional day."),
        Column("exit_type", "text", required=False, choices=EXIT_TYPES),
    ), natural_key=("student_id", "school_id", "entry_date")),
    Table("student_school_attendance_event", "attendance.csv", (
        Column("student_id", "text"),
        Column("school_id", "text"),
        Column("date", "date"),
        Column("category", "text", choices=ATTENDANCE_CATEGORIES),
    ), natural_key=("student_id", "school_id", "date", "category")),
    Table("course_mark", "course_marks.csv", (
        Column("student_id", "text"),
        Column("school_id", "text"),
        Column("school_year", "integer"),
        Column("term", "text", choices=TERMS),
        Column("subject", "text", choices=SUBJECTS),
        Column("credits_earned", "decimal"),
        Column("mark", "text", choices=MARKS),
    ), natural_key=("student_id", "school_id", "school_year", "term", "subject")),
    Table("staff_school_association", "staff_assignments.csv", (
        Column("staff_id", "text", description="Pseudonym in the store; the district's id in the bundle."),
        Column("school_id", "text"),
        Column("school_year", "integer"),
        Column("role", "text"),
    ), natural_key=("staff_id", "school_id", "school_year")),
    Table("student_assessment", "assessments.csv", (
        Column("student_id", "text"),
        Column("school_id", "text"),
        Column("school_year", "integer"),
        Column("assessment", "text"),
        Column("subject", "text"),
        Column("score", "decimal"),
        Column("date", "date", required=False),
    ), natural_key=("student_id", "assessment", "subject", "school_year"), required_in_bundle=False),
    # Optional: the class roster, which studies that assign classrooms need (docs/studies.md). A student sits in
    # several sections of a year (one per subject or period); a section is known by its school and its code.
    Table("student_section_association", "class_rosters.csv", (
        Column("student_id", "text"),
        Column("school_id", "text"),
        Column("school_year", "integer"),
        Column("section_id", "text", description="The district's code of the class section, unique in its school "
                                                 "and year."),
    ), natural_key=("student_id", "school_id", "school_year", "section_id"), required_in_bundle=False),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}
TABLES_BY_FILE = {table.bundle_file: table for table in TABLES}
# Columns holding a person's id: replaced by keyed pseudonyms on load.
PSEUDONYMIZED_COLUMNS = ("student_id", "staff_id")
# Store tables written by the store itself, not by a bundle file (docs/data.md): the students who opted out;
# encrypted direct identifiers, when the operator enables encryption; one row per load; the store's facts
# (the pseudonym key's check value, never the key).
OPT_OUT_TABLE = "student_opt_out"
IDENTITY_TABLE = "student_identity"
LOAD_LOG_TABLE = "load_log"
STORE_INFO_TABLE = "store_info"

# How each column type is kept in the store (DuckDB) and in Parquet: flags are 0/1 integers, as in the bundle.
STORE_TYPES: dict[ColumnType, str] = {
    "text": "VARCHAR", "integer": "INTEGER", "flag": "TINYINT", "date": "DATE", "decimal": "DOUBLE",
}
GRADE_LEVELS = range(0, 13)
# A long step reports (what it is doing, units done, units in all), e.g. ("attendance.csv", 3, 8).
Progress = Callable[[str, int, int], None]
