"""Four-year adjusted cohort graduation rate (ACGR) of the cohort entering grade 9 in a school year.

Definition, tie-breaks, edge cases and opt-outs: docs/metrics.md, "graduation-rate".
"""

from __future__ import annotations

import narwhals as nw
import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.metrics.common import (
    OPEN_EXIT,
    MetricError,
    data_years,
    finish,
    group_counts,
    pick_one,
    without_opted_out,
)
from improvenet.analytics.schema import COHORT_REMOVING_EXITS
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT

PERIOD = "cohort_year"
YEARS_TO_GRADUATE = 4
GRADUATING_EXIT = "graduated_regular"


def cohort_members(enrollments: nw.LazyFrame) -> nw.LazyFrame:
    """`student_id, cohort_year` of every student who belongs to some cohort.

    A student with a grade-9 record belongs to the cohort of their first grade-9 year. A student without
    one belongs to cohort Y when their first record (earliest year, then earliest entry date, then lowest
    grade) is in grade 10 in Y+1, grade 11 in Y+2 or grade 12 in Y+3.
    """
    first_grade_9 = (
        enrollments.filter(nw.col("grade_level") == 9)
        .group_by("student_id")
        .agg(nw.col("school_year").min().alias("first_grade_9"))
    )
    first_records = pick_one(
        enrollments.select("student_id", "school_year", "entry_date", "grade_level").unique(),
        ["student_id"],
        [("school_year", "min"), ("entry_date", "min"), ("grade_level", "min")],
    )
    late_joiners = first_records.filter(nw.col("grade_level").is_between(10, 12, closed="both")).select(
        "student_id", (nw.col("school_year") - nw.col("grade_level") + 9).alias("cohort_year")
    )
    columns = [nw.col("student_id"), nw.col("cohort_year").cast(nw.Int64)]
    by_grade_9 = first_grade_9.select("student_id", nw.col("first_grade_9").alias("cohort_year"))
    joined_late = late_joiners.join(first_grade_9, on="student_id", how="anti")
    return nw.concat([by_grade_9.select(columns), joined_late.select(columns)], how="vertical")


def graduation_facts(tables: Tables, cohort_year: int | None, last_year: int) -> nw.LazyFrame:
    """One row per kept cohort member for their school and for the district: `graduate` is 1 or 0."""
    enrollments = without_opted_out(tables["student_school_association"], tables).with_columns(
        exit_key=nw.col("exit_date").fill_null(OPEN_EXIT),
        exit_type=nw.col("exit_type").fill_null(""),
    )
    members = cohort_members(enrollments)
    if cohort_year is not None:
        members = members.filter(nw.col("cohort_year") == cohort_year)
    else:
        members = members.filter(nw.col("cohort_year") + YEARS_TO_GRADUATE - 1 <= last_year)
    window = enrollments.join(members, on="student_id", how="inner").filter(
        nw.col("school_year").is_between(
            nw.col("cohort_year"), nw.col("cohort_year") + YEARS_TO_GRADUATE - 1, closed="both"
        )
    )
    window = tables.materialize(window)
    latest_exiting = pick_one(
        window, ["student_id"],
        [("school_year", "max"), ("exit_key", "max"), ("entry_date", "max"), ("school_id", "min")],
    ).select("student_id", nw.col("exit_type").is_in(COHORT_REMOVING_EXITS).alias("removed"))
    latest_entered = pick_one(
        window, ["student_id"],
        [("entry_date", "max"), ("school_year", "max"), ("exit_key", "max"), ("school_id", "min")],
    ).select("student_id", "school_id", "cohort_year")
    graduates = (
        enrollments.join(members, on="student_id", how="inner")
        .filter(
            (nw.col("exit_type") == GRADUATING_EXIT)
            & (nw.col("school_year") <= nw.col("cohort_year") + YEARS_TO_GRADUATE - 1)
        )
        .select("student_id")
        .unique()
        .with_columns(graduate=nw.lit(1))
    )
    kept = (
        latest_entered.join(latest_exiting.filter(~nw.col("removed")), on="student_id", how="semi")
        .join(graduates, on="student_id", how="left")
        .select(
            "student_id", nw.col("school_id").cast(nw.String), "cohort_year",
            nw.col("graduate").fill_null(0).cast(nw.Int64),
        )
    )
    kept = tables.materialize(kept)
    district = kept.with_columns(school_id=nw.lit(DISTRICT).cast(nw.String))
    return nw.concat([kept, district], how="vertical")


def graduation_rate(tables: Tables, min_n: int = DEFAULT_MIN_N, cohort_year: int | None = None) -> pa.Table:
    """`school_id, cohort_year, group, cohort, graduates, rate, suppressed` for one cohort, or every complete one."""
    years = data_years(tables)
    if years is None:
        raise MetricError("the store has no enrollment records: load data first")
    last_year = years[1]
    if cohort_year is not None and cohort_year + YEARS_TO_GRADUATE - 1 > last_year:
        raise MetricError(
            f"cohort {cohort_year} needs enrollment records through {cohort_year + YEARS_TO_GRADUATE - 1}; "
            f"the store ends with school year {last_year}: choose a cohort year up to {last_year - 3}"
        )
    facts = graduation_facts(tables, cohort_year, last_year)
    counts = group_counts(facts, tables, PERIOD, "graduate")
    return finish(counts, PERIOD, "cohort", "graduates", min_n)
