"""Strategic Data Project (Harvard CEPR) flat files to the bundle tables.

The SDP college-going toolkit's inputs: Student_Attributes (sid, school_year, race_ethnicity),
Student_School_Year (sid, school_year, grade_level, frpl), Student_School_Enrollment (sid, school_year,
school_code, enrollment_date, withdrawal_date as m/d/yyyy) and optionally Student_Test_Scores. A file may
carry a suffix before .csv (Student_Attributes.subset.csv). The files name no district, no school names,
no exit codes, no attendance and no staff.
"""

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from improvenet.analytics.formats.common import (
    ConversionError,
    ConvertedBundle,
    empty_rows,
    finish,
    flag,
    level_from_grades,
)

FORMAT = "sdp"
LEA_ID = "SDP"
FILES = {
    "attributes": ("Student_Attributes", ("sid", "school_year", "race_ethnicity")),
    "school_year": ("Student_School_Year", ("sid", "school_year", "grade_level", "frpl")),
    "enrollment": ("Student_School_Enrollment", ("sid", "school_year", "school_code", "enrollment_date",
                                                 "withdrawal_date")),
}
TEST_FILE = ("Student_Test_Scores", ("sid", "school_year", "test_subject", "scaled_score"))
RACES = {"A": "asian", "B": "black", "H": "hispanic", "W": "white", "M/O": "multiple_or_other",
         "N": "american_indian_alaska_native", "P": "pacific_islander"}
# Stata's missing-value markers as the toolkit exports them.
MISSING = {"", ".", "NA", "././."}
FRL_CODES = {"F": True, "R": True, "N": False}


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def find_file(folder: Path, stem: str) -> Path | None:
    matches = sorted(folder.glob(f"{stem}*.csv"))
    return matches[0] if matches else None


class _Conversion:
    def __init__(self, folder: Path):
        self.folder = folder
        self.rows = empty_rows()
        self.errors: list[ConversionError] = []
        self.notes: list[str] = []

    def error(self, row: Row, message: str) -> None:
        self.errors.append(ConversionError(row.file, row.line, message))

    def read(self, stem: str, columns: tuple[str, ...], required: bool = True) -> list[Row]:
        path = find_file(self.folder, stem)
        if path is None:
            if required:
                self.errors.append(ConversionError(f"{stem}.csv", None, "the file is missing"))
            return []
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                self.errors.append(ConversionError(path.name, 1, f"the header lacks {', '.join(missing)}"))
                return []
            return [Row(path.name, reader.line_num, values) for values in reader]

    def integer(self, row: Row, column: str) -> int | None:
        try:
            return int(row[column])
        except ValueError:
            self.error(row, f"{column} {row[column]!r} is not a whole number")
            return None

    def parse_date(self, row: Row, column: str) -> date | None:
        try:
            return datetime.strptime(row[column], "%m/%d/%Y").date()
        except ValueError:
            self.error(row, f"{column} {row[column]!r} is not a date (m/d/yyyy)")
            return None

    def convert(self) -> ConvertedBundle:
        tables = {name: self.read(stem, columns) for name, (stem, columns) in FILES.items()}
        if self.errors:
            return finish(FORMAT, self.rows, {}, self.errors, self.notes)
        grades = self.grades(tables["school_year"])
        self.students(tables["attributes"], tables["school_year"])
        enrolled = self.enrollments(tables["enrollment"], grades)
        self.assessments(self.read(*TEST_FILE, required=False), enrolled)
        self.notes.append("SDP files carry no exit codes (exit_type is empty), no attendance, course marks or staff, "
                          f"no district (lea_id is {LEA_ID!r}) and no school names (\"School <code>\").")
        return finish(FORMAT, self.rows, {}, self.errors, self.notes)

    def grades(self, rows: list[Row]) -> dict[tuple[str, int], int]:
        """Each student's grade per school year; a year with two grades (promoted mid-year) keeps the higher."""
        found: dict[tuple[str, int], int] = {}
        two = 0
        for row in rows:
            year, grade = self.integer(row, "school_year"), self.integer(row, "grade_level")
            if year is None or grade is None:
                continue
            if not 0 <= grade <= 12:
                self.error(row, f"grade_level {grade} is outside 0 (kindergarten) to 12")
                continue
            key = (row["sid"], year)
            two += key in found
            found[key] = max(grade, found.get(key, grade))
        if two:
            self.notes.append(f"{two} student school years list two grades: the higher one is kept.")
        return found

    def students(self, attributes: list[Row], school_years: list[Row]) -> None:
        races: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row in attributes:
            year = self.integer(row, "school_year")
            code = row["race_ethnicity"]
            if code in MISSING or year is None:
                continue
            if code not in RACES:
                self.error(row, f"race_ethnicity {code!r} is not one of {', '.join(RACES)}")
                continue
            races[row["sid"]].append((year, RACES[code]))
        frl: dict[str, bool] = defaultdict(bool)
        for row in school_years:
            code = row["frpl"]
            if code in MISSING:
                continue
            if code not in FRL_CODES:
                self.error(row, f"frpl {code!r} is not F (free), R (reduced) or N (neither)")
                continue
            frl[row["sid"]] |= FRL_CODES[code]
        inconsistent = 0
        for student_id in sorted({row["sid"] for row in attributes} | set(frl)):
            reported = races.get(student_id, [])
            inconsistent += len({race for _, race in reported}) > 1
            self.rows["student"].add(student_id=student_id, sex="", race_ethnicity=self.modal_race(reported),
                                     ell="", sped="", frl=flag(frl[student_id]))
        if inconsistent:
            self.notes.append(f"{inconsistent} students are reported with different races in different years: the "
                              "most frequent one is kept (the latest among equally frequent ones).")
        self.notes.append("frl is 1 for a student eligible for free or reduced-price lunch in any year; SDP carries "
                          "no sex, English learner or special education status (empty).")

    @staticmethod
    def modal_race(reported: list[tuple[int, str]]) -> str:
        if not reported:
            return ""
        counts = Counter(race for _, race in reported)
        latest = {race: year for year, race in sorted(reported)}
        return max(counts, key=lambda race: (counts[race], latest[race]))

    def enrollments(self, rows: list[Row], grades: dict[tuple[str, int], int]) -> dict[tuple[str, int], str]:
        """Add the enrollments; return each student's school per year (the latest entry's)."""
        kept = []
        missing, no_grade = 0, 0
        for row in rows:
            if row["school_code"] in MISSING or row["enrollment_date"] in MISSING:
                missing += 1
                continue
            year = self.integer(row, "school_year")
            entry = self.parse_date(row, "enrollment_date")
            withdrawal = None if row["withdrawal_date"] in MISSING else self.parse_date(row, "withdrawal_date")
            if year is None or entry is None:
                continue
            if (row["sid"], year) not in grades:
                no_grade += 1
                continue
            kept.append((row, year, entry, withdrawal))
        kept, repeated = self.one_row_per_stint(kept)
        if repeated:
            self.notes.append(f"{repeated} enrollment rows repeated a stint already listed (same student, school and "
                              "enrollment date) with another withdrawal date: the stint keeps its latest withdrawal.")
        # The last withdrawal date of a school's year is its year end, not an exit.
        year_ends: dict[tuple[str, int], date] = {}
        for row, year, _, withdrawal in kept:
            if withdrawal:
                key = (row["school_code"], year)
                year_ends[key] = max(withdrawal, year_ends.get(key, withdrawal))
        schools: dict[str, list[int]] = defaultdict(list)
        school_of: dict[tuple[str, int], tuple[date, str]] = {}
        for row, year, entry, withdrawal in kept:
            school = row["school_code"]
            grade = grades[(row["sid"], year)]
            schools[school].append(grade)
            exits = withdrawal and withdrawal < year_ends[(school, year)]
            self.rows["student_school_association"].add(
                student_id=row["sid"], school_id=school, school_year=year, grade_level=grade,
                entry_date=entry.isoformat(), exit_date=withdrawal.isoformat() if exits else "")
            if school_of.get((row["sid"], year), (date.min, ""))[0] <= entry:
                school_of[(row["sid"], year)] = (entry, school)
        for school in sorted(schools, key=lambda code: (len(code), code)):
            self.rows["school"].add(school_id=school, name=f"School {school}", lea_id=LEA_ID,
                                    level=level_from_grades(schools[school]))
        if missing:
            self.notes.append(f"{missing} enrollment rows without a school code or dates (Stata missing values) were "
                              "left out.")
        if no_grade:
            self.notes.append(f"{no_grade} enrollment rows were left out: Student_School_Year gives no grade for "
                              "that student and year.")
        self.notes.append("A withdrawal date is an exit only when it comes before the school's last withdrawal date "
                          "that year (the year end as the data show it). A school's level is the grade band of at "
                          "least 90% of its enrollments, else other.")
        return {key: school for key, (_, school) in school_of.items()}

    @staticmethod
    def one_row_per_stint(kept: list) -> tuple[list, int]:
        """One row per (student, school, enrollment date), the latest withdrawal winning (none is latest)."""
        stints: dict[tuple[str, str, date], tuple] = {}
        for item in kept:
            row, _, entry, withdrawal = item
            key = (row["sid"], row["school_code"], entry)
            current = stints.get(key)
            if current is None or (current[3] is not None and (withdrawal is None or withdrawal > current[3])):
                stints[key] = item
        return list(stints.values()), len(kept) - len(stints)

    def assessments(self, rows: list[Row], enrolled: dict[tuple[str, int], str]) -> None:
        no_school = 0
        for row in rows:
            year = self.integer(row, "school_year")
            if year is None or row["scaled_score"] in MISSING:
                continue
            try:
                score = float(row["scaled_score"])
            except ValueError:
                self.error(row, f"scaled_score {row['scaled_score']!r} is not a number")
                continue
            school = enrolled.get((row["sid"], year))
            if school is None:
                no_school += 1
                continue
            self.rows["student_assessment"].add(
                student_id=row["sid"], school_id=school, school_year=year, assessment="SDP state test",
                subject=f"test subject {row['test_subject']}", score=f"{score:g}")
        if rows:
            self.notes.append("Test subjects are kept as the files code them (test subject 1, 2): the files do not "
                              "say which is mathematics and which English; scores are the scaled scores.")
        if no_school:
            self.notes.append(f"{no_school} test scores were left out: no enrollment that year names the school.")


def convert(folder: Path | str) -> ConvertedBundle:
    """Convert a folder of SDP college-going toolkit CSV files."""
    return _Conversion(Path(folder)).convert()
