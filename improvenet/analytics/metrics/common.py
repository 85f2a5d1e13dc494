"""What the metrics share: opt-out removal, student groups, picking one record, and the finished table.

A metric computes, on its engine, one *fact* row per student and unit (a school, or `ALL` for the
district) and period: `school_id, <period>, student_id, <outcome>` with the outcome 0 or 1. `group_counts`
joins the students' characteristics and counts people and outcomes per unit, period and combination of
characteristics (a few thousand rows at most); only that small table is collected. `finish` then
expands the combinations into the published groups, computes rates and applies suppression in pandas,
so both engines give identical tables.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

import narwhals as nw
import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.schema import OPT_OUT_TABLE
from improvenet.analytics.suppression import DEFAULT_MIN_N, DISTRICT, FLAG_GROUPS, suppress

if TYPE_CHECKING:  # pandas takes seconds to load: each function that needs it imports it
    import pandas as pd


UNKNOWN = "unknown"
CHARACTERISTICS = ("sex", "race_ethnicity", "ell", "sped", "frl")
# An open record (no exit date) sorts after every dated exit of its year.
OPEN_EXIT = datetime.date(9999, 12, 31)
RATE_DIGITS = 4


class MetricError(ValueError):
    """The metric cannot be computed as asked; the message says what is wrong and what to change."""


def without_opted_out(frame: nw.LazyFrame, tables: Tables) -> nw.LazyFrame:
    """`frame` without the rows of students whose families opted out of research (docs/metrics.md)."""
    opted_out = tables[OPT_OUT_TABLE].select("student_id").unique()
    return frame.join(opted_out, on="student_id", how="anti")


def pick_one(frame: nw.LazyFrame, by: list[str], order: list[tuple[str, str]]) -> nw.LazyFrame:
    """Per `by` key, the row that is first by `order`: (column, "max" or "min") pairs, compared in turn.

    Each step keeps the rows holding the best value of its column; end `order` with columns that form a
    key so exactly one row remains per `by` key. Columns compared must hold no nulls.
    """
    for column, how in order:
        # A window rather than a join with the grouped frame: Spark would re-plan the frame at each step.
        best = getattr(nw.col(column), how)().over(*by).alias("_best")
        frame = frame.with_columns(best).filter(nw.col(column) == nw.col("_best")).drop("_best")
    return frame


def group_counts(facts: nw.LazyFrame, tables: Tables, period: str, outcome: str) -> pd.DataFrame:
    """People and outcomes per unit, period and combination of characteristics, collected as pandas."""
    students = tables["student"].select(
        "student_id",
        nw.col("sex").fill_null(UNKNOWN),
        nw.col("race_ethnicity").fill_null(UNKNOWN),
        nw.col("ell").fill_null(0),
        nw.col("sped").fill_null(0),
        nw.col("frl").fill_null(0),
    )
    joined = facts.join(students, on="student_id", how="left").with_columns(
        nw.col("sex").fill_null(UNKNOWN),
        nw.col("race_ethnicity").fill_null(UNKNOWN),
        nw.col("ell").fill_null(0),
        nw.col("sped").fill_null(0),
        nw.col("frl").fill_null(0),
    )
    counted = joined.group_by("school_id", period, *CHARACTERISTICS).agg(
        nw.len().alias("people"), nw.col(outcome).sum().alias("outcomes")
    )
    return counted.collect(backend="pyarrow").to_native().to_pandas()


def expand_groups(counts: pd.DataFrame, period: str) -> pd.DataFrame:
    """Rows per unit, period and published group (`all`, `sex:<v>`, `race:<v>`, `ell`, `sped`, `frl`)."""
    import pandas as pd  # seconds to load: not when the site starts

    keys = ["school_id", period]
    counts = counts.astype({"people": "int64", "outcomes": "int64", "ell": "int64", "sped": "int64", "frl": "int64"})
    parts = [counts.groupby(keys, as_index=False)[["people", "outcomes"]].sum().assign(group="all")]
    for column, prefix in (("sex", "sex:"), ("race_ethnicity", "race:")):
        part = counts.groupby([*keys, column], as_index=False)[["people", "outcomes"]].sum()
        parts.append(part.assign(group=prefix + part[column].astype(str)).drop(columns=column))
    for flag in FLAG_GROUPS:
        flagged = counts[counts[flag] == 1]
        parts.append(flagged.groupby(keys, as_index=False)[["people", "outcomes"]].sum().assign(group=flag))
    return pd.concat(parts, ignore_index=True)


def group_order(group: str) -> tuple[int, str]:
    if group == "all":
        return (0, "")
    for rank, prefix in enumerate(("sex:", "race:"), start=1):
        if group.startswith(prefix):
            return (rank, group)
    return (3 + FLAG_GROUPS.index(group), group) if group in FLAG_GROUPS else (9, group)


def sort_rows(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """The district rows first, then schools by id; within each, years, then groups in a fixed order."""
    unit_key = frame["school_id"].map(lambda unit: (0, "") if unit == DISTRICT else (1, unit))
    frame = frame.assign(_unit=unit_key, _group=frame["group"].map(group_order))
    return frame.sort_values(["_unit", period, "_group"], kind="stable").drop(columns=["_unit", "_group"])


def finish(
    counts: pd.DataFrame,
    period: str,
    count_column: str,
    outcome_column: str,
    min_n: int = DEFAULT_MIN_N,
) -> pa.Table:
    """The published table: `school_id, <period>, group, <count>, <outcome>, rate, suppressed`."""
    rows = expand_groups(counts, period)
    rows = rows[rows["people"] > 0]
    rows = rows.rename(columns={"people": count_column, "outcomes": outcome_column})
    rows["rate"] = (rows[outcome_column] / rows[count_column]).round(RATE_DIGITS)
    rows = sort_rows(rows, period).reset_index(drop=True)
    rows = rows[["school_id", period, "group", count_column, outcome_column, "rate"]]
    rows = rows.astype({"school_id": "str", period: "int64"})
    published = suppress(rows, count_column, (outcome_column, "rate"), min_n=min_n, period_column=period)
    return to_arrow(published, period, (count_column, outcome_column))


def to_arrow(frame: pd.DataFrame, period: str, count_columns: Iterable[str]) -> pa.Table:
    """A pyarrow table with plain types: text ids, int64 years and counts (null when hidden), float64 rates."""
    fields = [pa.field("school_id", pa.string()), pa.field(period, pa.int64()), pa.field("group", pa.string())]
    fields += [pa.field(column, pa.int64()) for column in count_columns]
    fields += [pa.field(c, pa.float64()) for c in frame.columns if c not in {f.name for f in fields} | {"suppressed"}]
    fields.append(pa.field("suppressed", pa.int64()))
    schema = pa.schema(fields)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def data_years(tables: Tables, table: str = "student_school_association") -> tuple[int, int] | None:
    """The first and last school years of `table`, or None when it is empty."""
    import pandas as pd  # seconds to load: not when the site starts

    years = tables[table].select(
        nw.col("school_year").min().alias("first"), nw.col("school_year").max().alias("last")
    ).collect(backend="pyarrow").to_native().to_pandas()
    first, last = years["first"].iloc[0], years["last"].iloc[0]
    return None if pd.isna(first) else (int(first), int(last))
