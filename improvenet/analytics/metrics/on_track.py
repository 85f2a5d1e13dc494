"""Chicago's 9th-grade on-track indicator: first-time 9th graders with enough credits and at most one core F.

Definition, edge cases and opt-outs: docs/metrics.md, "on-track".
"""

from __future__ import annotations

import narwhals as nw
import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.metrics.common import finish, group_counts, pick_one, without_opted_out
from improvenet.analytics.schema import CORE_SUBJECTS
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT

PERIOD = "school_year"
# Credits are summed in hundredths, as integers, so 0.7 × 5 + 0.3 × 5 is exactly 5.0 on every engine.
CREDIT_HUNDREDTHS = 100
MIN_CREDITS = 5.0
MAX_CORE_FAILURES = 1


def on_track_facts(tables: Tables, school_year: int | None) -> nw.LazyFrame:
    """One row per first-time 9th grader for their school and for the district: `on_track` is 1 or 0."""
    grade_9 = without_opted_out(tables["student_school_association"], tables).filter(nw.col("grade_level") == 9)
    first_years = grade_9.group_by("student_id").agg(nw.col("school_year").min().alias("first_year"))
    first_records = grade_9.join(first_years, on="student_id", how="inner").filter(
        nw.col("school_year") == nw.col("first_year")
    )
    if school_year is not None:
        first_records = first_records.filter(nw.col("school_year") == school_year)
    students = pick_one(
        first_records.select("student_id", "school_id", "school_year", "entry_date"),
        ["student_id"],
        [("entry_date", "min"), ("school_id", "min")],
    ).select("student_id", "school_id", "school_year")
    marks = (
        tables["course_mark"]
        .join(students.select("student_id", "school_year"), on=["student_id", "school_year"], how="inner")
        .group_by("student_id")
        .agg(
            (nw.col("credits_earned").fill_null(0) * CREDIT_HUNDREDTHS).round(0).cast(nw.Int64).sum()
            .alias("credit_hundredths"),
            ((nw.col("mark") == "F") & nw.col("subject").is_in(CORE_SUBJECTS)).cast(nw.Int64).sum()
            .alias("core_failures"),
        )
    )
    facts = students.join(marks, on="student_id", how="left").select(
        "student_id",
        nw.col("school_id").cast(nw.String),
        nw.col("school_year").cast(nw.Int64),
        (
            (nw.col("credit_hundredths").fill_null(0) >= round(MIN_CREDITS * CREDIT_HUNDREDTHS))
            & (nw.col("core_failures").fill_null(0) <= MAX_CORE_FAILURES)
        ).cast(nw.Int64).alias("on_track"),
    )
    facts = tables.materialize(facts)
    return nw.concat([facts, facts.with_columns(school_id=nw.lit(DISTRICT).cast(nw.String))], how="vertical")


def on_track(tables: Tables, min_n: int = DEFAULT_MIN_N, school_year: int | None = None) -> pa.Table:
    """`school_id, school_year, group, students, on_track, rate, suppressed` for one year, or every year."""
    facts = on_track_facts(tables, school_year)
    counts = group_counts(facts, tables, PERIOD, "on_track")
    return finish(counts, PERIOD, "students", "on_track", min_n)
