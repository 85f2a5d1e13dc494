"""All-or-nothing import of the district's roster of new teachers (CSV), inside the open cluster scope.

The file has a header row and one row per new teacher:

    staff_ref,hired_on,first_school,left_on
    RSD-T2001,2025-08-11,Riverside High School,
    RSD-T2002,2025-08-11,Lincoln Middle School,2026-06-12

`first_school` is a school of the cluster (by name, case and spaces ignored) or any other district school's
name; `left_on` is empty while they work in the district. A staff reference already recorded is updated
(for example with the day they left), a new one added. Every row is checked with the record's own rules
before anything is saved; any problem names its row (1 = the header) and column, and nothing is saved.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from improvenet.induction.models import NewTeacher
from improvenet.lib.limits import TooLarge, csv_rows
from improvenet.network.models import Cluster, School

COLUMNS = ("staff_ref", "hired_on", "first_school", "left_on")
REQUIRED = ("staff_ref", "hired_on", "first_school")
MAX_ROWS = 20_000
# A roster's cells are short (a staff reference, a date, a school's name): longer ones mean another file.
MAX_CELL_CHARS = 1_000
MAX_LINE_CHARS = 10_000


@dataclass
class RosterReport:
    added: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        return f"Imported the roster: {self.added} new teachers added, {self.updated} updated."


def _date(value: str, row: int, column: str, problems: list[str]) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(f"Row {row}, column {column}: “{value}” is not a date (write YYYY-MM-DD).")
        return None


def import_roster(cluster: Cluster, content: bytes) -> RosterReport:
    """Check every row, then save all of them or none (the caller wraps this in a transaction)."""
    report = RosterReport()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append("The file is not UTF-8 text: save it as “CSV UTF-8”.")
        return report
    lines = csv_rows(io.StringIO(text), "The roster", max_line=MAX_LINE_CHARS, max_cell=MAX_CELL_CHARS)
    rows = []
    try:
        header = [name.strip().lower() for name in next(lines, (1, []))[1]]
        for row, cells in lines:
            rows.append((row, dict(zip(header, cells, strict=False))))
    except TooLarge as error:
        report.problems.append(str(error))
        return report
    except csv.Error as error:
        report.problems.append(f"Row {len(rows) + 2}: the file cannot be read as CSV ({error}).")
        return report
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        report.problems.append(f"Row 1: the header lacks the column{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)} (expected {', '.join(COLUMNS)}).")
        return report
    schools = {school.name.strip().casefold(): school for school in School.objects.all()}
    existing = {teacher.staff_ref: teacher for teacher in NewTeacher.objects.all()}
    seen: dict[str, int] = {}
    records = []
    for number, (row, raw) in enumerate(rows, start=2):
        if number > MAX_ROWS:
            report.problems.append(f"The file has more than {MAX_ROWS - 1} rows; split it.")
            break
        values = {key: value.strip() for key, value in raw.items() if key}
        if any("\x00" in value for value in values.values()):
            report.problems.append(f"Row {row}: it contains a NUL character, which is not text; save the file "
                                   "again as “CSV UTF-8”.")
            continue
        ref = values.get("staff_ref", "")
        if ref and ref in seen:
            report.problems.append(f"Row {row}, column staff_ref: {ref} is also on row {seen[ref]}.")
            continue
        seen[ref] = row
        problems_before = len(report.problems)
        for column in REQUIRED:
            if not values.get(column):
                report.problems.append(f"Row {row}, column {column}: this column is empty.")
        teacher = existing.get(ref) or NewTeacher(cluster=cluster, staff_ref=ref)
        teacher.hired_on = _date(values.get("hired_on", ""), row, "hired_on", report.problems)
        teacher.left_on = _date(values.get("left_on", ""), row, "left_on", report.problems)
        school_name = values.get("first_school", "")
        teacher.first_school = schools.get(school_name.casefold())
        teacher.other_school = "" if teacher.first_school else school_name
        if len(report.problems) > problems_before:
            continue
        try:
            teacher.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = "first_school" if name in ("first_school", "other_school") else name
                report.problems.extend(f"Row {row}, column {column}: {m}" for m in messages)
            continue
        records.append(teacher)
    if report.problems:
        return report
    for teacher in records:
        if teacher.pk:
            report.updated += 1
        else:
            report.added += 1
        teacher.save()
    return report
