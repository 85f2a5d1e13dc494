"""Ed-Fi Data Standard bulk XML interchanges (Interchange-*.xml) to the bundle tables.

Every *.xml file in the folder whose root is an Interchange element is read, whatever its name or
namespace (5.2.0 and 6.1.0 files read alike); records are recognised by their element names.
Descriptors arrive as `uri://ed-fi.org/GradeLevelDescriptor#Fifth grade`: only the part after `#` counts,
compared without regard to case.
"""

import re
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
from improvenet.analytics.formats.xml_records import Element, XmlFormatError, iter_records, root_tag

FORMAT = "edfi-xml"

GRADE_LEVELS = {
    "kindergarten": 0, "first grade": 1, "second grade": 2, "third grade": 3, "fourth grade": 4, "fifth grade": 5,
    "sixth grade": 6, "seventh grade": 7, "eighth grade": 8, "ninth grade": 9, "tenth grade": 10,
    "eleventh grade": 11, "twelfth grade": 12,
}
# Grades the Ed-Fi descriptors know that the store does not hold (it holds kindergarten to grade 12).
GRADES_OUTSIDE_K12 = {
    "infant/toddler", "early education", "preschool/prekindergarten", "prekindergarten", "transitional kindergarten",
    "postsecondary", "adult education", "ungraded", "grade 13", "other",
}
SCHOOL_CATEGORIES = {
    "elementary school": "elementary", "primary school": "elementary", "intermediate school": "elementary",
    "middle school": "middle", "junior high school": "middle",
    "high school": "high", "secondary school": "high", "senior high school": "high",
}
ATTENDANCE_CATEGORIES = {
    "excused absence": "excused_absence", "unexcused absence": "unexcused_absence",
    "tardy": "tardy", "early departure": "early_departure",
}
# Presence is not an event in the store: the attendance rate counts instructional days minus absences.
ATTENDANCE_NOT_EVENTS = {"in attendance", "partial"}
INSTRUCTIONAL_EVENTS = {"instructional day", "make-up day", "student late arrival/early dismissal"}
SEXES = {"female": "female", "male": "male", "not selected": "not_selected"}
RACES = {
    "american indian - alaska native": "american_indian_alaska_native",
    "american indian or alaska native": "american_indian_alaska_native",
    "asian": "asian", "black - african american": "black", "black or african american": "black",
    "native hawaiian - pacific islander": "pacific_islander",
    "native hawaiian or other pacific islander": "pacific_islander",
    "white": "white",
}
SUBJECTS = {
    "mathematics": "math", "english language arts": "english", "reading": "english", "writing": "english",
    "english": "english", "science": "science", "social studies": "social_studies",
}
# Preferred score of a student assessment, first found wins.
SCORE_METHODS = ("scale score", "vertical score", "raw score")
# ExitWithdrawTypeDescriptor values are set by each state; these rules, tried in order on the lower-cased
# value, cover the Ed-Fi defaults and the usual state wordings. A value no rule matches is an error.
EXIT_TYPE_RULES: tuple[tuple[str, str], ...] = (
    (r"died|death|deceased|permanently incapacitated", "deceased"),
    (r"same (local education agency|district|lea)|within (the )?district|in-district", "transfer_in_district"),
    (r"outside (of )?the (country|united states)|another country|emigrat", "emigrated"),
    (r"unknown|whereabouts|no longer (attending|enrolled)|not enrolled", "transfer_out_undocumented"),
    (r"transfer|home ?school|charter|private|juvenile|institution|moved", "transfer_out_documented"),
    (r"graduat.*(regular|diploma|advanced|baccalaureate)|^graduated$", "graduated_regular"),
    (r"other credential|certificate|completed school|ged|high school equivalency", "graduated_other"),
    (r"drop ?out|discontinued|expel|illness|maximum age|withdrawn|withdrew", "dropout"),
)
PROGRAM_RECORDS = (
    "StudentProgramAssociation", "StudentSpecialEducationProgramAssociation",
    "StudentSchoolFoodServiceProgramAssociation", "StudentLanguageInstructionProgramAssociation",
)


RECORDS = {
    "LocalEducationAgency", "School", "Session", "Calendar", "CalendarDate", "Student",
    "StudentEducationOrganizationAssociation", "StudentSchoolAssociation", "StudentSchoolAttendanceEvent",
    "StudentProgramAssociation", "StudentSpecialEducationProgramAssociation",
    "StudentSchoolFoodServiceProgramAssociation", "StudentLanguageInstructionProgramAssociation",
    "StaffSchoolAssociation", "StaffEducationOrganizationAssignmentAssociation", "StudentAssessment", "Assessment",
}


def descriptor(value: str) -> str:
    return value.rsplit("#", 1)[-1].strip()


def exit_type_for(value: str) -> str | None:
    lowered = value.lower()
    return next((exit_type for pattern, exit_type in EXIT_TYPE_RULES if re.search(pattern, lowered)), None)


def school_year_text(value: str) -> int:
    """"2021-2022" or "2022" -> 2022 (the year the school year ends)."""
    return int(value.strip().rsplit("-", 1)[-1])


@dataclass
class Record:
    file: str
    element: Element

    @property
    def line(self) -> int:
        return self.element.line


class _Conversion:
    def __init__(self, folder: Path):
        self.folder = folder
        self.rows = empty_rows()
        self.errors: list[ConversionError] = []
        self.notes: list[str] = []
        self.identities: dict[str, dict[str, str]] = {}
        self.records: dict[str, list[Record]] = defaultdict(list)
        self.sessions: dict[str, list[tuple[date, date, int]]] = defaultdict(list)
        self.enrollments: dict[str, list[tuple[str, int, date, date | None]]] = defaultdict(list)
        self.outside_grades = 0

    def error(self, record: Record, message: str) -> None:
        self.errors.append(ConversionError(record.file, record.line, message))

    def parse_date(self, record: Record, value: str, what: str) -> date | None:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            self.error(record, f"{what} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def read(self) -> None:
        paths = sorted(self.folder.glob("*.xml"))
        for path in paths:
            if not root_tag(path).startswith("Interchange"):
                self.notes.append(f"{path.name} was skipped: its root element is not an Ed-Fi Interchange.")
                continue
            try:
                for element in iter_records(path):
                    if element.tag in RECORDS:
                        self.records[element.tag].append(Record(path.name, element))
            except XmlFormatError as error:
                self.errors.append(ConversionError(path.name, error.line, str(error)))

    def convert(self) -> ConvertedBundle:
        self.read()
        self.schools()
        self.calendar()
        self.students()
        self.student_school_associations()
        self.attendance()
        self.staff()
        self.assessments()
        return finish(FORMAT, self.rows, self.identities, self.errors, self.notes)

    def schools(self) -> None:
        lea_ids = {}
        for record in self.records["LocalEducationAgency"]:
            lea_ids[record.element.attrib.get("id", "")] = record.element.text_at("LocalEducationAgencyId")
        for record in self.records["School"]:
            school = record.element
            school_id = school.text_at("SchoolId")
            lea = school.child("LocalEducationAgencyReference")
            lea_id = ""
            if lea is not None:
                lea_id = lea.text_at("LocalEducationAgencyId") or lea_ids.get(lea.attrib.get("ref", ""), "")
            if not school_id:
                self.error(record, "a School has no SchoolId")
                continue
            if not lea_id:
                self.error(record, f"school {school_id} names no local education agency that the files define")
            categories = {SCHOOL_CATEGORIES.get(descriptor(category.text).lower())
                          for category in school.children_named("SchoolCategory")}
            categories.discard(None)
            if len(categories) == 1:
                level = categories.pop()
            else:
                grades = [GRADE_LEVELS.get(descriptor(g.text).lower()) for g in school.children_named("GradeLevel")]
                level = level_from_grades(grade for grade in grades if grade is not None)
            self.rows["school"].add(school_id=school_id, name=school.text_at("NameOfInstitution"), lea_id=lea_id,
                                    level=level)

    def calendar(self) -> None:
        for record in self.records["Session"]:
            session = record.element
            begin = self.parse_date(record, session.text_at("BeginDate"), "BeginDate")
            end = self.parse_date(record, session.text_at("EndDate"), "EndDate")
            if begin and end:
                self.sessions[session.text_at("SchoolReference", "SchoolId")].append(
                    (begin, end, school_year_text(session.text_at("SchoolYear"))))
        skipped = 0
        for record in self.records["CalendarDate"]:
            element = record.element
            events = {descriptor(event.text).lower() for event in element.children_named("CalendarEvent")}
            if not events & INSTRUCTIONAL_EVENTS:
                skipped += 1
                continue
            day = self.parse_date(record, element.text_at("Date"), "Date")
            identity = element.text_at("CalendarReference", "SchoolId")
            year = element.text_at("CalendarReference", "SchoolYear")
            if day and identity and year:
                self.rows["calendar_date"].add(school_id=identity, school_year=school_year_text(year),
                                               date=day.isoformat())
        if skipped:
            self.notes.append(f"{skipped} calendar dates that are not instructional days were left out.")
        declared = sum(
            int(r.element.text_at("TotalInstructionalDays") or 0) for r in self.records["Session"])
        if declared > len(self.rows["calendar_date"]):
            self.notes.append(
                f"The sessions declare {declared} instructional days (all schools together) but the calendar lists "
                f"{len(self.rows['calendar_date'])} instructional dates: attendance rates need the full list of days.")

    def students(self) -> None:
        demographics: dict[str, dict[str, str]] = {}
        for record in self.records["Student"] + self.records["StudentEducationOrganizationAssociation"]:
            element = record.element
            student_id = element.text_at("StudentUniqueId")
            known = demographics.setdefault(student_id, {"sex": "", "race_ethnicity": ""})
            sex = element.child("Sex") or element.child("BirthSex")
            if sex is not None and descriptor(sex.text):
                known["sex"] = SEXES.get(descriptor(sex.text).lower(), "")
                if not known["sex"]:
                    self.error(record, f"sex {descriptor(sex.text)!r} is not one of {', '.join(SEXES)}")
            race = self.race_ethnicity(record)
            if race:
                known["race_ethnicity"] = race
            if record.element.tag == "Student":
                self.identities[student_id] = {
                    "given_name": element.text_at("Name", "FirstName"),
                    "family_name": element.text_at("Name", "LastSurname"),
                    "birth_date": element.text_at("BirthDate"),
                }
        if not self.records["StudentEducationOrganizationAssociation"]:
            self.notes.append("The files carry no StudentEducationOrganizationAssociation: sex and race/ethnicity "
                              "are empty unless the Student records hold them.")
        programs = self.program_flags()
        for student_id in self.identities:
            flags = programs.get(student_id, set())
            self.rows["student"].add(student_id=student_id, **demographics.get(student_id, {}),
                                     ell=flag("ell" in flags), sped=flag("sped" in flags), frl=flag("frl" in flags))
        if not any(self.records[tag] for tag in PROGRAM_RECORDS):
            self.notes.append("No program associations: the English learner, special education and free or "
                              "reduced-price lunch flags are 0 for every student.")

    def race_ethnicity(self, record: Record) -> str:
        element = record.element
        hispanic = element.text_at("HispanicLatinoEthnicity").lower() in ("1", "true")
        if hispanic:
            return "hispanic"
        races = set()
        for race in element.descendants("Race"):
            value = descriptor(race.text).lower()
            if value and value in RACES:
                races.add(RACES[value])
            elif value and value not in ("other", "choose not to respond"):
                self.error(record, f"race {descriptor(race.text)!r} has no mapping")
        if len(races) > 1:
            return "two_or_more"
        return races.pop() if races else ""

    def program_flags(self) -> dict[str, set[str]]:
        flags: dict[str, set[str]] = defaultdict(set)
        for tag in PROGRAM_RECORDS:
            for record in self.records[tag]:
                program_type = descriptor(record.element.text_at("ProgramReference", "ProgramType")).lower()
                student_id = record.element.text_at("StudentReference", "StudentUniqueId")
                if tag == "StudentSpecialEducationProgramAssociation" or program_type == "special education":
                    flags[student_id].add("sped")
                if tag == "StudentLanguageInstructionProgramAssociation" or "bilingual" in program_type \
                        or "english as a second language" in program_type:
                    flags[student_id].add("ell")
                if tag == "StudentSchoolFoodServiceProgramAssociation":
                    flags[student_id].add("frl")
        return flags

    def grade(self, record: Record, value: str) -> int | None:
        """The grade as 0 to 12; None after recording an error or when the grade is outside K-12."""
        name = descriptor(value).lower()
        if name in GRADE_LEVELS:
            return GRADE_LEVELS[name]
        if name in GRADES_OUTSIDE_K12:
            self.outside_grades += 1
        else:
            self.error(record, f"grade level {descriptor(value)!r} is not an Ed-Fi grade from Kindergarten to "
                               "Twelfth grade")
        return None

    def session_year(self, school_id: str, day: date) -> int | None:
        return next((year for begin, end, year in self.sessions.get(school_id, ()) if begin <= day <= end), None)

    def student_school_associations(self) -> None:
        derived = 0
        for record in self.records["StudentSchoolAssociation"]:
            element = record.element
            student_id = element.text_at("StudentReference", "StudentUniqueId")
            school_id = element.text_at("SchoolReference", "SchoolId")
            entry = self.parse_date(record, element.text_at("EntryDate"), "EntryDate")
            exit_text = element.text_at("ExitWithdrawDate")
            exit_day = self.parse_date(record, exit_text, "ExitWithdrawDate") if exit_text else None
            grade_text = element.text_at("EntryGradeLevel")
            grade = self.grade(record, grade_text) if grade_text else None
            if not grade_text:
                self.error(record, "the association has no EntryGradeLevel")
            exit_type = ""
            exit_descriptor = descriptor(element.text_at("ExitWithdrawType"))
            if exit_descriptor:
                exit_type = exit_type_for(exit_descriptor) or ""
                if not exit_type:
                    self.error(record, f"exit type {exit_descriptor!r} has no mapping to the store's exit types")
            if not (student_id and school_id and entry) or grade is None:
                continue
            year_text = element.text_at("SchoolYear") or element.text_at("CalendarReference", "SchoolYear")
            year = school_year_text(year_text) if year_text else self.session_year(school_id, entry)
            if year is None:
                year = school_year_of(entry)
                derived += 1
            self.enrollments[student_id].append((school_id, year, entry, exit_day))
            self.rows["student_school_association"].add(
                student_id=student_id, school_id=school_id, school_year=year, grade_level=grade,
                entry_date=entry.isoformat(), exit_date=exit_day.isoformat() if exit_day else "", exit_type=exit_type)
        if self.outside_grades:
            self.notes.append(f"{self.outside_grades} enrollments in grades outside kindergarten to grade 12 were "
                              "left out.")
        if derived:
            self.notes.append(f"{derived} enrollments carry no school year and fall in no calendar session: their "
                              "school year is the one holding the entry date (July starts a new school year).")

    def attendance(self) -> None:
        not_events = 0
        for record in self.records["StudentSchoolAttendanceEvent"]:
            element = record.element
            category_text = descriptor(element.text_at("AttendanceEventCategory"))
            category = ATTENDANCE_CATEGORIES.get(category_text.lower())
            if category is None:
                if category_text.lower() in ATTENDANCE_NOT_EVENTS:
                    not_events += 1
                else:
                    self.error(record, f"attendance category {category_text!r} is not one of "
                                       f"{', '.join(c.title() for c in ATTENDANCE_CATEGORIES)}")
                continue
            day = self.parse_date(record, element.text_at("EventDate"), "EventDate")
            if day:
                self.rows["student_school_attendance_event"].add(
                    student_id=element.text_at("StudentReference", "StudentUniqueId"),
                    school_id=element.text_at("SchoolReference", "SchoolId"), date=day.isoformat(),
                    category=category)
        if not_events:
            self.notes.append(f"{not_events} attendance events recording presence (In Attendance, Partial) were "
                              "left out: the store counts absences against instructional days.")

    def staff(self) -> None:
        assignments: dict[tuple[str, str], list[tuple[str, date | None, date | None]]] = defaultdict(list)
        for record in self.records["StaffEducationOrganizationAssignmentAssociation"]:
            element = record.element
            begin = element.text_at("BeginDate")
            end = element.text_at("EndDate")
            assignments[(element.text_at("StaffReference", "StaffUniqueId"),
                         element.text_at("EducationOrganizationReference", "EducationOrganizationId"))].append((
                descriptor(element.text_at("StaffClassification")).lower(),
                self.parse_date(record, begin, "BeginDate") if begin else None,
                self.parse_date(record, end, "EndDate") if end else None))
        placed, unplaced = 0, 0
        for record in self.records["StaffSchoolAssociation"]:
            element = record.element
            staff_id = element.text_at("StaffReference", "StaffUniqueId")
            school_id = element.text_at("SchoolReference", "SchoolId")
            held = assignments.get((staff_id, school_id), [])
            role = held[0][0] if held else "staff"
            year_text = element.text_at("SchoolYear")
            if year_text:
                years = {school_year_text(year_text)}
            else:
                years = {year for begin, end, year in self.sessions.get(school_id, ())
                         if not held or any(_overlaps(start, stop, begin, end) for _, start, stop in held)}
                placed += 1
            unplaced += not years
            for year in sorted(years):
                self.rows["staff_school_association"].add(staff_id=staff_id, school_id=school_id, school_year=year,
                                                          role=role)
        if placed:
            self.notes.append(f"{placed} staff school associations carry no school year: each is placed in the "
                              "school years of the school's calendar sessions during which the staff member's "
                              "assignment there was active.")
        if unplaced:
            self.notes.append(f"{unplaced} staff school associations were left out: no calendar session of the "
                              "school overlaps the staff member's assignment there.")

    def assessments(self) -> None:
        subjects = {r.element.text_at("AssessmentIdentifier"): descriptor(r.element.text_at("AcademicSubject"))
                    for r in self.records["Assessment"]}
        no_school = 0
        for record in self.records["StudentAssessment"]:
            element = record.element
            student_id = element.text_at("StudentReference", "StudentUniqueId")
            identifier = element.text_at("AssessmentReference", "AssessmentIdentifier")
            administered = element.text_at("AdministrationDate")
            day = self.parse_date(record, administered, "AdministrationDate") if administered else None
            year_text = element.child("SchoolYear")
            year = school_year_text(year_text.text) if year_text is not None else (school_year_of(day) if day else None)
            score = self.score(element)
            if score is None:
                self.error(record, f"assessment {identifier!r} has no numeric score result")
                continue
            if year is None:
                self.error(record, f"assessment {identifier!r} has neither a SchoolYear nor an AdministrationDate")
                continue
            school_id = element.text_at("SchoolReference", "SchoolId") or self.school_of(student_id, year, day)
            if not school_id:
                no_school += 1
                continue
            subject_text = subjects.get(identifier, "")
            self.rows["student_assessment"].add(
                student_id=student_id, school_id=school_id, school_year=year, assessment=identifier,
                subject=SUBJECTS.get(subject_text.lower(), subject_text.lower() or "other"), score=score,
                date=day.isoformat() if day else "")
        if no_school:
            self.notes.append(f"{no_school} assessment results were left out: the student has no enrollment in that "
                              "school year to say which school the result belongs to.")

    @staticmethod
    def score(element: Element) -> str | None:
        results = {descriptor(result.text_at("AssessmentReportingMethod")).lower(): result.text_at("Result")
                   for result in element.children_named("ScoreResult")}
        for method in SCORE_METHODS + tuple(results):
            try:
                return str(float(results[method])).removesuffix(".0")
            except (KeyError, ValueError):
                continue
        return None

    def school_of(self, student_id: str, year: int, day: date | None) -> str:
        """The school a result belongs to: the enrollment that year covering the day, else the latest that year."""
        that_year = sorted((e for e in self.enrollments.get(student_id, ()) if e[1] == year), key=lambda e: e[2])
        if day:
            covering = [e for e in that_year if e[2] <= day and (e[3] is None or day <= e[3])]
            if covering:
                return covering[-1][0]
        return that_year[-1][0] if that_year else ""


def _overlaps(start: date | None, stop: date | None, begin: date, end: date) -> bool:
    """Whether an assignment from start to stop (open-ended when None) meets the period begin..end."""
    return (start is None or start <= end) and (stop is None or stop >= begin)


def convert(folder: Path | str) -> ConvertedBundle:
    """Convert a folder of Ed-Fi bulk XML interchanges."""
    return _Conversion(Path(folder)).convert()
