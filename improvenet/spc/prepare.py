"""From raw rows to subgroups: checking the input, sorting, grouping and numbering.

Rows are grouped by (series, x), as qicharts2 does: a chart with a denominator plots
sum(y) / sum(n) per subgroup, other charts the mean of y; xbar and s charts also use the
within-subgroup size and standard deviation. Then each subgroup gets its position in its
series, its part, and whether it belongs to the baseline and to the limit calculation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

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
from improvenet.spc.segments import segment_starts

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
    # Subgroups shown without centre line, limits or signals: their series is shorter than
    # ``freeze``, or their part has fewer than 2 usable points (only with ``strict=False``).
    blank: np.ndarray
    # The segment whose baseline gives each subgroup its centre and limits: its own part's, or
    # the previous part's when its part is too short (frozen limits); numbered 0, 1, 2, ...
    limit_seg: np.ndarray
    # How each subgroup's limits were obtained: "computed", "frozen" or "trial" (LIMITS_SOURCES).
    limits_source: np.ndarray


# How a point's centre and limits were obtained: from its own part; carried over from the
# previous part because its part is too short; or from a first part too short to trust yet.
LIMITS_SOURCES = ("computed", "frozen", "trial")


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
        if values.dtype.kind == "u" and values.size and int(values.max()) > np.iinfo(np.int64).max:
            return None
        return values.astype(np.int64, copy=False)
    if values.dtype.kind == "f" and values.size and np.all(np.abs(values) < 2.0**53):
        as_int = values.astype(np.int64)
        if np.array_equal(as_int, values):
            return as_int
    return None


# Packed sort keys stay below this bound, far from int64's 2**63 - 1.
_PACK_LIMIT = 2**62


def _sort_order(series: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Row order by series, then x, keeping the input order of ties.

    When both keys are whole numbers (series codes, dates, week numbers) they are packed into
    one integer, x measured in steps of its greatest common step, so that one stable argsort
    does the work of the two in ``np.lexsort``. Spans are checked in Python integers first, so
    keys far apart (e.g. hashed ids) fall back to ``np.lexsort`` instead of overflowing.
    """
    series_int, key_int = _as_integers(series), _as_integers(key)
    if series_int is not None and key_int is not None:
        series_min, key_min = int(series_int.min()), int(key_int.min())
        series_span = int(series_int.max()) - series_min
        key_span = int(key_int.max()) - key_min
        if series_span < _PACK_LIMIT and key_span < _PACK_LIMIT:
            key_int = key_int - key_min
            step = int(np.gcd.reduce(key_int)) or 1
            width = key_span // step + 1
            if series_span < _PACK_LIMIT // width:
                return np.argsort((series_int - series_min) * width + key_int // step, kind="stable")
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
    strict: bool = True,
    min_part_points: int | None = None,
) -> Prepared:
    """Group, sort and number the rows.

    ``freeze`` counts the first points of each series' first part: they alone give that part's
    limits; later parts use all their points. With ``min_part_points``, a part after the first
    with fewer usable points keeps the previous part's centre and limits ("frozen"), and a first
    part with fewer gets limits marked "trial" (see :func:`limit_segments`).

    A series too short to chart (shorter than ``freeze``, or a part with fewer than 2 usable
    points for a chart with limits) raises :class:`SPCInputError` when ``strict`` (``qic``);
    otherwise (``qic_many``) its subgroups are marked ``blank`` and a note names it, so that
    one short series does not stop the others.
    """
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

    short_series = np.zeros(series_start.size, dtype=bool)
    if freeze is not None:
        short_series = series_length < freeze
        for i in np.flatnonzero(short_series)[: 1 if strict else None]:
            message = (
                f"{rows.series_label(int(first_row[series_start[i]]))}: freeze={freeze} is beyond "
                f"the data (only {_count(int(series_length[i]), 'subgroup')})"
            )
            if strict:
                raise SPCInputError(message)
            notes.append(f"{message}, so it is shown without centre line or limits")
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
    if freeze is not None:
        # The frozen baseline belongs to the first part; a later part is judged by its own points.
        baseline |= part > 1
    usable = np.bincount(seg, weights=include & np.isfinite(stat), minlength=nseg)
    limit_seg, limits_source = limit_segments(seg, part, usable, min_part_points)
    # A frozen part's points are judged against the previous part's limits, not added to them.
    baseline &= limits_source != "frozen"

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
    blank = short_series[sub_series]
    if chart not in CHARTS_WITHOUT_LIMITS:
        by_limits = replace(subgroups, seg=limit_seg, nseg=int(limit_seg[-1]) + 1)
        blank |= _too_few_points(by_limits, rows, chart, first_row, blank, strict, notes)
    return Prepared(
        subgroups, rows.x[order][starts], zero_n, first_row[series_start], notes, blank, limit_seg, limits_source
    )


def limit_segments(
    seg: np.ndarray, part: np.ndarray, usable: np.ndarray, min_part_points: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The limit segment and the limits source of each subgroup.

    ``usable`` counts the usable points of each part segment. Without ``min_part_points`` every
    part has its own limits (qicharts2). With it, a part after the first with fewer usable points
    shares the limit segment of the part before it (its limits are "frozen"), and the subgroups
    of a first part with fewer are marked "trial".
    """
    first_of_seg = segment_starts(seg)
    first_part = part[first_of_seg] == 1
    if min_part_points is None:
        short = np.zeros(first_of_seg.size, dtype=bool)
    else:
        short = usable < min_part_points
    carried = short & ~first_part
    limit_seg_of_seg = np.cumsum(~carried) - 1
    source_of_seg = np.where(carried, "frozen", np.where(short, "trial", "computed")).astype(object)
    return limit_seg_of_seg[seg], source_of_seg[seg]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _a_chart(chart: str) -> str:
    """The chart's name with its article: "an i chart", "a p chart"."""
    return f"{'an' if chart in ('i', 'mr', 'xbar', 's', 'up') else 'a'} {chart} chart"


def _too_few_points(sg: Subgroups, rows: RawRows, chart: str, first_row, blank, strict: bool, notes: list[str]):
    """Subgroups of parts with fewer than 2 usable points (not missing, excluded or outside the
    baseline): an error when ``strict``, else a note per part (series already ``blank`` are
    left out) and the mask of their subgroups."""
    usable = np.bincount(sg.seg, weights=(sg.base & np.isfinite(sg.y)), minlength=sg.nseg)
    short = usable < 2
    short[sg.seg[blank]] = False
    if not short.any():
        return np.zeros(sg.seg.size, dtype=bool)
    first_of_seg = segment_starts(sg.seg)
    # The number of parts of each segment's series: the part number of the series' last subgroup.
    series_last = np.r_[np.flatnonzero(sg.series[1:] != sg.series[:-1]), sg.series.size - 1]
    parts_of_series = sg.part[series_last][sg.series[first_of_seg]]
    for s in np.flatnonzero(short)[: 1 if strict else None]:
        first = int(first_of_seg[s])
        where = rows.series_label(int(first_row[first]))
        count = int(usable[s])
        if strict:
            raise SPCInputError(
                f"{where}, part {int(sg.part[first])}: only {_count(count, 'usable point')} "
                f"to compute the limits of {_a_chart(chart)}; at least 2 are needed"
            )
        if parts_of_series[s] > 1:
            where += f", part {int(sg.part[first])}"
        notes.append(
            f"{where}: only {_count(count, 'usable point')}; at least 2 are needed for the limits "
            f"of {_a_chart(chart)}, so it is shown without centre line or limits"
        )
    return short[sg.seg]
