"""``qic_many()``: one chart per series of a long table, computed in one vectorised pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from improvenet.spc.engine import analyse
from improvenet.spc.errors import SPCInputError
from improvenet.spc.frames import column, native_backend, plain_value, read_frame
from improvenet.spc.options import check_options, label_codes, split_part
from improvenet.spc.prepare import RawRows, prepare, to_float
from improvenet.spc.result import QICResult


def _codes(values: np.ndarray) -> np.ndarray:
    """An integer code per row, in the sorted order of the values; a missing value (None or
    NaN) is a value of its own, sorted last."""
    if values.dtype.kind == "O":
        missing = np.array([v is None for v in values.tolist()], dtype=bool)
        codes = np.full(values.size, -1, dtype=np.int64)
        if (~missing).any():
            uniques, codes[~missing] = np.unique(values[~missing], return_inverse=True)
            codes[missing] = uniques.size
        else:
            codes[:] = 0
        return codes
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


# Combined codes stay below this bound, far from int64's 2**63 - 1.
_CODE_LIMIT = 2**62


def series_sort_key(key_columns: dict[str, np.ndarray]) -> np.ndarray:
    """A numeric key per row whose sorted order is the order of the series keys.

    A single numeric key column without missing values is used as it is (no extra sort);
    otherwise every column is coded and the codes are combined, column after column, as
    ``combined * cardinality + code``. Before a product could leave int64, the combined codes
    are made dense again (0, 1, 2, ... in the same order; at most one per row), so no two
    series ever share a key.
    """
    if len(key_columns) == 1:
        (values,) = key_columns.values()
        if values.dtype.kind == "M" and not np.isnat(values).any():
            return values.view(np.int64)
        if values.dtype.kind in "fiu" and not np.isnan(values).any():
            return values
    combined = np.zeros(next(iter(key_columns.values())).size, dtype=np.int64)
    size = 1  # the number of values combined can take: every code is below it
    for values in key_columns.values():
        codes = _codes(values)
        cardinality = int(codes.max(initial=0)) + 1
        if size * cardinality > _CODE_LIMIT:
            combined = _dense(combined)
            size = int(combined.max(initial=0)) + 1
            if size * cardinality > _CODE_LIMIT:  # beyond any table that fits in memory
                raise SPCInputError("too many distinct series keys to combine")
        combined = combined * cardinality + codes
        size *= cardinality
    return combined


def _dense(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0, 1, 2, ... in their sorted order."""
    return np.unique(codes, return_inverse=True)[1].astype(np.int64).reshape(-1)


def qic_many(
    frame: Any,
    *,
    by: Sequence[str] | str,
    y: str,
    n: str | None = None,
    x: str | None = None,
    chart: str = "run",
    part: str | Sequence[Any] | None = None,
    freeze: int | None = None,
    exclude: Sequence[int] | None = None,
    multiply: float = 1,
    screened_mr: bool = False,
    rules: str = "anhoej",
    min_part_points: int | None = None,
) -> QICResult:
    """Compute the same chart for every series of a long table (pandas, Polars or Arrow).

    by: the column(s) that identify a series (e.g. ["school", "grade"]).
    y, n, x: column names, as the arguments of :func:`improvenet.spc.qic`; without ``x`` the
        rows of each series are taken in table order.
    part: the name of a column of part labels; or, as in :func:`improvenet.spc.qic`, a list
        with one label per row of the table, or a shorter list of whole numbers: break
        positions (points before each new part) applied to every series.
    freeze, exclude: positions counted within each series.
    min_part_points: as :func:`improvenet.spc.qic`, within each series.

    The result's tables carry the ``by`` columns first and are frames of the input's library.
    Series come out sorted by their key; the input's row order does not matter (within a
    series, subgroups are sorted by x).
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise SPCInputError("by must name at least one column that identifies a series")
    table = read_frame(frame)
    key_columns = {name: column(table, name, keep_integers=True) for name in by}

    def describe_series(row: int) -> str:
        return "series " + ", ".join(f"{name}={plain_value(key_columns[name][row])!r}" for name in by)

    def row_label(row: int) -> str:
        return f"row {row + 1} ({describe_series(row)})"

    y_values = to_float(column(table, y), f"y column {y!r}", row_label)
    n_values = None if n is None else to_float(column(table, n), f"n column {n!r}", row_label)
    if x is None:
        x_values = np.arange(1, y_values.size + 1, dtype=np.float64)
    else:
        x_values = column(table, x)
    if isinstance(part, str):
        part_labels, part_breaks = label_codes(column(table, part)), None
    else:
        # The same rule as qic: one label per row of the table, or fewer break positions.
        part_labels, part_breaks = split_part(part, y_values.size)
    freeze, exclude, part_breaks = check_options(chart, rules, freeze, exclude, multiply, part_breaks, min_part_points)
    rows = RawRows(
        y=y_values,
        n=n_values,
        x=x_values,
        series=series_sort_key(key_columns),
        part_labels=part_labels,
        row_label=row_label,
        series_label=describe_series,
    )
    # A series too short to chart is shown without lines, with a note, instead of an error.
    prepared = prepare(
        rows,
        chart,
        breaks=part_breaks,
        freeze=freeze,
        exclude=exclude,
        min_part_points=min_part_points,
        strict=False,
    )
    analysis = analyse(prepared, chart, rules=rules, multiply=multiply, screened_mr=screened_mr)
    return QICResult(
        chart=chart,
        rules=rules,
        multiply=multiply,
        by=by,
        key_columns=key_columns,
        prepared=prepared,
        analysis=analysis,
        backend=native_backend(table),
    )
