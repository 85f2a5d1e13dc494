"""Checking a company's usage file and adding it up per school and week, before anything is saved.

Pure Python (no Django). The file (CSV or XLSX, read by `measures.upload.read_table` within the size
limits of `lib/limits.py`) has a header row and either

- one row per school and week, counting the students who used the product:
  `school,week,active_students,minutes`, or
- one row per student and week, as companies' exports usually come: `student,school,week,minutes`;
  these are added up here, and the student identifiers go no further than this module: what
  leaves it is the number of students who used the product (more than zero minutes) and their
  minutes, per school and week.

`school` is the school's name, NCES id or state id; `week` the Monday the week starts on (YYYY-MM-DD).
Every row is checked and every bad row named by its line; the caller saves nothing while one is left.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from improvenet.measures.upload import (
    SCHOOL_COLUMNS,
    RowProblem,
    UploadFileError,
    comparable_text,
    first_present_column,
    parse_number,
    parse_period,
)

WEEK_COLUMNS = ("week", "week_start", "week_of", "period", "date")
MINUTES_COLUMNS = ("minutes", "minutes_used", "usage_minutes")
COUNT_COLUMNS = ("active_students", "students")
STUDENT_COLUMNS = ("student", "student_id")
HEADER_HELP = ("name school, week and minutes, with active_students (one row per school and week) or student "
               "(one row per student and week)")


@dataclass(frozen=True)
class UsageRules:
    """The schools of the pilot (a mapping from the ways a file names a school to its id, and each id to its
    name) and the weeks it may report: from `first_week` to `last_week`, both Mondays."""

    schools: Mapping[str, int]
    school_names: Mapping[int, str]
    first_week: datetime.date
    last_week: datetime.date


@dataclass(frozen=True)
class WeekUsage:
    school_id: int
    week: datetime.date
    active_students: int
    minutes: float


@dataclass
class CheckedUsage:
    weeks: list[WeekUsage] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    per_student: bool = False
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell if cell is not None else "").strip()


def check_usage(table: list[tuple[int, dict[str, object]]], rules: UsageRules) -> CheckedUsage:
    """Check every row of the file and add the good ones up per school and week."""
    if not table:
        raise UploadFileError("The file has a header but no data rows.")
    columns = set(table[0][1])
    school_col, week_col, minutes_col, count_col, student_col = (
        first_present_column(columns, names)
        for names in (SCHOOL_COLUMNS, WEEK_COLUMNS, MINUTES_COLUMNS, COUNT_COLUMNS, STUDENT_COLUMNS))
    missing = [name for name, column in (("school", school_col), ("week", week_col), ("minutes", minutes_col))
               if column is None]
    if missing:
        raise UploadFileError(f"The file has no {' and no '.join(missing)} column; the header row must {HEADER_HELP}.")
    if (count_col is None) == (student_col is None):
        which = "both an active_students and" if count_col else "neither an active_students nor"
        raise UploadFileError(f"The file has {which} a student column; the header row must {HEADER_HELP}.")
    checked = CheckedUsage(per_student=student_col is not None, rows_read=len(table))
    students: dict[tuple[int, datetime.date], int] = defaultdict(int)
    minutes: dict[tuple[int, datetime.date], float] = defaultdict(float)
    first_line: dict[tuple, int] = {}
    for line, cells in table:
        problems = []
        school_text = _cell_text(cells.get(school_col))
        school_id = rules.schools.get(comparable_text(school_text))
        if not school_text:
            problems.append("the school is missing")
        elif school_id is None:
            problems.append(f"“{school_text}” is not one of the pilot's schools "
                            f"({', '.join(sorted(rules.school_names.values()))})")
        week = parse_period(cells.get(week_col))
        if week is None:
            problems.append(f"the week “{_cell_text(cells.get(week_col))}” is not a date (YYYY-MM-DD)")
        elif week.weekday() != 0:
            problems.append(f"the week {week} is not a Monday (weeks start on Monday)")
        elif not rules.first_week <= week <= rules.last_week:
            problems.append(f"the week {week} is outside the pilot's implementation, "
                            f"{rules.first_week} to {rules.last_week}")
        used = parse_number(cells.get(minutes_col))
        if used is None:
            problems.append(f"the minutes “{_cell_text(cells.get(minutes_col))}” are not a number")
        elif used < 0:
            problems.append(f"the minutes {used:g} are negative")
        if checked.per_student:
            who = _cell_text(cells.get(student_col))
            if not who:
                problems.append("the student is missing")
            key = ("student", comparable_text(who), school_id, week)
            count = 1 if used and used > 0 else 0
        else:
            number = parse_number(cells.get(count_col))
            if number is None or number < 0 or not number.is_integer():
                problems.append(f"the active students “{_cell_text(cells.get(count_col))}” are not a whole number "
                                "of zero or more")
                count = 0
            else:
                count = int(number)
                if count == 0 and used:
                    problems.append(f"{used:g} minutes are reported for no active students")
            key = ("school", school_id, week)
        if not problems:
            first = first_line.setdefault(key, line)
            if first != line:
                what = "this student, school and week" if checked.per_student else "this school and week"
                problems.append(f"line {first} already gives {what}")
        if problems:
            checked.problems.append(RowProblem(line, "; ".join(problems)))
            continue
        students[(school_id, week)] += count
        minutes[(school_id, week)] += used
    if not checked.problems:
        checked.weeks = [WeekUsage(school_id, week, students[(school_id, week)], minutes[(school_id, week)])
                         for school_id, week in sorted(students)]
    return checked
