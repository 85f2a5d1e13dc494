"""Teacher retention: who stayed in their school, moved to another school of the district, or left; and
Kaplan–Meier retention curves by entry cohort.

Definition, edge cases and suppression: docs/metrics.md, "teacher-retention".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import narwhals as nw
import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.metrics.common import RATE_DIGITS, MetricError, sort_rows, to_arrow
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT, suppress
from improvenet.analytics.survival import yearly_retention

if TYPE_CHECKING:  # pandas takes seconds to load: each function that needs it imports it
    import pandas as pd


TEACHER_ROLE = "teacher"
OUTCOMES = ("stayed", "moved", "left")
VIEWS = ("shares", "curves")
CURVE_COLUMNS = ("cohort", "years", "survival", "ci_lower", "ci_upper", "at_risk", "suppressed")


def transitions(tables: Tables) -> nw.LazyFrame:
    """`school_id, school_year, staff_id, stayed, moved, left` (one of them 1) per teacher, school and year
    whose next school year is in the data, plus one row per teacher and year for the district (`ALL`).

    The next year's records count whatever their role: a teacher who becomes the school's principal stayed.
    """
    staff = tables["staff_school_association"]
    years = staff.select("school_year").unique()
    with_next = years.join(
        years.select((nw.col("school_year") - 1).alias("school_year")), on="school_year", how="semi"
    )
    teachers = (
        staff.filter(nw.col("role") == TEACHER_ROLE)
        .select("staff_id", "school_id", "school_year")
        .unique()
        .join(with_next, on="school_year", how="semi")
        .with_columns(next_year=nw.col("school_year") + 1)
    )
    next_school = staff.select("staff_id", "school_id", nw.col("school_year").alias("next_year")).unique()
    next_present = next_school.select("staff_id", "next_year").unique()
    flagged = (
        teachers.join(next_school.with_columns(same=nw.lit(1)), on=["staff_id", "school_id", "next_year"], how="left")
        .join(next_present.with_columns(present=nw.lit(1)), on=["staff_id", "next_year"], how="left")
        .select(
            "staff_id", "school_id", "school_year",
            nw.col("same").fill_null(0).alias("same"), nw.col("present").fill_null(0).alias("present"),
        )
    )
    flagged = tables.materialize(flagged)
    district = flagged.group_by("staff_id", "school_year").agg(nw.col("same").max(), nw.col("present").max())
    district = district.with_columns(school_id=nw.lit(DISTRICT))
    columns = [nw.col("staff_id"), nw.col("school_id").cast(nw.String), nw.col("school_year").cast(nw.Int64)]
    outcomes = [
        nw.col("same").cast(nw.Int64).alias("stayed"),
        (nw.col("present") - nw.col("same")).cast(nw.Int64).alias("moved"),
        (1 - nw.col("present")).cast(nw.Int64).alias("left"),
    ]
    return nw.concat([flagged.select(*columns, *outcomes), district.select(*columns, *outcomes)], how="vertical")


def retention_shares(tables: Tables, min_n: int = DEFAULT_MIN_N) -> pa.Table:
    """The shares by school and year: the columns of `METRICS["teacher-retention"].columns`."""
    counts = (
        transitions(tables)
        .group_by("school_id", "school_year")
        .agg(nw.len().alias("teachers"), *(nw.col(outcome).sum() for outcome in OUTCOMES))
        .collect(backend="pyarrow")
        .to_native()
        .to_pandas()
    )
    counts = counts.astype({"teachers": "int64", **{outcome: "int64" for outcome in OUTCOMES}})
    counts["group"] = "all"
    for outcome in OUTCOMES:
        counts[f"{outcome}_rate"] = (counts[outcome] / counts["teachers"]).round(RATE_DIGITS)
    columns = ["school_id", "school_year", "group", "teachers", *OUTCOMES, *(f"{o}_rate" for o in OUTCOMES)]
    rows = sort_rows(counts[columns].astype({"school_id": "str", "school_year": "int64"}), "school_year")
    values = (*OUTCOMES, *(f"{o}_rate" for o in OUTCOMES))
    published = suppress(rows.reset_index(drop=True), "teachers", values, min_n=min_n)
    return to_arrow(published, "school_year", ("teachers", *OUTCOMES))


def distinct_rows(frame: nw.LazyFrame) -> pd.DataFrame:
    return frame.collect(backend="pyarrow").to_native().to_pandas().drop_duplicates()


def teacher_spells(tables: Tables) -> pd.DataFrame:
    """`staff_id, cohort, years, left` per teacher: the first year as a teacher (the entry cohort), the number
    of consecutive school years from it with any record in the district, and whether the spell ended (1)
    or reached the last year of the data (0, censored). Teachers already present in the first year of the
    data are left out: when they started is unknown.
    """
    import pandas as pd  # seconds to load: not when the site starts

    staff = tables["staff_school_association"]
    presence = distinct_rows(staff.select("staff_id", "school_year"))
    entries = (
        staff.filter(nw.col("role") == TEACHER_ROLE)
        .group_by("staff_id")
        .agg(nw.col("school_year").min().alias("cohort"))
        .collect(backend="pyarrow")
        .to_native()
        .to_pandas()
    )
    if presence.empty:
        return pd.DataFrame({"staff_id": [], "cohort": [], "years": [], "left": []})
    first_year, last_year = int(presence["school_year"].min()), int(presence["school_year"].max())
    years_of = presence.groupby("staff_id")["school_year"].agg(lambda ys: {int(y) for y in ys}).to_dict()
    spells = []
    for staff_id, cohort in zip(entries["staff_id"], entries["cohort"].astype(int), strict=True):
        if cohort == first_year:
            continue
        length = 0
        while cohort + length in years_of[staff_id]:
            length += 1
        spells.append((staff_id, cohort, length, 0 if cohort + length > last_year else 1))
    return pd.DataFrame(spells, columns=["staff_id", "cohort", "years", "left"])


def retention_curves(tables: Tables, min_n: int = DEFAULT_MIN_N) -> pa.Table:
    """Kaplan–Meier share of each entry cohort still teaching in the district after 0, 1, 2... years, with
    its 95 % confidence interval and the number at risk; cohorts or years with fewer than `min_n`
    teachers at risk are suppressed."""
    spells = teacher_spells(tables)
    rows = [
        {"cohort": int(cohort), **point}
        for cohort, spell in spells.groupby("cohort", sort=True)
        for point in yearly_retention(spell["years"].tolist(), spell["left"].tolist(), min_n, RATE_DIGITS)
    ]
    schema = pa.schema([
        ("cohort", pa.int64()), ("years", pa.int64()), ("survival", pa.float64()), ("ci_lower", pa.float64()),
        ("ci_upper", pa.float64()), ("at_risk", pa.int64()), ("suppressed", pa.int64()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


def teacher_retention(tables: Tables, min_n: int = DEFAULT_MIN_N, view: str = "shares") -> pa.Table:
    """The shares by school and year (`view="shares"`) or the Kaplan–Meier curves (`view="curves"`)."""
    if view not in VIEWS:
        raise MetricError(f"unknown view {view!r} for teacher-retention: choose {' or '.join(VIEWS)}")
    return retention_shares(tables, min_n) if view == "shares" else retention_curves(tables, min_n)
