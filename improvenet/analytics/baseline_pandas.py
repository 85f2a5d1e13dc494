"""Chronic absenteeism written the straightforward way in pandas: the baseline of bench/bench_metrics.py.

Same definition as `metrics.chronic_absenteeism` (docs/metrics.md) and the same published table
(it ends in the same `finish`), computed with pandas merges of stints and calendar, one school year at
a time (all years at once would hold about 100 million student-days in memory for a 100,000-student district).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd
import pyarrow as pa

from improvenet.analytics.metrics.common import CHARACTERISTICS, UNKNOWN, finish
from improvenet.analytics.schema import ABSENCE_CATEGORIES
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT


def read_tables(parquet_dir: Path) -> dict[str, pd.DataFrame]:
    """The store tables the metric needs, from `<table>.parquet` files."""
    names = ("student", "calendar_date", "student_school_association", "student_school_attendance_event",
             "student_opt_out")
    return {name: pd.read_parquet(parquet_dir / f"{name}.parquet") for name in names}


def chronic_absenteeism_pandas(
    tables: dict[str, pd.DataFrame], min_n: int = DEFAULT_MIN_N, min_enrolled_days: int = 10, threshold: float = 0.10
) -> pa.Table:
    opted_out = set(tables["student_opt_out"]["student_id"])
    stints = tables["student_school_association"]
    stints = stints[~stints["student_id"].isin(opted_out)]
    calendar = tables["calendar_date"]
    absences = tables["student_school_attendance_event"]
    absences = absences[absences["category"].isin(ABSENCE_CATEGORIES)][["student_id", "school_id", "date"]]
    absences = absences.drop_duplicates().assign(absent=1)
    per_school = []
    for year, year_stints in stints.groupby("school_year"):
        year_calendar = calendar[calendar["school_year"] == year]
        last_days = year_calendar.groupby("school_id")["date"].max().rename("last_day").reset_index()
        year_stints = year_stints.merge(last_days, on="school_id")
        year_stints["stint_end"] = year_stints["exit_date"].fillna(year_stints["last_day"])
        days = year_stints.merge(year_calendar, on=["school_id", "school_year"])
        days = days[(days["date"] >= days["entry_date"]) & (days["date"] <= days["stint_end"])]
        days = days[["student_id", "school_id", "school_year", "date"]].drop_duplicates()
        days = days.merge(absences, on=["student_id", "school_id", "date"], how="left")
        per_school.append(
            days.groupby(["student_id", "school_id", "school_year"], as_index=False)
            .agg(enrolled=("date", "size"), absent=("absent", "sum"))
        )
    per_school = pd.concat(per_school, ignore_index=True)
    per_district = per_school.groupby(["student_id", "school_year"], as_index=False)[["enrolled", "absent"]].sum()
    facts = pd.concat([per_school, per_district.assign(school_id=DISTRICT)], ignore_index=True)
    facts = facts[facts["enrolled"] >= min_enrolled_days]
    ratio = Fraction(threshold).limit_denominator(1_000_000)
    facts["chronic"] = (facts["absent"] * ratio.denominator >= facts["enrolled"] * ratio.numerator).astype("int64")
    students = tables["student"].set_index("student_id")[list(CHARACTERISTICS)]
    facts = facts.join(students, on="student_id")
    facts[["sex", "race_ethnicity"]] = facts[["sex", "race_ethnicity"]].fillna(UNKNOWN)
    facts[["ell", "sped", "frl"]] = facts[["ell", "sped", "frl"]].fillna(0).astype("int64")
    counts = facts.groupby(["school_id", "school_year", *CHARACTERISTICS], as_index=False).agg(
        people=("student_id", "size"), outcomes=("chronic", "sum")
    )
    return finish(counts, "school_year", "students", "chronic", min_n)
