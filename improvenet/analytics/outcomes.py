"""Student outcomes for studies: one value per student and school year, read from the store on its engine.

A metric (improvenet.analytics.metrics) publishes suppressed rates per school; a study needs each student's
value, to split its variance between students and schools (improvenet.studies.variance) and to estimate an
impact (improvenet.studies.impact). The outcomes:

- `absence-rate`: days absent per 100 enrolled days in the school year (lower is better), over every school the
  student attended, counted as chronic absenteeism counts them (docs/metrics.md); students enrolled fewer than
  MIN_ENROLLED_DAYS days are left out;
- `chronic-absenteeism`: 1 when the student was absent on at least 10% of at least 10 enrolled days, else 0 (the
  metric's defaults, per student: a linear probability outcome);
- `on-track`: 1 when a first-time ninth grader is on track at the end of the year, else 0 (the metric's rule);
- `gpa`: the mean of the year's semester marks on the 4-point scale (A = 4 … F = 0; higher is better);
- `assessment/<assessment>/<subject>`: the mean score of that assessment in the year (higher is better).

Each student-year is placed at one school: the one with the most enrolled days, marks or scores (ties: the
lowest school id). Students whose families opted out are never read. Pure: no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

# narwhals, Arrow and DuckDB load in the functions that read a store: a study's model only names its outcomes, and
# Django's start (`improvenet invite`, say) must not wait for them.
if TYPE_CHECKING:
    import narwhals as nw
    import pyarrow as pa

    from improvenet.analytics.engines import Tables

MIN_ENROLLED_DAYS = 20
# Chronic absenteeism per student, with the metric's default options (docs/metrics.md).
CHRONIC_MIN_DAYS, CHRONIC_ONE_DAY_IN = 10, 10
MARK_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1, "F": 0}
ENROLLMENT_FIELDS = ("student_school_association.*",)
SECTION_FIELDS = ("student_section_association.*",)
COLUMNS = ("student_id", "school_id", "school_year", "value")


class OutcomeError(ValueError):
    """An outcome the store cannot give; the message names it and the choices."""


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    unit: str
    favourable: str
    """"higher" or "lower": the direction that is good."""
    fields: tuple[str, ...]
    """The store's `table.column` fields a read needs, which a data use agreement must permit."""


ABSENCE_RATE = Outcome("absence-rate", "absence rate", "days absent per 100 enrolled days", "lower",
                       ("student_school_association.*", "calendar_date.*", "student_school_attendance_event.*"))
GPA = Outcome("gpa", "grade point average", "grade points (A = 4, F = 0)", "higher", ("course_mark.*",))
CHRONIC = Outcome("chronic-absenteeism", "chronic absenteeism", "share of students chronically absent", "lower",
                  ABSENCE_RATE.fields)
ON_TRACK = Outcome("on-track", "ninth graders on track", "share of ninth graders on track", "higher",
                   ("student_school_association.*", "course_mark.*"))
FIXED = {known.key: known for known in (ABSENCE_RATE, GPA, CHRONIC, ON_TRACK)}


def outcome(key: str) -> Outcome:
    """The outcome named by `key`."""
    if key in FIXED:
        return FIXED[key]
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == "assessment" and parts[1] and parts[2]:
        return Outcome(key, f"{parts[1]} ({parts[2]})", "score points", "higher", ("student_assessment.*",))
    raise OutcomeError(f"There is no student outcome “{key}”: choose {', '.join(FIXED)} or "
                       "assessment/<assessment>/<subject>.")


def is_outcome(key: str) -> bool:
    try:
        outcome(key)
    except OutcomeError:
        return False
    return True


def available(tables: Tables) -> list[Outcome]:
    """The outcomes this store can give: those every store has, then each assessment and subject it holds."""
    assessments = (tables["student_assessment"].select("assessment", "subject").unique()
                   .collect(backend="pyarrow").to_native().to_pylist())
    found = sorted((row["assessment"], row["subject"]) for row in assessments)
    return [*FIXED.values(), *(outcome(f"assessment/{name}/{subject}") for name, subject in found)]


def student_values(tables: Tables, chosen: Outcome, years: Sequence[int]) -> pa.Table:
    """`student_id, school_id, school_year, value` for the school years `years` (one row per student and year)."""
    import narwhals as nw

    from improvenet.analytics.metrics.chronic_absenteeism import student_days
    from improvenet.analytics.metrics.common import pick_one, without_opted_out
    from improvenet.analytics.metrics.on_track import on_track_facts
    from improvenet.analytics.suppression import DISTRICT

    years = [int(year) for year in years]
    if chosen.key in (ABSENCE_RATE.key, CHRONIC.key):
        days = nw.concat([student_days(tables, year) for year in years], how="vertical")
        per_school = days.rename({"enrolled": "weight"})
        totals = days.group_by("student_id", "school_year").agg(nw.col("enrolled").sum(), nw.col("absent").sum())
        if chosen.key == ABSENCE_RATE.key:
            values = totals.filter(nw.col("enrolled") >= MIN_ENROLLED_DAYS).select(
                "student_id", "school_year", value=100 * nw.col("absent") / nw.col("enrolled"))
        else:
            values = totals.filter(nw.col("enrolled") >= CHRONIC_MIN_DAYS).select(
                "student_id", "school_year",
                value=(nw.col("absent") * CHRONIC_ONE_DAY_IN >= nw.col("enrolled")).cast(nw.Float64))
    elif chosen.key == ON_TRACK.key:
        facts = nw.concat([on_track_facts(tables, year) for year in years], how="vertical").filter(
            nw.col("school_id") != DISTRICT)
        per_school = facts.with_columns(weight=nw.lit(1))
        values = facts.select("student_id", "school_year", value=nw.col("on_track").cast(nw.Float64))
    elif chosen.key == GPA.key:
        marks = without_opted_out(tables["course_mark"], tables).filter(nw.col("school_year").is_in(years))
        points = marks.with_columns(points=nw.col("mark").replace_strict(MARK_POINTS, return_dtype=nw.Float64))
        per_school = points.group_by("student_id", "school_id", "school_year").agg(nw.len().alias("weight"))
        values = points.group_by("student_id", "school_year").agg(nw.col("points").mean().alias("value"))
    else:
        _, assessment, subject = chosen.key.split("/")
        scores = without_opted_out(tables["student_assessment"], tables).filter(
            nw.col("school_year").is_in(years) & (nw.col("assessment") == assessment)
            & (nw.col("subject") == subject))
        per_school = scores.group_by("student_id", "school_id", "school_year").agg(nw.len().alias("weight"))
        values = scores.group_by("student_id", "school_year").agg(nw.col("score").mean().alias("value"))
    # Each student-year at one school: the most days, marks or scores, then the lowest school id.
    placed = pick_one(per_school.select("student_id", "school_id", "school_year", "weight"),
                      ["student_id", "school_year"], [("weight", "max"), ("school_id", "min")])
    joined = values.join(placed.select("student_id", "school_year", "school_id"), on=["student_id", "school_year"],
                         how="inner")
    return _collected(joined.select(
        nw.col("student_id"), nw.col("school_id").cast(nw.String), nw.col("school_year").cast(nw.Int64),
        nw.col("value").cast(nw.Float64)))


def school_year_of(day: datetime.date) -> int:
    """The school year holding `day`, by its ending year (a school year runs from July 1 to June 30)."""
    return day.year + 1 if day.month >= 7 else day.year


def enrolled_on(tables: Tables, day: datetime.date) -> pa.Table:
    """`student_id, school_id, grade_level` of the students enrolled on `day` (one school each: the latest entry)."""
    import narwhals as nw

    from improvenet.analytics.metrics.common import OPEN_EXIT, pick_one, without_opted_out

    # An open stint (no exit date) lasts to the end of its own school year, not beyond.
    stints = without_opted_out(tables["student_school_association"], tables).filter(
        (nw.col("school_year") == school_year_of(day)) & (nw.col("entry_date") <= day)
        & (nw.col("exit_date").fill_null(OPEN_EXIT) >= day))
    picked = pick_one(stints.select("student_id", "school_id", "grade_level", "entry_date"), ["student_id"],
                      [("entry_date", "max"), ("school_id", "min")])
    return _collected(picked.select(nw.col("student_id"), nw.col("school_id").cast(nw.String),
                                    nw.col("grade_level").cast(nw.Int64)))


def enrolled_in(tables: Tables, school_year: int) -> pa.Table:
    """`student_id, school_id, grade_level` of the students enrolled at any time in `school_year` (its ending
    year), each at one school: the latest entry of the year (ties: the lowest school id)."""
    import narwhals as nw

    from improvenet.analytics.metrics.common import pick_one, without_opted_out

    stints = without_opted_out(tables["student_school_association"], tables).filter(
        nw.col("school_year") == int(school_year))
    picked = pick_one(stints.select("student_id", "school_id", "grade_level", "entry_date"), ["student_id"],
                      [("entry_date", "max"), ("school_id", "min")])
    return _collected(picked.select(nw.col("student_id"), nw.col("school_id").cast(nw.String),
                                    nw.col("grade_level").cast(nw.Int64)))


def sections_in(tables: Tables, school_year: int) -> pa.Table:
    """`student_id, school_id, section_id` of the class sections of `school_year` (its ending year), one row per
    student and section (empty when the store holds no class roster)."""
    import narwhals as nw

    from improvenet.analytics.metrics.common import without_opted_out

    rows = without_opted_out(tables["student_section_association"], tables).filter(
        nw.col("school_year") == int(school_year))
    return _collected(rows.select(nw.col("student_id"), nw.col("school_id").cast(nw.String),
                                  nw.col("section_id").cast(nw.String)))


def _collected(frame: nw.LazyFrame) -> pa.Table:
    return frame.collect(backend="pyarrow").to_native()
