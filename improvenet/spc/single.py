"""``qic()``: one control chart or run chart from arrays, as qicharts2's ``qic()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from improvenet.spc.engine import analyse
from improvenet.spc.errors import SPCInputError
from improvenet.spc.options import as_values, as_x, check_options, split_part
from improvenet.spc.prepare import RawRows, prepare, to_float
from improvenet.spc.result import QICResult


def qic(
    y: Any,
    n: Any = None,
    *,
    x: Any = None,
    chart: str = "run",
    part: Sequence[Any] | None = None,
    freeze: int | None = None,
    exclude: Sequence[int] | None = None,
    multiply: float = 1,
    screened_mr: bool = False,
    rules: str = "anhoej",
    min_part_points: int | None = None,
) -> QICResult:
    """Compute a run chart or control chart.

    y: the values (counts for p/pp/c/u/up charts, raw observations for xbar/s charts).
    n: denominators (required for p, pp, u and up charts; optional for run and i charts,
        which then plot y/n).
    x: the subgroup of each row (a number, a date, or text for categories); rows with the
        same x form one subgroup. Default: 1, 2, 3, ...
    chart: run, i, mr, xbar, s, t, p, pp, c, u, up or g.
    part: as many values as rows: one label per row, of any type (a new part, with new
        limits, starts where it changes; ``[1, 1, 1, 2, 2, 2]`` are labels too); or a shorter
        list of whole numbers: the number of points before each new part (qicharts2).
    freeze: compute the centre and limits of the first part from its first ``freeze`` points
        only (with ``part``, later parts use all their points).
    exclude: 1-based positions of points left out of the centre and limit calculation.
    multiply: multiply y and all lines, e.g. 100 for percentages.
    screened_mr: drop moving ranges above 3.267 x their average before estimating sigma.
    rules: "anhoej" (default), "ihi" or "nhs".
    min_part_points: a part after the first with fewer usable points keeps the previous part's
        centre and limits ("frozen"); a first part with fewer has "trial" limits (see the
        ``limits_source`` column of :class:`QICResult`). Default: every part its own limits,
        as qicharts2; the product uses :data:`improvenet.spc.MIN_PART_POINTS` (12).
    """
    y_values = as_values(y)

    def row_label(i: int) -> str:
        return f"row {i + 1}"

    y_float = to_float(y_values, "y", row_label)
    n_float = None
    if n is not None:
        n_values = as_values(n)
        if n_values.size != y_float.size:
            raise SPCInputError(f"n has {n_values.size} values but y has {y_float.size}")
        n_float = to_float(n_values, "n", row_label)
    part_labels, part_breaks = split_part(part, y_float.size)
    freeze, exclude, part_breaks = check_options(chart, rules, freeze, exclude, multiply, part_breaks, min_part_points)
    rows = RawRows(
        y=y_float,
        n=n_float,
        x=as_x(x, y_float.size),
        series=np.zeros(y_float.size, dtype=np.int64),
        part_labels=part_labels,
        row_label=row_label,
        series_label=lambda _row: "the series",
    )
    prepared = prepare(rows, chart, breaks=part_breaks, freeze=freeze, exclude=exclude, min_part_points=min_part_points)
    analysis = analyse(prepared, chart, rules=rules, multiply=multiply, screened_mr=screened_mr)
    return QICResult(
        chart=chart,
        rules=rules,
        multiply=multiply,
        by=[],
        key_columns={},
        prepared=prepared,
        analysis=analysis,
        backend="pandas",
    )
