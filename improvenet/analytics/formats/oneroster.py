"""OneRoster 1.1 CSV (and Microsoft School Data Sync v2.1 CSV) to the bundle tables.

OneRoster is a rostering standard: it says who belongs to which school and class, not attendance,
marks, programs or why a student left. It fills school, student (sex, race/ethnicity), staff school
associations, student school associations and, from OneRoster 1.1's enrollments in classes, the class roster
(student section associations, each class a section); the other tables stay empty.

School Data Sync v2.1 is OneRoster-derived: users carry no orgs, roles or grades; roles.csv does
(one row per user, org and session, with the grade and the role's dates) and userFlags.csv lists
program flags. A folder with roles.csv is read that way.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from improvenet.analytics.formats.common import (
    ConversionError,
    ConvertedBundle,
    empty_rows,
    finish,
    flag,
    level_from_grades,
    school_year_of,
)

FORMAT = "oneroster"
REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type", "parentSourcedId"),
    "academicSessions.csv": ("sourcedId", "type", "startDate", "endDate", "schoolYear"),
    "users.csv": ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName", "grades"),
}
OPTIONAL_COLUMNS = {
    "classes.csv": ("sourcedId", "schoolSourcedId", "termSourcedIds", "grades"),
    "enrollments.csv": ("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "beginDate", "endDate"),
    "demographics.csv": ("sourcedId", "birthDate", "sex"),
}
SDS_REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type", "parentSourcedId"),
    "academicSessions.csv": ("sourcedId", "type", "startDate", "endDate", "schoolYear"),
    "users.csv": ("sourcedId", "givenName", "familyName"),
    "roles.csv": ("userSourcedId", "orgSourcedId", "role", "sessionSourcedId", "grade", "roleStartDate",
                  "roleEndDate"),
}
STAFF_ROLES = {"teacher", "administrator", "aide"}
# CEDS grade codes OneRoster uses; the store holds kindergarten (0) to grade 12.
GRADES = {"KG": 0, **{f"{n:02d}": n for n in range(1, 13)}, **{str(n): n for n in range(1, 13)}}
GRADES_OUTSIDE_K12 = {"IT", "PR", "PK", "TK", "13", "PS", "PS1", "PS2", "PS3", "PS4", "UG", "OTHER"}
SEXES = {"male": "male", "female": "female", "other": "other", "unspecified": "not_selected"}
RACE_COLUMNS = {
    "americanIndianOrAlaskaNative": "american_indian_alaska_native", "asian": "asian",
    "blackOrAfricanAmerican": "black", "nativeHawaiianOrOtherPacificIslander": "pacific_islander",
    "white": "white",
}
SDS_FLAGS = {"ell": "ell", "iep": "sped", "freeLunch": "frl", "reducedLunch": "frl"}


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass(frozen=True)
class Membership:
    """A person's place in a school for one school year."""

    user_id: str
    school_id: str
    role: str
    grade: str
    school_year: int
    begin: date | None
    end: date | None
    source: Row


def is_sds(folder: Path) -> bool:
    return (folder / "roles.csv").exists()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class _Conversion:
    def __init__(self, folder: Path):
        self.folder = folder
        self.sds = is_sds(folder)
        self.rows = empty_rows()
        self.errors: list[ConversionError] = []
        self.notes: list[str] = []
        self.identities: dict[str, dict[str, str]] = {}
        # (user, school, school year, class) of OneRoster 1.1's enrollments: the class roster, once per year.
        self.seats: set[tuple[str, str, int, str]] = set()

    def error(self, row: Row, message: str) -> None:
        self.errors.append(ConversionError(row.file, row.line, message))

    def read(self, name: str, columns: tuple[str, ...], required: bool) -> list[Row]:
        path = self.folder / name
        if not path.exists():
            if required:
                self.errors.append(ConversionError(name, None, "the file is missing"))
            return []
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                self.errors.append(ConversionError(name, 1, f"the header lacks {', '.join(missing)}"))
                return []
            return [Row(name, reader.line_num, values) for values in reader]

    def parse_date(self, row: Row, column: str) -> date | None:
        if not row[column]:
            return None
        try:
            return date.fromisoformat(row[column][:10])
        except ValueError:
            self.error(row, f"{column} {row[column]!r} is not a date (YYYY-MM-DD)")
            return None

    def convert(self) -> ConvertedBundle:
        required = SDS_REQUIRED_COLUMNS if self.sds else REQUIRED_COLUMNS
        tables = {name: self.read(name, columns, required=True) for name, columns in required.items()}
        if self.errors:
            return finish(FORMAT, self.rows, {}, self.errors, self.notes)
        self.orgs = {row["sourcedId"]: row for row in tables["orgs.csv"]}
        self.sessions = self.read_sessions(tables["academicSessions.csv"])
        self.school_years = [row["sourcedId"] for row in tables["academicSessions.csv"]
                             if row["type"] == "schoolYear" and row["sourcedId"] in self.sessions]
        users = {row["sourcedId"]: row for row in tables["users.csv"]}
        if self.sds:
            self.notes.append("Read as Microsoft School Data Sync v2.1 (roles.csv gives each person's school, "
                              "session and grade), not strict OneRoster 1.1.")
            memberships = self.sds_memberships(tables["roles.csv"])
        else:
            memberships = self.oneroster_memberships(users)
        self.schools(memberships)
        self.students(users, memberships)
        self.associations(memberships)
        self.class_roster(users)
        self.notes.append("OneRoster carries no attendance, course marks, assessments, programs or exit reasons: "
                          "those tables are empty and exit_type is blank.")
        return finish(FORMAT, self.rows, self.identities, self.errors, self.notes)

    def read_sessions(self, rows: list[Row]) -> dict[str, tuple[date, date, int]]:
        sessions = {}
        disagreeing = set()
        for row in rows:
            start, end = self.parse_date(row, "startDate"), self.parse_date(row, "endDate")
            if not (start and end):
                self.error(row, f"session {row['sourcedId']} needs a startDate and an endDate")
                continue
            year = school_year_of(end)
            if row["schoolYear"] and row["schoolYear"] != str(year):
                disagreeing.add(f"{row['sourcedId']} ({row['schoolYear']})")
            sessions[row["sourcedId"]] = (start, end, year)
        if disagreeing:
            self.notes.append("The school year is taken as the calendar year in which a session ends; these "
                              f"sessions declare another schoolYear: {', '.join(sorted(disagreeing))}.")
        return sessions

    def is_school(self, org_id: str) -> bool:
        org = self.orgs.get(org_id)
        return org is not None and org["type"] == "school"

    def oneroster_memberships(self, users: dict[str, Row]) -> list[Membership]:
        classes = {row["sourcedId"]: row for row in self.read("classes.csv", OPTIONAL_COLUMNS["classes.csv"], False)}
        spans: dict[tuple[str, str, int], list[tuple[date | None, date | None]]] = defaultdict(list)
        for row in self.read("enrollments.csv", OPTIONAL_COLUMNS["enrollments.csv"], False):
            klass = classes.get(row["classSourcedId"])
            if klass is None:
                self.error(row, f"class {row['classSourcedId']!r} is not in classes.csv")
                continue
            begin, end = self.parse_date(row, "beginDate"), self.parse_date(row, "endDate")
            for term in _split(klass["termSourcedIds"]):
                if term not in self.sessions:
                    self.error(row, f"class {klass['sourcedId']} names term {term!r}, not in academicSessions.csv")
                    continue
                start, _, year = self.sessions[term]
                # A class ending with its term is no exit: only an explicit endDate is one.
                school_id = row["schoolSourcedId"] or klass["schoolSourcedId"]
                spans[(row["userSourcedId"], school_id, year)].append((begin or start, end))
                self.seats.add((row["userSourcedId"], school_id, year, klass["sourcedId"]))
        school_years = self.school_years
        memberships = []
        for user_id, user in users.items():
            role = user["role"]
            if role != "student" and role not in STAFF_ROLES:
                continue
            grades = _split(user["grades"])
            if role == "student" and len(grades) != 1:
                self.error(user, f"this student has {len(grades)} grades ({user['grades']!r}); one is needed")
                continue
            for school_id in (org for org in _split(user["orgSourcedIds"]) if self.is_school(org)):
                years = {year for (uid, sid, year) in spans if uid == user_id and sid == school_id}
                if not years and len(school_years) == 1:
                    start, _, year = self.sessions[school_years[0]]
                    spans[(user_id, school_id, year)].append((start, None))
                    years = {year}
                if not years:
                    self.error(user, f"this {role} at school {school_id}: no class enrollment and not exactly "
                                     "one schoolYear session to give the school year")
                for year in sorted(years):
                    dates = spans[(user_id, school_id, year)]
                    ends = [end for _, end in dates]
                    memberships.append(Membership(
                        user_id, school_id, role, grades[0] if grades else "", year,
                        min(begin for begin, _ in dates), None if None in ends else max(ends), user))
        return memberships

    def class_roster(self, users: dict[str, Row]) -> None:
        """The students' class sections (OneRoster 1.1 enrollments in classes; School Data Sync's roles carry none):
        a class is a section, known by its sourcedId."""
        for user_id, school_id, year, class_id in sorted(self.seats):
            user = users.get(user_id)
            if user is not None and user["role"] == "student" and self.is_school(school_id):
                self.rows["student_section_association"].add(student_id=user_id, school_id=school_id,
                                                              school_year=year, section_id=class_id)

    def sds_memberships(self, rows: list[Row]) -> list[Membership]:
        memberships = []
        for row in rows:
            if not self.is_school(row["orgSourcedId"]):
                continue
            session = self.sessions.get(row["sessionSourcedId"])
            if session is None:
                self.error(row, f"session {row['sessionSourcedId']!r} is not in academicSessions.csv")
                continue
            start, end, year = session
            memberships.append(Membership(
                row["userSourcedId"], row["orgSourcedId"], row["role"], row["grade"], year,
                self.parse_date(row, "roleStartDate") or start, self.parse_date(row, "roleEndDate") or end, row))
        return memberships

    def grade(self, membership: Membership) -> int | None:
        code = membership.grade.upper()
        if code in GRADES:
            return GRADES[code]
        if code not in GRADES_OUTSIDE_K12:
            self.error(membership.source, f"grade {membership.grade!r} is not a OneRoster grade code (KG, 01 to 12)")
        return None

    def schools(self, memberships: list[Membership]) -> None:
        grades = defaultdict(list)
        for membership in memberships:
            if membership.role == "student" and membership.grade.upper() in GRADES:
                grades[membership.school_id].append(GRADES[membership.grade.upper()])
        for school_id, org in self.orgs.items():
            if org["type"] != "school":
                continue
            if not org["parentSourcedId"]:
                self.error(org, f"school {school_id} has no parentSourcedId (its district)")
            self.rows["school"].add(school_id=school_id, name=org["name"], lea_id=org["parentSourcedId"],
                                    level=level_from_grades(grades[school_id]))

    def students(self, users: dict[str, Row], memberships: list[Membership]) -> None:
        first_mention = {}
        for membership in memberships:
            if membership.role == "student":
                first_mention.setdefault(membership.user_id, membership.source)
        students = sorted(first_mention)
        demographics = self.demographics()
        flags = self.sds_flags()
        for student_id in students:
            user = users.get(student_id)
            if user is None:
                # Name where the student is mentioned, never the student's id: messages are kept with the load.
                source = first_mention[student_id]
                self.errors.append(ConversionError(source.file, source.line, "this student is not in users.csv"))
                continue
            sex, race, birth_date = demographics.get(student_id, ("", "", ""))
            self.identities[student_id] = {"given_name": user["givenName"], "family_name": user["familyName"],
                                           "birth_date": birth_date}
            held = flags.get(student_id, set()) if flags is not None else None
            self.rows["student"].add(
                student_id=student_id, sex=sex, race_ethnicity=race,
                **{name: flag(name in held) if held is not None else "" for name in ("ell", "sped", "frl")})
        if flags is None:
            self.notes.append("OneRoster 1.1 carries no English learner, special education or free or reduced-price "
                              "lunch status: those flags are empty.")
        if not demographics:
            self.notes.append("No demographics.csv: sex and race/ethnicity are empty.")

    def demographics(self) -> dict[str, tuple[str, str, str]]:
        key = "userSourcedId" if self.sds else "sourcedId"
        found = {}
        for row in self.read("demographics.csv", (key, "birthDate", "sex"), required=False):
            sex = SEXES.get(row["sex"].lower(), "")
            if row["sex"] and not sex:
                self.error(row, f"sex {row['sex']!r} is not one of {', '.join(SEXES)}")
            found[row[key]] = (sex, self.race_ethnicity(row), row["birthDate"])
        return found

    def race_ethnicity(self, row: Row) -> str:
        if self.sds:
            codes = set(_split(row["ethnicityCodes"]) + _split(row["raceCodes"]))
            hispanic = "hispanicOrLatinoEthnicity" in codes
            two_or_more = "demographicRaceTwoOrMoreRaces" in codes
        else:
            codes = {column for column in (*RACE_COLUMNS, "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity")
                     if row[column].lower() == "true"}
            hispanic = "hispanicOrLatinoEthnicity" in codes
            two_or_more = "demographicRaceTwoOrMoreRaces" in codes
        races = [RACE_COLUMNS[code] for code in codes if code in RACE_COLUMNS]
        if hispanic:
            return "hispanic"
        if two_or_more or len(races) > 1:
            return "two_or_more"
        return races[0] if races else ""

    def sds_flags(self) -> dict[str, set[str]] | None:
        if not self.sds or not (self.folder / "userFlags.csv").exists():
            return None
        flags: dict[str, set[str]] = defaultdict(set)
        for row in self.read("userFlags.csv", ("userSourcedId", "flag"), required=False):
            if row["flag"] in SDS_FLAGS:
                flags[row["userSourcedId"]].add(SDS_FLAGS[row["flag"]])
        return flags

    def associations(self, memberships: list[Membership]) -> None:
        outside = 0
        session_ends = {year: max(end for _, end, y in self.sessions.values() if y == year)
                        for _, _, year in self.sessions.values()}
        for membership in memberships:
            if membership.role in STAFF_ROLES:
                self.rows["staff_school_association"].add(
                    staff_id=membership.user_id, school_id=membership.school_id,
                    school_year=membership.school_year, role=membership.role)
                continue
            if membership.role != "student":
                continue
            grade = self.grade(membership)
            if grade is None:
                outside += membership.grade.upper() in GRADES_OUTSIDE_K12
                continue
            left_early = membership.end and membership.end < session_ends[membership.school_year]
            self.rows["student_school_association"].add(
                student_id=membership.user_id, school_id=membership.school_id, school_year=membership.school_year,
                grade_level=grade, entry_date=membership.begin.isoformat() if membership.begin else "",
                exit_date=membership.end.isoformat() if left_early else "")
        if outside:
            self.notes.append(f"{outside} student memberships in grades outside kindergarten to grade 12 (PK, "
                              "postsecondary...) were left out.")
        if self.sds:
            self.notes.append("Entry and exit are the roleStartDate and roleEndDate of roles.csv; an end on the last "
                              "day of the school year is no exit.")
        else:
            self.notes.append("Entry is the first class enrollment's beginDate (else the school year's start); a "
                              "student all of whose class enrollments carry an endDate before the school year ends "
                              "exits on the latest of them.")


def convert(folder: Path | str) -> ConvertedBundle:
    """Convert a folder of OneRoster 1.1 CSV files (or a School Data Sync v2.1 folder)."""
    return _Conversion(Path(folder)).convert()
