"""Small-cell suppression of aggregate tables, so that no published number describes fewer than `min_n` people.

Works on a pandas DataFrame or a pyarrow Table (returned as the same type) with one row per unit
(a school, or `ALL` for the district), period and group, and a count column (`students`, `cohort`,
`teachers`). Rules, applied together until nothing changes (docs/metrics.md, "Suppression"):

1. Primary: a row counting fewer than `min_n` people is hidden.
2. Complementary: rows that add up to a published total form a *partition*; whenever exactly one row
   of a partition is hidden, the smallest other row of it is hidden too (ties: the first by name), so
   that the hidden value cannot be recovered as the total minus the shown rows. The partitions:
   - the `race:*` rows of one unit and period (their total is the unit's `all` row);
   - the `sex:*` rows of one unit and period (same total);
   - the `arm:*` rows of one unit and period (a study's arms within a block: studies/rosters.py);
   - a flag row (`ell`, `sped`, `frl`) and its unpublished complement (non-ELL, ...): the complement
     equals `all` minus the flag row, so when it counts 1 to `min_n` - 1 people the flag row is hidden;
   - the school rows of one group and period (their total is the district `ALL` row of that group).
   A partition with one row only (one race in a school) equals its total, which then hides with it.
3. A hidden row shows no count and no value (`suppressed` = 1, counts and rates empty).

Hiding a row for one partition can leave another partition with exactly one hidden row, hence the
repetition; it ends because rows are only ever hidden, never shown again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and Arrow take seconds to load: each function that needs them imports them
    import pandas as pd
    import pyarrow as pa


DEFAULT_MIN_N = 10
DISTRICT = "ALL"
ALL_GROUP = "all"
FLAG_GROUPS = ("ell", "sped", "frl")
PARTITIONED_PREFIXES = ("race:", "sex:", "arm:")


@dataclass(frozen=True)
class Partition:
    """Rows (positions in the table) that add up to the row `total` (None: no published total)."""

    members: tuple[int, ...]
    total: int | None


def suppress(
    table: pd.DataFrame | pa.Table,
    count_column: str,
    value_columns: tuple[str, ...],
    *,
    min_n: int = DEFAULT_MIN_N,
    unit_column: str = "school_id",
    period_column: str = "school_year",
    group_column: str = "group",
) -> pd.DataFrame | pa.Table:
    """`table` with small cells hidden: `suppressed` set to 1 and `count_column`, `value_columns` emptied."""
    import pandas as pd  # seconds to load: not when the site starts
    import pyarrow as pa

    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    frame = table.to_pandas() if isinstance(table, pa.Table) else table.copy()
    hidden = hidden_rows(frame, count_column, min_n, unit_column, period_column, group_column)
    frame["suppressed"] = pd.array([1 if h else 0 for h in hidden], dtype="int64")
    mask = pd.Series(hidden, index=frame.index)
    for column in (count_column, *value_columns):
        frame[column] = frame[column].astype("Float64" if frame[column].dtype.kind == "f" else "Int64")
        frame.loc[mask, column] = pd.NA
    if isinstance(table, pa.Table):
        return pa.Table.from_pandas(frame, preserve_index=False)
    return frame


def partitions(frame: pd.DataFrame, unit_column: str, period_column: str, group_column: str) -> list[Partition]:
    """The partitions of rule 2 except the flag complements (see the module docstring)."""
    units = frame[unit_column].astype(str).tolist()
    periods = frame[period_column].tolist()
    groups = frame[group_column].astype(str).tolist()
    totals: dict[tuple, int] = {}
    demographic: dict[tuple, list[int]] = defaultdict(list)
    schools: dict[tuple, list[int]] = defaultdict(list)
    districts: dict[tuple, int] = {}
    for row, (unit, period, group) in enumerate(zip(units, periods, groups, strict=True)):
        if group == ALL_GROUP:
            totals[(unit, period)] = row
        prefix = next((p for p in PARTITIONED_PREFIXES if group.startswith(p)), None)
        if prefix:
            demographic[(unit, period, prefix)].append(row)
        if unit == DISTRICT:
            districts[(period, group)] = row
        else:
            schools[(period, group)].append(row)
    found = [Partition(tuple(rows), totals.get((unit, period))) for (unit, period, _), rows in demographic.items()]
    found += [Partition(tuple(rows), districts.get(key)) for key, rows in schools.items()]
    return found


def hidden_rows(
    frame: pd.DataFrame, count_column: str, min_n: int, unit_column: str, period_column: str, group_column: str
) -> list[bool]:
    """Which rows to hide, by the rules of the module docstring."""
    import pandas as pd  # seconds to load: not when the site starts

    counts = [int(c) if pd.notna(c) else 0 for c in frame[count_column].tolist()]
    names = [f"{u}|{g}" for u, g in zip(frame[unit_column].astype(str), frame[group_column].astype(str), strict=True)]
    hidden = [count < min_n for count in counts]
    found = partitions(frame, unit_column, period_column, group_column)
    flag_pairs = flag_rows(frame, unit_column, period_column, group_column)
    changed = True
    while changed:
        changed = False
        for flag_row, total_row in flag_pairs:
            complement = counts[total_row] - counts[flag_row]
            if not hidden[flag_row] and not hidden[total_row] and 0 < complement < min_n:
                hidden[flag_row] = changed = True
        for partition in found:
            hidden_members = [row for row in partition.members if hidden[row]]
            if len(hidden_members) != 1:
                continue
            shown = [row for row in partition.members if not hidden[row]]
            if shown:
                hidden[min(shown, key=lambda row: (counts[row], names[row]))] = True
            elif partition.total is not None and not hidden[partition.total]:
                hidden[partition.total] = True
            else:
                continue
            changed = True
    return hidden


def flag_rows(frame: pd.DataFrame, unit_column: str, period_column: str, group_column: str) -> list[tuple[int, int]]:
    """(flag row, `all` row) of every flag group with a published total in the same unit and period."""
    totals = {}
    flags = []
    keys = zip(frame[unit_column].astype(str), frame[period_column], frame[group_column].astype(str), strict=True)
    for row, (unit, period, group) in enumerate(keys):
        if group == ALL_GROUP:
            totals[(unit, period)] = row
        elif group in FLAG_GROUPS:
            flags.append((row, (unit, period)))
    return [(row, totals[key]) for row, key in flags if key in totals]


def unsafe_partitions(table: pd.DataFrame | pa.Table, count_column: str, min_n: int = DEFAULT_MIN_N, *,
                      unit_column: str = "school_id", period_column: str = "school_year",
                      group_column: str = "group", original_counts: list[int] | None = None) -> list[str]:
    """Descriptions of the places where a suppressed table still leaks (empty when it is safe).

    `original_counts`: the counts before suppression (the suppressed table has them emptied); needed
    to check the flag complements. Used by the tests and available to callers who build tables by hand.
    """
    import pandas as pd  # seconds to load: not when the site starts
    import pyarrow as pa

    frame = table.to_pandas() if isinstance(table, pa.Table) else table
    hidden = [bool(s) for s in frame["suppressed"].tolist()]
    counts = frame[count_column].tolist()
    problems = []
    for row, count in enumerate(counts):
        if not hidden[row] and (pd.isna(count) or count < min_n):
            problems.append(f"row {row} shows {count} (< {min_n})")
    for partition in partitions(frame, unit_column, period_column, group_column):
        hidden_members = sum(hidden[row] for row in partition.members)
        total_shown = partition.total is not None and not hidden[partition.total]
        if hidden_members == 1 and total_shown:
            problems.append(f"rows {partition.members} have exactly one hidden row under a shown total")
    if original_counts is not None:
        for flag_row, total_row in flag_rows(frame, unit_column, period_column, group_column):
            complement = original_counts[total_row] - original_counts[flag_row]
            if not hidden[flag_row] and not hidden[total_row] and 0 < complement < min_n:
                problems.append(f"row {flag_row} leaves a complement of {complement} (< {min_n})")
    return problems
