"""From raw rows to subgroups: checking the input, sorting, grouping and numbering.

Rows are grouped by (series, x), as qicharts2 does: a chart with a denominator plots
sum(y) / sum(n) per subgroup, other charts the mean of y; xbar and s charts also use the
within-subgroup size and standard deviation. Then each subgroup gets its position in its
series, its part, and whether it belongs to the baseline and to the limit calculation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from improvenet.spc.charts import (
    CHARTS_NEEDING_N,
    CHARTS_OF_COUNTS,
    CHARTS_OF_OBSERVATIONS,
    CHARTS_WITHOUT_LIMITS,
    Subgroups,
)
from improvenet.spc.errors import SPCInputError
from improvenet.spc.frames import is_missing

RowLabel = Callable[[int], str]


@dataclass
class RawRows:
    """The input, one element per row, in the caller's row order."""

    y: np.ndarray  # float, NaN = missing
    n: np.ndarray | None  # float, NaN = missing; None when no denominator was given
    x: np.ndarray  # float, datetime64 or object (categories)
    series: np.ndarray  # numeric series key per row: series come out in its sorted order
    part_labels: np.ndarray | None  # int code per row when parts are given as labels
    row_label: RowLabel  # describes a row (0-based index) for error messages
    series_label: RowLabel  # describes the series of a row, for error messages


@dataclass
class Prepared:
    subgroups: Subgroups
    x: np.ndarray  # x of each subgroup
    zero_n: np.ndarray  # subgroups whose denominator is zero
    series_first_row: np.ndarray  # input row (0-based) of each series' first subgroup
    notes: list[str]


def to_float(values, name: str, row_label: RowLabel) -> np.ndarray:
    """Convert a column to float. Missing values (None, NaN, empty text) become NaN; text that
    reads as a number is accepted; anything else is an error naming its row."""
    array = np.asarray(values)
    if array.dtype.kind in "fiub":
        return array.astype(np.float64)
    out = np.empty(array.size, dtype=np.float64)
    for i, value in enumerate(array.tolist()):
        if is_missing(value) or (isinstance(value, str) and not value.strip()):
            out[i] = np.nan
            continue
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            raise SPCInputError(f"{row_label(i)}: {name} value {value!r} is not a number") from None
    return out


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def check_rows(rows: RawRows, chart: str) -> None:
    """Reject impossible values, naming the first offending row."""
    y, n = rows.y, rows.n
    with np.errstate(invalid="ignore"):
        if n is not None and np.any(n < 0):
            i = _first(n < 0)
            raise SPCInputError(f"{rows.row_label(i)}: the denominator n is negative ({n[i]:g})")
        if chart in CHARTS_OF_COUNTS and np.any(y < 0):
            i = _first(y < 0)
            raise SPCInputError(
                f"{rows.row_label(i)}: the count y is negative ({y[i]:g}); a {chart} chart needs counts of zero or more"
            )
        if chart in ("p", "pp") and np.any(y > n):
            i = _first(y > n)
            raise SPCInputError(
                f"{rows.row_label(i)}: the count y ({y[i]:g}) is above its denominator "
                f"n ({n[i]:g}); a proportion cannot exceed 1"
            )
        if chart == "t" and np.any(y <= 0):
            i = _first(y <= 0)
            raise SPCInputError(f"{rows.row_label(i)}: time between events must be greater than zero (got {y[i]:g})")
    if np.any(np.isinf(y)):
        raise SPCInputError(f"{rows.row_label(_first(np.isinf(y)))}: y is infinite")


def _sort_key(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """A sortable key for x, the rows whose x is missing, and whether x is categorical.

    Numbers and dates sort in time order; any other x (text) is a category, kept in order of
    first appearance, and gets no runs analysis because it has no time order (qicharts2).
    """
    if x.dtype.kind in "Mm":
        missing = np.isnat(x)
        return x.view(np.int64), missing, False
    if x.dtype.kind in "fiub":
        key = x.astype(np.float64)
        return key, np.isnan(key), False
    missing = np.array([is_missing(v) for v in x.tolist()], dtype=bool)
    present = x[~missing].astype(str)
    _, first, inverse = np.unique(present, return_index=True, return_inverse=True)
    # Number the categories in order of first appearance.
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    codes = np.full(x.size, -1, dtype=np.int64)
    codes[~missing] = rank[inverse]
    return codes, missing, True


def _as_integers(values: np.ndarray) -> np.ndarray | None:
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    if values.dtype.kind == "f" and values.size and np.all(np.abs(values) < 2.0**53):
        as_int = values.astype(np.int64)
        if np.array_equal(as_int, values):
            return as_int
    return None


def _sort_order(series: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Row order by series, then x, keeping the input order of ties.

    When both keys are whole numbers (series codes, dates, week numbers) they are packed into
    one integer, x measured in steps of its greatest common step, so that one stable argsort
    does the work of the two in ``np.lexsort``.
    """
    series_int, key_int = _as_integers(series), _as_integers(key)
    if series_int is not None and key_int is not None:
        series_int = series_int - series_int.min()
        key_int = key_int - key_int.min()
        step = int(np.gcd.reduce(key_int)) or 1
        width = int(key_int.max()) // step + 1
        if int(series_int.max()) < (2**62) // width:
            return np.argsort(series_int * width + key_int // step, kind="stable")
    return np.lexsort((key, series))


def _parts(rows: RawRows, order: np.ndarray, starts: np.ndarray, new_series: np.ndarray, pos, breaks) -> np.ndarray:
    if rows.part_labels is not None:
        label = rows.part_labels[order][starts]
        changed = np.r_[True, label[1:] != label[:-1]] | new_series
        count = np.cumsum(changed)
        return count - np.maximum.accumulate(np.where(new_series, count, 0)) + 1
    if breaks is not None and len(breaks):
        # A break b starts a new part after the b-th subgroup; 0 would start nothing new.
        cuts = np.unique(np.asarray(breaks, dtype=np.int64))
        return np.searchsorted(cuts[cuts > 0], pos, side="left") + 1
    return np.ones(pos.size, dtype=np.int64)


def prepare(
    rows: RawRows,
    chart: str,
    *,
    breaks: Sequence[int] | None,
    freeze: int | None,
    exclude: Sequence[int] | None,
) -> Prepared:
    if chart in CHARTS_NEEDING_N and rows.n is None:
        raise SPCInputError(f"a {chart} chart needs a denominator n (e.g. the number of students)")
    notes: list[str] = []
    y = rows.y.copy()
    n = None if rows.n is None else rows.n.copy()
    check_rows(rows, chart)
    if n is not None:
        # As qicharts2: a row missing either its count or its denominator is missing as a whole.
        incomplete = np.isnan(y) | np.isnan(n)
        y[incomplete] = np.nan
        n[incomplete] = np.nan

    key, x_missing, categorical = _sort_key(rows.x)
    if x_missing.any():
        notes.append(
            f"{rows.row_label(_first(x_missing))}: x is missing; {int(x_missing.sum())} row(s) without x were left out"
        )
    kept = np.flatnonzero(~x_missing)
    if kept.size == 0:
        raise SPCInputError("there are no rows to chart")
    order = kept[_sort_order(rows.series[kept], key[kept])]
    series = rows.series[order]
    key = key[order]
    y = y[order]

    new_group = np.r_[True, (series[1:] != series[:-1]) | (key[1:] != key[:-1])]
    starts = np.flatnonzero(new_group)
    size = np.diff(np.r_[starts, order.size])
    group = np.cumsum(new_group) - 1

    finite = np.isfinite(y)
    y_len = np.add.reduceat(finite.astype(np.float64), starts)
    total = np.add.reduceat(np.where(finite, y, 0.0), starts)
    # qicharts2 sums a lone missing value to NA but several missing values to 0.
    y_sum = np.where((size == 1) & (y_len == 0), np.nan, total)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / y_len
    if n is not None:
        n = n[order]
        n_ok = np.isfinite(n)
        n_sum = np.add.reduceat(np.where(n_ok, n, 0.0), starts)
        n_sum[np.add.reduceat(n_ok.astype(np.int64), starts) == 0] = np.nan
        zero_n = n_sum == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(zero_n, np.nan, total / n_sum)
    else:
        n_sum = np.full(starts.size, np.nan)
        zero_n = np.zeros(starts.size, dtype=bool)
        stat = mean
    y_sd = np.full(starts.size, np.nan)
    if chart in CHARTS_OF_OBSERVATIONS:
        dev = np.where(finite, y - mean[group], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            y_sd = np.sqrt(np.add.reduceat(dev * dev, starts) / (y_len - 1))
        y_sd[y_len < 2] = np.nan

    new_series = np.r_[True, series[starts][1:] != series[starts][:-1]]
    sub_series = np.cumsum(new_series) - 1  # dense series code, in sorted key order
    series_start = np.flatnonzero(new_series)
    first_row = order[starts]
    index = np.arange(starts.size)
    pos = index - series_start[np.cumsum(new_series) - 1] + 1
    series_length = np.diff(np.r_[series_start, starts.size])

    if freeze is not None:
        too_short = series_length < freeze
        if too_short.any():
            row = int(first_row[series_start[_first(too_short)]])
            raise SPCInputError(
                f"{rows.series_label(row)}: freeze={freeze} is beyond the data "
                f"(only {int(series_length[_first(too_short)])} subgroups)"
            )
        baseline = pos <= freeze
    else:
        baseline = np.ones(starts.size, dtype=bool)
    include = ~zero_n
    if exclude is not None and len(exclude):
        longest = int(series_length.max())
        beyond = [e for e in exclude if e > longest]
        if beyond:
            raise SPCInputError(f"exclude position {beyond[0]} is beyond the data (at most {longest} subgroups)")
        include &= ~np.isin(pos, np.asarray(exclude))
    for i in np.flatnonzero(zero_n):
        notes.append(
            f"{rows.row_label(int(first_row[i]))}: the denominator is zero, so the point is "
            "shown without limits and left out of the limits"
        )

    part = _parts(rows, order, starts, new_series, pos, breaks)
    new_seg = new_series | np.r_[True, part[1:] != part[:-1]]
    seg = np.cumsum(new_seg) - 1
    nseg = int(seg[-1]) + 1

    subgroups = Subgroups(
        seg=seg,
        nseg=nseg,
        series=sub_series,
        pos=pos,
        part=part,
        y=stat,
        n=n_sum,
        y_sum=y_sum,
        y_len=y_len,
        y_sd=y_sd,
        baseline=baseline,
        include=include,
        categorical_x=categorical,
    )
    if chart not in CHARTS_WITHOUT_LIMITS:
        _check_enough_points(subgroups, rows, chart, first_row)
    return Prepared(subgroups, rows.x[order][starts], zero_n, first_row[series_start], notes)


def _check_enough_points(sg: Subgroups, rows: RawRows, chart: str, first_row) -> None:
    usable = np.bincount(sg.seg, weights=(sg.base & np.isfinite(sg.y)), minlength=sg.nseg)
    short = np.flatnonzero(usable < 2)
    if short.size:
        first = int(np.flatnonzero(sg.seg == short[0])[0])
        where = rows.series_label(int(first_row[first]))
        raise SPCInputError(
            f"{where}, part {int(sg.part[first])}: only {int(usable[short[0]])} usable point(s) "
            f"to compute the limits of a {chart} chart; at least 2 are needed"
        )
