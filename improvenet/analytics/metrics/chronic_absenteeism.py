"""Chronic absenteeism: the share of enrolled students absent on at least `threshold` of their enrolled days.

Definition, edge cases and opt-outs: docs/metrics.md, "chronic-absenteeism".
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import narwhals as nw
import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.metrics.common import MetricError, finish, group_counts, without_opted_out
from improvenet.analytics.schema import ABSENCE_CATEGORIES
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT

PERIOD = "school_year"
BEFORE_ANY_DAY = datetime.date(1900, 1, 1)
# The threshold is compared as a fraction p/q in integers, so 2 absent of 20 days at 0.10 is exactly 10 %.
THRESHOLD_DENOMINATOR_LIMIT = 1_000_000


def clipped_stints(tables: Tables, school_year: int | None) -> nw.LazyFrame:
    """Enrollment stints that share no day: `student_id, school_id, school_year, entry_date, stint_end, covered_to`.

    A stint's days are those after `covered_to`, the last day of the stints of the same student, school and
    year that start before it, so a day covered by two overlapping stints counts once, without a distinct
    over every student-day. `stint_end` is the exit date, or the last instructional day for an open stint.
    """
    calendar = tables["calendar_date"]
    stints = without_opted_out(tables["student_school_association"], tables)
    if school_year is not None:
        stints = stints.filter(nw.col("school_year") == school_year)
    last_days = calendar.group_by("school_id", "school_year").agg(nw.col("date").max().alias("last_day"))
    stint = ["student_id", "school_id", "school_year"]
    return (
        stints.join(last_days, on=["school_id", "school_year"], how="inner")
        .select(*stint, "entry_date", nw.coalesce(nw.col("exit_date"), nw.col("last_day")).alias("stint_end"))
        .with_columns(_reach=nw.col("stint_end").cum_max().over(*stint, order_by="entry_date"))
        .with_columns(
            covered_to=nw.col("_reach").shift(1).over(*stint, order_by="entry_date").fill_null(BEFORE_ANY_DAY)
        )
        .drop("_reach")
    )


def stint_days(tables: Tables, stints: nw.LazyFrame, calendar: nw.LazyFrame) -> nw.LazyFrame:
    """The instructional days of each clipped stint, counted without listing them: `student_id, school_id,
    school_year, entry_date, enrolled`.

    The stints' bounds are sorted among the school's calendar dates; a running count of calendar dates
    gives, at each bound, the dates before it (entry) or up to it (exit, `covered_to`): the days of a
    stint are the difference. This keeps the work proportional to stints plus calendar dates, not to
    student-days (about 100 million for 100,000 students over 6 years).
    """
    stint = ["student_id", "school_id", "school_year", "entry_date"]
    no_stint = [nw.lit(None).cast(nw.String).alias("student_id"), nw.col("school_id"), nw.col("school_year"),
                nw.lit(None).cast(nw.Date).alias("entry_date")]
    columns = [*stint, "date", "order", "bound"]
    points = nw.concat([
        calendar.select(*no_stint, "date", order=nw.lit(1), bound=nw.lit("day")).select(columns),
        # A calendar date equal to an entry date is not before it: entries sort first on their date.
        stints.select(*stint, nw.col("entry_date").alias("date"), order=nw.lit(0), bound=nw.lit("entry")),
        stints.select(*stint, nw.col("stint_end").alias("date"), order=nw.lit(2), bound=nw.lit("end")),
        stints.select(*stint, nw.col("covered_to").alias("date"), order=nw.lit(2), bound=nw.lit("covered")),
    ], how="vertical")
    ranked = tables.materialize(points.with_columns(
        dates=(nw.col("bound") == "day").cast(nw.Int64).cum_sum()
        .over("school_id", "school_year", order_by=["date", "order"])
    ).filter(nw.col("bound") != "day"))
    at = {
        bound: ranked.filter(nw.col("bound") == bound).select(*stint, nw.col("dates").alias(bound))
        for bound in ("entry", "end", "covered")
    }
    return (
        at["end"].join(at["entry"], on=stint, how="inner").join(at["covered"], on=stint, how="inner")
        .select(
            *stint,
            nw.max_horizontal(nw.col("end") - nw.max_horizontal("entry", "covered"), nw.lit(0)).alias("enrolled"),
        )
    )


def student_days(tables: Tables, school_year: int | None = None) -> nw.LazyFrame:
    """Enrolled and absent days per student, school and year: `student_id, school_id, school_year, enrolled, absent`.

    A day counts once even when two enrollment stints or two absence events cover it.
    """
    stints = tables.materialize(clipped_stints(tables, school_year))
    calendar = tables["calendar_date"]
    if school_year is not None:
        calendar = calendar.filter(nw.col("school_year") == school_year)
    in_stint = (nw.col("date") >= nw.col("entry_date")) & (nw.col("date") <= nw.col("stint_end")) & (
        nw.col("date") > nw.col("covered_to")
    )
    key = ["student_id", "school_id", "school_year"]
    enrolled = stint_days(tables, stints, calendar).group_by(*key).agg(nw.col("enrolled").sum())
    absences = (
        tables["student_school_attendance_event"]
        .filter(nw.col("category").is_in(ABSENCE_CATEGORIES))
        .select("student_id", "school_id", "date")
    )
    # Counting distinct dates per stint, not events: two events on one day are one absent day.
    absent = (
        absences.join(calendar, on=["school_id", "date"], how="inner")
        .join(stints, on=key, how="inner")
        .filter(in_stint)
        .group_by(*key)
        .agg(nw.col("date").n_unique().alias("absent"))
    )
    return enrolled.join(absent, on=key, how="left").select(
        *key, nw.col("enrolled").cast(nw.Int64), nw.col("absent").fill_null(0).cast(nw.Int64)
    )


def chronic_facts(
    tables: Tables, min_enrolled_days: int, threshold: float, school_year: int | None = None
) -> nw.LazyFrame:
    """One row per student and school, and per student for the district: `chronic` is 1 or 0."""
    per_school = tables.materialize(student_days(tables, school_year))
    per_district = (
        per_school.group_by("student_id", "school_year")
        .agg(nw.col("enrolled").sum(), nw.col("absent").sum())
        .with_columns(school_id=nw.lit(DISTRICT))
    )
    columns = [
        nw.col("student_id"), nw.col("school_id").cast(nw.String), nw.col("school_year").cast(nw.Int64),
        nw.col("enrolled").cast(nw.Int64), nw.col("absent").cast(nw.Int64),
    ]
    facts = nw.concat([per_school.select(columns), per_district.select(columns)], how="vertical")
    ratio = Fraction(threshold).limit_denominator(THRESHOLD_DENOMINATOR_LIMIT)
    return facts.filter(nw.col("enrolled") >= min_enrolled_days).select(
        "student_id", "school_id", "school_year",
        (nw.col("absent") * ratio.denominator >= nw.col("enrolled") * ratio.numerator).cast(nw.Int64).alias("chronic"),
    )


def chronic_absenteeism(
    tables: Tables,
    min_n: int = DEFAULT_MIN_N,
    min_enrolled_days: int = 10,
    threshold: float = 0.10,
    school_year: int | None = None,
) -> pa.Table:
    """`school_id, school_year, group, students, chronic, rate, suppressed` for every school, year and group."""
    if not 0 < threshold <= 1:
        raise MetricError(f"threshold must be above 0 and at most 1 (a share of enrolled days), not {threshold}")
    if min_enrolled_days < 1:
        raise MetricError(f"min_enrolled_days must be at least 1, not {min_enrolled_days}")
    facts = chronic_facts(tables, min_enrolled_days, threshold, school_year)
    counts = group_counts(facts, tables, PERIOD, "chronic")
    return finish(counts, PERIOD, "students", "chronic", min_n)
