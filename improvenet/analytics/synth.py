"""A synthetic school district written as a flat CSV bundle: realistic enough to try every metric on.

`synthesize` simulates a district year by year, vectorized with numpy and deterministic from the seed:

- high-school pyramids (elementary schools and middle schools feeding one high school), given as
  `SchoolSpec`s (e.g. a demo cluster's schools) or made up for the requested size;
- students moving up from kindergarten to grade 12 along their pyramid, a new kindergarten cohort and
  newcomers every year; mobility during the year (transfers within the district, out of it with or
  without documentation, dropouts from grade 9 up) with some students re-enrolling later the same year
  (several stints a year), summer moves and leavers, grade retention, graduation with its exit type;
- daily attendance events (excused and unexcused absences, tardies, early departures) whose rates vary
  by school, grade, subgroup (free or reduced-price lunch, special education), student and weekday,
  with a post-pandemic rise in absences and a minority of chronically absent students;
- semester course marks in five subjects from grade 6 (credits from grade 9), worse for frequently
  absent students and varying by school;
- staff assignments with teacher turnover (stay, move to another school, leave) and new hires;
- optionally, from `improvement_start_year`, fewer absences, better marks and lower teacher turnover in
  the innovation schools: a known effect for difference-in-differences estimates to find.

The district keeps roughly `students` students enrolled each year. 100,000 students over 6 years
(about 12 million attendance events) take about 20 s of CPU time (bench/bench_data_load.py).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from improvenet.analytics.bundle import arrow_schema, write_bundle
from improvenet.analytics.schema import (
    ATTENDANCE_CATEGORIES,
    EXIT_TYPES,
    SUBJECTS,
    TABLES_BY_NAME,
    Progress,
)

LEVELS = ("elementary", "middle", "high")
GRADE_LEVEL = np.array([0] * 6 + [1] * 3 + [2] * 4)  # grade 0..12 -> index in LEVELS
SCHOOL_ROLES = ("innovation", "at_large", "comparison", "feeder")
SEXES = ("female", "male")
RACES = ("hispanic", "white", "black", "asian", "two_or_more", "american_indian_alaska_native", "pacific_islander")
DISTRICT_RACE_MIX = np.array([0.38, 0.30, 0.18, 0.07, 0.05, 0.01, 0.01])
ELL_BY_RACE = np.array([0.32, 0.02, 0.05, 0.22, 0.03, 0.05, 0.10])
NAMESAKES = (
    "Maple", "Cedar", "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Oak Grove", "Riverside",
    "Hillcrest", "Lakeview", "Parkside", "Sunnyside", "Westwood", "Eastgate", "Northfield", "Southridge",
    "Pine Hills", "Willow Creek", "Meadowbrook", "Harbor", "Valley View", "Brookside", "Fairview", "Highland",
    "Kennedy", "King", "Chavez", "Tubman", "Douglass", "Carver", "Earhart", "Keller", "Mann", "Dewey", "Addams",
)
LEVEL_FORMS = {"elementary": "{} Elementary School", "middle": "{} Middle School", "high": "{} High School"}
# Daily absence: a base rate scaled by grade, weekday, year, school, subgroup and the student's own propensity.
BASE_ABSENCE = 0.03
GRADE_ABSENCE = np.array([1.25, 1.0, 0.95, 0.95, 0.95, 1.0, 1.05, 1.1, 1.15, 1.25, 1.3, 1.4, 1.55])
WEEKDAY_ABSENCE = np.array([1.1, 0.92, 0.9, 0.93, 1.15, 1.0, 1.0])  # Monday..Sunday
# Absences rose across the country after the pandemic; they come down slowly.
YEAR_ABSENCE = {2021: 1.25, 2022: 1.5, 2023: 1.35, 2024: 1.25, 2025: 1.2, 2026: 1.15}
TARDY_RATE, EARLY_DEPARTURE_RATE = 0.022, 0.007
# The innovation schools' effect, by years since improvement_start_year (0 = its first year).
IMPROVED_ABSENCE = (0.82, 0.72)
IMPROVED_MARKS = (0.25, 0.4)
MARK_CUTS = np.array([-2.2, -1.5, -0.6, 0.4])  # F | D | C | B | A on the latent mark
MARK_LETTERS = np.array(["F", "D", "C", "B", "A"])
# Class sections: about this many students each (the demo's classrooms); codes run to G12-MAX_SECTIONS.
STUDENTS_PER_SECTION = 25
MAX_SECTIONS = 99
STUDENTS_PER_TEACHER = 16
TEACHER_LEAVING, IMPROVED_TEACHER_LEAVING, TEACHER_MOVING = 0.11, 0.07, 0.05
EXIT = {name: code for code, name in enumerate(EXIT_TYPES)}
NO_EXIT = -1


@dataclass(frozen=True)
class SchoolSpec:
    """One school of the district: its id and name, level, the high school it feeds and its role.

    `level` is one of elementary, middle, high (other: listed, no students); `feeds_into` is the
    school_id of the high school heading its pyramid (None for a high school); `role` is innovation,
    at_large, comparison or feeder, as in the network's schools.
    """

    school_id: str
    name: str
    level: str
    feeds_into: str | None = None
    role: str = "feeder"


@dataclass(frozen=True)
class SynthResult:
    folder: Path
    rows: dict[str, int]
    """Rows written per bundle file."""
    schools: tuple[SchoolSpec, ...]
    improving_schools: tuple[str, ...]
    """The school ids whose attendance and marks improve from improvement_start_year."""
    seconds: float


def default_district(students: int, seed: int) -> tuple[SchoolSpec, ...]:
    """Pyramids sized for `students` (about 6,000 students each, at least 2): the first pyramid is the
    innovation pyramid, the second the comparison pyramid, the others at large."""
    rng = np.random.default_rng([seed, 1])
    pyramids = max(2, round(students / 6000))
    names = iter(_school_names(rng))
    schools = []
    number = iter(range(101, 100000))
    for pyramid in range(pyramids):
        role = "innovation" if pyramid == 0 else "comparison" if pyramid == 1 else "at_large"
        high = SchoolSpec(f"{next(number):04d}", LEVEL_FORMS["high"].format(next(names)), "high", None, role)
        elementary_count = int(rng.integers(3, 7))
        middle_count = max(1, round(elementary_count / 3))
        schools.append(high)
        for level, count in (("middle", middle_count), ("elementary", elementary_count)):
            schools += [SchoolSpec(f"{next(number):04d}", LEVEL_FORMS[level].format(next(names)), level,
                                   high.school_id, "feeder") for _ in range(count)]
    return tuple(schools)


def _school_names(rng: np.random.Generator):
    rounds = 0
    while True:
        for namesake in rng.permutation(NAMESAKES):
            yield namesake if not rounds else f"{namesake} {('North', 'South', 'East', 'West')[rounds % 4]}"
        rounds += 1


def synthesize(
    students: int,
    years: int,
    seed: int,
    out_dir: Path | str,
    *,
    first_year: int = 2020,
    schools: Sequence[SchoolSpec] | None = None,
    innovation_schools: Sequence[str] | None = None,
    comparison_schools: Sequence[str] | None = None,
    improvement_start_year: int | None = None,
    lea_id: str = "LEA-0001",
    progress: Progress | None = None,
) -> SynthResult:
    """Write a synthetic district's bundle (docs/data.md) into `out_dir`; same arguments, same files.

    students: about how many students are enrolled each year.
    years: how many school years, the first ending in `first_year` (2020: the school year 2019-20).
    schools: the district's schools; default `default_district(students, seed)`.
    innovation_schools: the school ids that improve from `improvement_start_year`; default the schools
        whose role is innovation and the schools feeding into them.
    comparison_schools: school ids drawn to resemble the innovation schools before any improvement;
        default the schools whose role is comparison and their feeders.
    improvement_start_year: the first school year (its ending year) of the improvement; None: none.
    progress: called with (step, done, total) as the years are simulated and the files written.
    """
    started = time.perf_counter()
    if students < 1 or years < 1:
        raise ValueError("synthesize needs at least one student and one year.")
    schools = tuple(schools) if schools is not None else default_district(students, seed)
    district = _District(schools, innovation_schools, comparison_schools, np.random.default_rng([seed, 2]))
    simulation = _Simulation(district, students, improvement_start_year, np.random.default_rng(seed))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    attendance_path = out_dir / TABLES_BY_NAME["student_school_attendance_event"].bundle_file
    attendance_schema = arrow_schema(TABLES_BY_NAME["student_school_attendance_event"])
    total_steps = years + 1
    with pacsv.CSVWriter(attendance_path, attendance_schema,
                         write_options=pacsv.WriteOptions(quoting_style="needed")) as attendance:
        for done, year in enumerate(range(first_year, first_year + years)):
            if progress:
                progress(f"simulating school year {year - 1}-{year % 100:02d}", done, total_steps)
            attendance.write_table(simulation.simulate_year(year))
    if progress:
        progress("writing the bundle", years, total_steps)
    tables = simulation.tables(lea_id)
    write_bundle(tables, out_dir)
    rows = {TABLES_BY_NAME[name].bundle_file: table.num_rows for name, table in tables.items()}
    rows[attendance_path.name] = simulation.attendance_rows
    if progress:
        progress("done", total_steps, total_steps)
    return SynthResult(out_dir, rows, schools, tuple(schools[i].school_id for i in np.flatnonzero(district.improving)),
                       time.perf_counter() - started)


class _District:
    """The schools as arrays: level, pyramid, and the schools of each level in each pyramid."""

    def __init__(self, schools: tuple[SchoolSpec, ...], innovation: Sequence[str] | None,
                 comparison: Sequence[str] | None, rng: np.random.Generator):
        ids = [s.school_id for s in schools]
        if len(set(ids)) != len(ids):
            raise ValueError("Two schools share a school_id.")
        for level in LEVELS:
            if not any(s.level == level for s in schools):
                raise ValueError(f"The district needs at least one {level} school.")
        self.schools = schools
        self.ids = np.array(ids, dtype=object)
        self.level = np.array([LEVELS.index(s.level) if s.level in LEVELS else -1 for s in schools])
        heads = {s.school_id: s.school_id if s.level == "high" else s.feeds_into for s in schools}
        pyramid_names = sorted({head for head in heads.values() if head}, key=ids.index)
        self.pyramid_count = len(pyramid_names) + 1  # the last one gathers schools feeding no high school
        self.pyramid = np.array([pyramid_names.index(heads[i]) if heads[i] in pyramid_names else len(pyramid_names)
                                 for i in ids])
        self.improving = self._members(innovation, "innovation", heads)
        self.matched = self._members(comparison, "comparison", heads)
        # School character: absence and marks effects, sizes; comparison schools drawn like innovation ones.
        self.absence_effect = rng.lognormal(0.0, 0.22, len(schools))
        self.mark_effect = rng.normal(0.0, 0.2, len(schools))
        if self.improving.any() and self.matched.any():
            self.absence_effect[self.matched] = (self.absence_effect[self.improving].mean()
                                                 * rng.lognormal(0.0, 0.05, self.matched.sum()))
            self.mark_effect[self.matched] = self.mark_effect[self.improving].mean() + rng.normal(
                0.0, 0.05, self.matched.sum())
        self.size = rng.gamma(6.0, 1.0, len(schools))
        self.pyramid_frl = rng.uniform(0.25, 0.85, self.pyramid_count)
        self.pyramid_races = np.array([rng.dirichlet(DISTRICT_RACE_MIX * 12) for _ in range(self.pyramid_count)])
        self.choices: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for level in range(len(LEVELS)):
            anywhere = np.flatnonzero(self.level == level)
            for pyramid in range(self.pyramid_count):
                local = anywhere[self.pyramid[anywhere] == pyramid]
                members = local if len(local) else anywhere
                self.choices[pyramid, level] = members, self.size[members] / self.size[members].sum()
        elementary_weight = np.zeros(self.pyramid_count)
        np.add.at(elementary_weight, self.pyramid[self.level == 0], self.size[self.level == 0])
        self.pyramid_weight = elementary_weight / elementary_weight.sum()

    def _members(self, given: Sequence[str] | None, role: str, heads: dict[str, str | None]) -> np.ndarray:
        if given is not None:
            unknown = sorted(set(given) - set(self.ids))
            if unknown:
                raise ValueError(f"Unknown school ids: {', '.join(unknown)}.")
            return np.isin(self.ids, list(given))
        leads = {s.school_id for s in self.schools if s.role == role}
        return np.array([s.school_id in leads or heads[s.school_id] in leads for s in self.schools])

    def assign(self, rng: np.random.Generator, pyramids: np.ndarray, grades: np.ndarray) -> np.ndarray:
        """A school for each student: one of their pyramid's schools of their grade's level, by size."""
        levels = GRADE_LEVEL[grades]
        school = np.empty(len(grades), dtype=np.int64)
        for (pyramid, level), (members, weights) in self.choices.items():
            who = np.flatnonzero((pyramids == pyramid) & (levels == level))
            if len(who):
                school[who] = rng.choice(members, size=len(who), p=weights)
        return school

    def elsewhere(self, rng: np.random.Generator, schools: np.ndarray) -> np.ndarray:
        """Another school of the same level anywhere in the district (the same when it is the only one)."""
        out = schools.copy()
        for level in range(len(LEVELS)):
            members = np.flatnonzero(self.level == level)
            who = np.flatnonzero(self.level[schools] == level)
            if len(who) and len(members) > 1:
                picks = rng.integers(0, len(members) - 1, len(who))
                current = np.searchsorted(members, schools[who])
                out[who] = members[picks + (picks >= current)]
        return out


@dataclass
class _Stints:
    """One school year's enrollments: one row per stint of a student at a school."""

    student: np.ndarray
    school: np.ndarray
    grade: np.ndarray
    entry: np.ndarray  # calendar day index
    exit: np.ndarray  # calendar day index of the last day enrolled; NO_EXIT: enrolled through the year
    exit_type: np.ndarray

    @classmethod
    def concat(cls, parts: list[_Stints]) -> _Stints:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("student", "school", "grade", "entry", "exit", "exit_type")))


def _school_calendar(year: int) -> np.ndarray:
    """About 180 instructional days of the school year ending in `year`, as numpy dates."""
    start, end = datetime.date(year - 1, 8, 24), datetime.date(year, 6, 12)
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday: 0 = Monday

    def nth_weekday(y, month, weekday_, n):
        first = datetime.date(y, month, 1)
        return first + datetime.timedelta(days=(weekday_ - first.weekday()) % 7 + 7 * (n - 1))

    thanksgiving = nth_weekday(year - 1, 11, 3, 4)
    spring = nth_weekday(year, 3, 0, 4)
    closed = [nth_weekday(year - 1, 9, 0, 1), nth_weekday(year, 1, 0, 3), nth_weekday(year, 2, 0, 3)]
    closed += [thanksgiving + datetime.timedelta(days=d) for d in (-1, 0, 1)]
    closed += [spring + datetime.timedelta(days=d) for d in range(5)]
    closed += [datetime.date(year - 1, 12, 21) + datetime.timedelta(days=d) for d in range(14)]
    open_days = days[(weekday < 5) & ~np.isin(days, np.array(closed, dtype="datetime64[D]"))]
    return open_days[:180]


class _Simulation:
    def __init__(self, district: _District, target: int, improvement_start_year: int | None,
                 rng: np.random.Generator):
        self.district = district
        self.rng = rng
        self.improvement_start_year = improvement_start_year
        self.kindergarten_size = max(1, round(target / 13))
        self.attendance_rows = 0
        self.calendar: dict[int, np.ndarray] = {}
        self.enrollments: list[tuple[int, _Stints]] = []
        self.marks: list[pa.Table] = []
        self.staff_rows: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = []
        self.staff_count = 0
        # Students: fixed traits, then where each one is.
        self.sex = np.empty(0, dtype=np.int8)
        self.race = np.empty(0, dtype=np.int8)
        self.ell = np.empty(0, dtype=np.int8)
        self.sped = np.empty(0, dtype=np.int8)
        self.frl = np.empty(0, dtype=np.int8)
        self.propensity = np.empty(0)
        self.academic = np.empty(0)
        self.pyramid = np.empty(0, dtype=np.int64)
        self.held_back_in_12 = np.empty(0, dtype=bool)
        grades = rng.choice(13, size=target, p=np.r_[np.full(12, 1.0), 0.92] / (12 + 0.92))
        self.active = self._new_students(grades)
        self.grade = grades
        self.school = district.assign(rng, self.pyramid[self.active], grades)

    def _new_students(self, grades: np.ndarray) -> np.ndarray:
        """Add students in `grades` to the district; returns their indexes."""
        rng, district, n = self.rng, self.district, len(grades)
        pyramid = rng.choice(district.pyramid_count, size=n, p=district.pyramid_weight)
        cumulative = district.pyramid_races[pyramid].cumsum(axis=1)
        race = (rng.random(n)[:, None] > cumulative).sum(axis=1).clip(0, len(RACES) - 1)
        sex = (rng.random(n) < 0.51).astype(np.int8)
        frl = (rng.random(n) < district.pyramid_frl[pyramid]).astype(np.int8)
        sped = (rng.random(n) < np.where(sex == 1, 0.16, 0.09)).astype(np.int8)
        ell = (rng.random(n) < ELL_BY_RACE[race] * (1.0 - grades / 20)).astype(np.int8)
        propensity = rng.lognormal(0.0, 0.8, n) * (1.0 + 0.3 * frl + 0.3 * sped + 0.05 * ell)
        academic = rng.normal(0.0, 0.9, n) - 0.35 * frl - 0.45 * sped - 0.15 * ell - 0.35 * np.log(propensity)
        start = len(self.sex)
        self.sex = np.r_[self.sex, sex]
        self.race = np.r_[self.race, race.astype(np.int8)]
        self.ell = np.r_[self.ell, ell]
        self.sped = np.r_[self.sped, sped]
        self.frl = np.r_[self.frl, frl]
        self.propensity = np.r_[self.propensity, propensity]
        self.academic = np.r_[self.academic, academic]
        self.pyramid = np.r_[self.pyramid, pyramid]
        self.held_back_in_12 = np.r_[self.held_back_in_12, np.zeros(n, dtype=bool)]
        return np.arange(start, start + n)

    def _improvement(self, year: int, effects: tuple, neutral) -> np.ndarray:
        """Per school: the innovation effect this year, `neutral` where there is none."""
        out = np.full(len(self.district.ids), neutral)
        if self.improvement_start_year is not None and year >= self.improvement_start_year:
            out[self.district.improving] = effects[min(year - self.improvement_start_year, 1)]
        return out

    def simulate_year(self, year: int) -> pa.Table:
        """Enrollments, marks and staff of one school year; returns its attendance events."""
        rng, district = self.rng, self.district
        days = _school_calendar(year)
        self.calendar[year] = days
        n_days = len(days)
        students, grade, school = self.active, self.grade, self.school
        count = len(students)
        entry = np.where(rng.random(count) < 0.05, rng.integers(1, 15, count), 0)
        exit_ = np.full(count, NO_EXIT)
        exit_type = np.full(count, NO_EXIT)
        parts = []
        # Leaving during the year: more often in high school and for low-income students.
        leave_rate = 0.045 * (1 + 0.5 * self.frl[students]) * np.where(grade >= 9, 1.4, 1.0)
        leaving = np.flatnonzero(rng.random(count) < leave_rate)
        exit_[leaving] = rng.integers(entry[leaving] + 10, n_days - 15)
        high = grade[leaving] >= 9
        reason = np.where(
            high,
            rng.choice(4, size=len(leaving), p=[0.38, 0.28, 0.16, 0.18]),
            rng.choice(3, size=len(leaving), p=[0.45, 0.38, 0.17]),
        )
        reason_types = np.array([EXIT["transfer_in_district"], EXIT["transfer_out_documented"],
                                 EXIT["transfer_out_undocumented"], EXIT["dropout"]])
        exit_type[leaving] = reason_types[reason]
        parts.append(_Stints(students, school, grade, entry, exit_, exit_type))
        # Second stints: in-district transfers start elsewhere within days; some leavers come back weeks later.
        moving = leaving[reason == 0]
        returning = leaving[(reason > 0) & (rng.random(len(leaving)) < 0.25)]
        second_school = np.r_[district.elsewhere(rng, school[moving]), school[returning]]
        second_entry = np.r_[exit_[moving] + rng.integers(1, 6, len(moving)),
                             exit_[returning] + rng.integers(10, 45, len(returning))]
        second = np.r_[moving, returning]
        back = second_entry < n_days - 5
        second, second_school, second_entry = second[back], second_school[back], second_entry[back]
        parts.append(_Stints(students[second], second_school, grade[second], second_entry,
                             np.full(len(second), NO_EXIT), np.full(len(second), NO_EXIT)))
        # Newcomers during the year.
        arriving_grades = rng.integers(0, 13, max(1, round(0.035 * count)))
        arriving = self._new_students(arriving_grades)
        arriving_school = district.assign(rng, self.pyramid[arriving], arriving_grades)
        parts.append(_Stints(arriving, arriving_school, arriving_grades,
                             rng.integers(10, n_days - 30, len(arriving)), np.full(len(arriving), NO_EXIT),
                             np.full(len(arriving), NO_EXIT)))
        stints = _Stints.concat(parts)
        self._end_of_year(year, stints, n_days)
        self.enrollments.append((year, stints))
        attendance, absence_rate = self._attendance(year, stints, days)
        self._marks(year, stints, absence_rate, n_days)
        self._staff(year, stints)
        return attendance

    def _end_of_year(self, year: int, stints: _Stints, n_days: int) -> None:
        """Graduation, summer leavers and moves, retention; sets next year's students, grades and schools."""
        rng, district = self.rng, self.district
        last = n_days - 1
        open_ = np.flatnonzero(stints.exit == NO_EXIT)
        student, grade, school = stints.student[open_], stints.grade[open_], stints.school[open_]
        seniors = grade == 12
        graduates = seniors & (rng.random(len(open_)) < 1 / (1 + np.exp(-(2.0 + 1.1 * self.academic[student]))))
        repeat_senior = seniors & ~graduates & ~self.held_back_in_12[student] & (rng.random(len(open_)) < 0.5)
        senior_dropout = seniors & ~graduates & ~repeat_senior
        others = ~seniors
        draw = rng.random(len(open_))
        summer_leaver = others & (draw < 0.04 * (1 + 0.4 * self.frl[student]))
        summer_move = others & ~summer_leaver & (draw > 0.97)
        exit_type = np.full(len(open_), NO_EXIT)
        exit_type[graduates] = np.where(rng.random(graduates.sum()) < 0.93, EXIT["graduated_regular"],
                                        EXIT["graduated_other"])
        exit_type[senior_dropout] = EXIT["dropout"]
        exit_type[summer_leaver] = np.where(rng.random(summer_leaver.sum()) < 0.7, EXIT["transfer_out_documented"],
                                            EXIT["transfer_out_undocumented"])
        exit_type[summer_move] = EXIT["transfer_in_district"]
        ended = exit_type != NO_EXIT
        stints.exit[open_[ended]] = last
        stints.exit_type[open_[ended]] = exit_type[ended]
        staying = ~(graduates | senior_dropout | summer_leaver)
        self.held_back_in_12[student[repeat_senior]] = True
        retained = repeat_senior | (others & (rng.random(len(open_)) < 0.015))
        next_grade = np.where(retained, grade, np.minimum(grade + 1, 12))
        next_school = school.copy()
        moved = summer_move
        next_school[moved] = district.elsewhere(rng, school[moved])
        self.pyramid[student[moved]] = district.pyramid[next_school[moved]]
        changing_level = GRADE_LEVEL[next_grade] != GRADE_LEVEL[grade]
        next_school[changing_level] = district.assign(rng, self.pyramid[student[changing_level]],
                                                      next_grade[changing_level])
        # Next year's newcomers: a kindergarten cohort and movers-in at every grade replacing the leavers.
        kindergarten = max(1, round(self.kindergarten_size * rng.lognormal(0.0, 0.03)))
        movers_in = round(0.9 * summer_leaver.sum())
        new_grades = np.r_[np.zeros(kindergarten, dtype=np.int64), rng.integers(1, 13, movers_in)]
        newcomers = self._new_students(new_grades)
        self.active = np.r_[student[staying], newcomers]
        self.grade = np.r_[next_grade[staying], new_grades]
        self.school = np.r_[next_school[staying], district.assign(rng, self.pyramid[newcomers], new_grades)]

    def _attendance(self, year: int, stints: _Stints, days: np.ndarray) -> tuple[pa.Table, np.ndarray]:
        """Daily events for every enrolled day of every stint; returns them and each stint's absence rate."""
        rng, district = self.rng, self.district
        n_days = len(days)
        end = np.where(stints.exit == NO_EXIT, n_days - 1, stints.exit)
        length = end - stints.entry + 1
        student = stints.student
        rate = (BASE_ABSENCE * GRADE_ABSENCE[stints.grade] * YEAR_ABSENCE.get(year, 1.0)
                * district.absence_effect[stints.school] * self.propensity[student]
                * self._improvement(year, IMPROVED_ABSENCE, 1.0)[stints.school]).clip(0, 0.85)
        stint_of_day = np.repeat(np.arange(len(length), dtype=np.int32), length)
        starts = np.cumsum(length) - length
        day = (np.arange(len(stint_of_day), dtype=np.int32) - starts[stint_of_day] + stints.entry[stint_of_day])
        weekday = (days.view("int64") - 4) % 7
        p_absent = rate[stint_of_day] * WEEKDAY_ABSENCE[weekday][day]
        draw = rng.random(len(day), dtype=np.float32)
        tardy_rate = TARDY_RATE * np.sqrt(self.propensity[student])[stint_of_day]
        category = np.full(len(day), -1, dtype=np.int8)
        absent = draw < p_absent
        category[absent] = 0
        category[~absent & (draw < p_absent + tardy_rate)] = 2
        category[(category == -1) & (draw < p_absent + tardy_rate + EARLY_DEPARTURE_RATE)] = 3
        events = np.flatnonzero(category >= 0)
        event_stint = stint_of_day[events]
        event_category = category[events]
        absences = event_category == 0
        unexcused_share = 0.35 + 0.2 * self.frl[student[event_stint[absences]]] + 0.15 * (
            stints.grade[event_stint[absences]] >= 9)
        event_category[absences] = np.where(rng.random(absences.sum()) < unexcused_share, 1, 0)
        absence_rate = np.bincount(event_stint[absences], minlength=len(length)) / length
        self.attendance_rows += len(events)
        table = pa.table({
            "student_id": _ids("student", student[event_stint]),
            "school_id": _take(district.ids, stints.school[event_stint]),
            "date": _dates(days[day[events]]),
            "category": _take(np.array(ATTENDANCE_CATEGORIES, dtype=object), event_category),
        })
        return table, absence_rate

    def _marks(self, year: int, stints: _Stints, absence_rate: np.ndarray, n_days: int) -> None:
        """S1 marks where a stint covers the semester's last day, S2 marks where it covers the year's."""
        rng, district = self.rng, self.district
        end = np.where(stints.exit == NO_EXIT, n_days - 1, stints.exit)
        boost = self._improvement(year, IMPROVED_MARKS, 0.0)
        for term, term_end in (("S1", n_days // 2 - 1), ("S2", n_days - 1)):
            marked = np.flatnonzero((stints.grade >= 6) & (stints.entry <= term_end) & (end >= term_end))
            who = np.repeat(marked, len(SUBJECTS))
            subject = np.tile(np.arange(len(SUBJECTS)), len(marked))
            latent = (self.academic[stints.student[who]] + district.mark_effect[stints.school[who]]
                      + boost[stints.school[who]] - 5.0 * (absence_rate[who] - 0.05)
                      + 0.15 * (subject == 4) + rng.normal(0.0, 0.75, len(who)))
            letter = np.searchsorted(MARK_CUTS, latent)
            credits = np.where((stints.grade[who] >= 9) & (letter > 0), 0.5, 0.0)
            self.marks.append(pa.table({
                "student_id": _ids("student", stints.student[who]),
                "school_id": _take(district.ids, stints.school[who]),
                "school_year": pa.array(np.full(len(who), year, dtype=np.int32)),
                "term": pa.array(np.full(len(who), term, dtype=object), pa.string()),
                "subject": _take(np.array(SUBJECTS, dtype=object), subject),
                "credits_earned": pa.array(credits),
                "mark": _take(MARK_LETTERS.astype(object), letter),
            }))

    def _staff(self, year: int, stints: _Stints) -> None:
        """One principal per school and a teacher for every 16 students; each year some stay, move or leave."""
        rng, district = self.rng, self.district
        school_count = len(district.ids)
        enrolled = np.bincount(stints.school[stints.exit == NO_EXIT], minlength=school_count)
        teachers_needed = np.where(district.level >= 0, np.maximum(3, enrolled // STUDENTS_PER_TEACHER), 0)
        if self.staff_count:
            previous = self.staff_rows[-1]
            staff, school, role = previous[0], previous[1], previous[3]
            leave_rate = np.where(self._improvement(year, (True, True), False)[school], IMPROVED_TEACHER_LEAVING,
                                  TEACHER_LEAVING)
            draw = rng.random(len(staff))
            stay = draw >= leave_rate
            move = stay & (draw < leave_rate + TEACHER_MOVING) & (role == 1)
            school = school.copy()
            school[move] = district.elsewhere(rng, school[move])
            staff, school, role = staff[stay], school[stay], role[stay]
        else:
            staff = school = role = np.empty(0, dtype=np.int64)
        keep = np.ones(len(staff), dtype=bool)
        hires_school, hires_role = [], []
        for index in range(school_count):
            if district.level[index] < 0:
                continue
            here = np.flatnonzero(school == index)
            principals, teachers = here[role[here] == 0], here[role[here] == 1]
            keep[principals[1:]] = False
            keep[teachers[teachers_needed[index]:]] = False
            hires_school += [index] * (int(len(principals) == 0) + max(0, teachers_needed[index] - len(teachers)))
            hires_role += [0] * int(len(principals) == 0) + [1] * max(0, teachers_needed[index] - len(teachers))
        hired = np.arange(self.staff_count, self.staff_count + len(hires_school))
        self.staff_count += len(hires_school)
        self.staff_rows.append((np.r_[staff[keep], hired], np.r_[school[keep], hires_school].astype(np.int64),
                                year, np.r_[role[keep], hires_role].astype(np.int64)))

    def tables(self, lea_id: str) -> dict[str, pa.Table]:
        """Every bundle table but attendance (written year by year)."""
        district = self.district
        calendar_school = np.repeat(np.arange(len(district.ids)), sum(len(d) for d in self.calendar.values()))
        calendar_days = np.tile(np.concatenate(list(self.calendar.values())), len(district.ids))
        calendar_years = np.tile(np.concatenate([np.full(len(d), y, dtype=np.int32)
                                                 for y, d in self.calendar.items()]), len(district.ids))
        enrollment_parts = []
        for year, stints in self.enrollments:
            days = self.calendar[year]
            has_exit = stints.exit != NO_EXIT
            exit_dates = _dates(days[np.maximum(stints.exit, 0)], mask=~has_exit)
            enrollment_parts.append(pa.table({
                "student_id": _ids("student", stints.student),
                "school_id": _take(district.ids, stints.school),
                "school_year": pa.array(np.full(len(stints.student), year, dtype=np.int32)),
                "grade_level": pa.array(stints.grade.astype(np.int32)),
                "entry_date": _dates(days[stints.entry]),
                "exit_date": exit_dates,
                "exit_type": _take(np.array(EXIT_TYPES, dtype=object), stints.exit_type),
            }))
        staff = self.staff_rows
        return {
            "school": pa.table({
                "school_id": pa.array(district.ids.tolist(), pa.string()),
                "name": pa.array([s.name for s in district.schools], pa.string()),
                "lea_id": pa.array([lea_id] * len(district.ids), pa.string()),
                "level": pa.array([s.level if s.level in LEVELS else "other" for s in district.schools], pa.string()),
            }),
            "student": pa.table({
                "student_id": _ids("student", np.arange(len(self.sex))),
                "sex": _take(np.array(SEXES, dtype=object), self.sex),
                "race_ethnicity": _take(np.array(RACES, dtype=object), self.race),
                "ell": pa.array(self.ell), "sped": pa.array(self.sped), "frl": pa.array(self.frl),
            }),
            "calendar_date": pa.table({
                "school_id": _take(district.ids, calendar_school),
                "school_year": pa.array(calendar_years),
                "date": _dates(calendar_days),
            }),
            "student_school_association": pa.concat_tables(enrollment_parts),
            "student_section_association": pa.concat_tables(
                [self._sections(year, stints) for year, stints in self.enrollments]),
            "course_mark": pa.concat_tables(self.marks),
            "staff_school_association": pa.table({
                "staff_id": _ids("staff", np.concatenate([s[0] for s in staff])),
                "school_id": _take(district.ids, np.concatenate([s[1] for s in staff])),
                "school_year": pa.array(np.concatenate([np.full(len(s[0]), s[2], dtype=np.int32) for s in staff])),
                "role": _take(np.array(["principal", "teacher"], dtype=object), np.concatenate([s[3] for s in staff])),
            }),
        }


    def _sections(self, year: int, stints: _Stints) -> pa.Table:
        """The year's class sections: the students of each school and grade (by their first stint there) shuffled
        and dealt into sections of about STUDENTS_PER_SECTION, coded "G<grade>-<number>" (e.g. G03-2)."""
        _, first = np.unique(stints.student * len(self.district.ids) + stints.school, return_index=True)
        student, school, grade = stints.student[first], stints.school[first], stints.grade[first]
        group = school * 13 + grade
        order = np.lexsort((self.rng.permutation(len(group)), group))
        group_sorted = group[order]
        starts = np.r_[0, np.flatnonzero(np.diff(group_sorted)) + 1]
        sizes = np.diff(np.r_[starts, len(group_sorted)])
        rank = np.arange(len(group_sorted)) - np.repeat(starts, sizes)
        sections = np.repeat(np.maximum(1, np.rint(sizes / STUDENTS_PER_SECTION)).astype(np.int64), sizes)
        number = np.empty(len(group), dtype=np.int64)
        number[order] = rank % sections
        codes = np.array([f"G{g:02d}-{n + 1}" for g in range(13) for n in range(MAX_SECTIONS)], dtype=object)
        return pa.table({
            "student_id": _ids("student", student),
            "school_id": _take(self.district.ids, school),
            "school_year": pa.array(np.full(len(student), year, dtype=np.int32)),
            "section_id": _take(codes, grade * MAX_SECTIONS + np.minimum(number, MAX_SECTIONS - 1)),
        })


def _take(values: np.ndarray, codes: np.ndarray) -> pa.Array:
    """values[codes] (null where a code is negative) as an Arrow string array, through a small dictionary."""
    codes = np.asarray(codes)
    indices = _int32(codes, codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values.tolist(), pa.string())).cast(pa.string())


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """numpy days as an Arrow date32 array (through their day numbers: no pandas needed)."""
    return _int32(days.astype("datetime64[D]").view("int64"), mask).view(pa.date32())


def _int32(values: np.ndarray, null: np.ndarray | None) -> pa.Array:
    """An Arrow int32 array, null where `null` holds (a validity bitmap: pa.array's mask would load pandas)."""
    data = pa.py_buffer(np.ascontiguousarray(values, dtype=np.int32))
    if null is None or not null.any():
        return pa.Array.from_buffers(pa.int32(), len(values), [None, data])
    validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.Array.from_buffers(pa.int32(), len(values), [validity, data], null_count=int(null.sum()))


def _ids(kind: str, numbers: np.ndarray) -> pa.Array:
    """The district's raw ids: students 9 digits from 100000001, staff E and 6 digits."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if not len(numbers):
        return pa.array([], pa.string())
    unique, codes = np.unique(numbers, return_inverse=True)
    labels = [f"{100000001 + n}" for n in unique.tolist()] if kind == "student" else [
        f"E{200001 + n}" for n in unique.tolist()]
    return _take(np.array(labels, dtype=object), codes)
