"""Parts that follow adopted changes: where a school's chart gets new limits.

Limits computed once over two years that contain the improvement itself call every later point
"outside the limits". Instead, a chart is split into parts:

* a new part starts at the first point of a sustained shift (the rule set's run signal: Anhøj's
  unusually long run, or the IHI/NHS shift) that begins on or after a change adopted for the
  measure, so the limits follow the new level once the data shows it, not on the adoption day;
* a new part starts at a break that a person set by hand, with a reason;
* a part with fewer than :data:`MIN_PART_POINTS` points keeps the previous part's limits
  (frozen), and a first part that short has trial limits (see ``limits_source`` in
  :class:`improvenet.spc.QICResult`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from improvenet.spc.chart_types import MIN_PART_POINTS
from improvenet.spc.errors import SPCInputError
from improvenet.spc.single import qic

# The rule of each rule set that reports a sustained shift, with its first point.
SHIFT_RULES = {"anhoej": "longest_run", "ihi": "shift", "nhs": "shift"}


@dataclass(frozen=True)
class PartStart:
    """Where a part after the first begins, and why."""

    row: int  # 0-based row of the part's first point
    x: datetime.date
    cause: str  # "change" (a shift after an adopted change) or "break" (set by hand)
    index: int  # which of the given changes or breaks
    # For a change: the shift that started the part, as an episode reads ("above", 9 points,
    # its last point's date).
    direction: str = ""
    n_points: int = 0
    shift_last: datetime.date | None = None


@dataclass(frozen=True)
class PartPlan:
    labels: np.ndarray  # part number (1, 2, ...) of each row
    starts: list[PartStart]  # every part after the first, in time order


def plan_parts(
    y: Any,
    n: Any = None,
    *,
    x: Any,
    chart: str,
    changes: Sequence[datetime.date] = (),
    breaks: Sequence[datetime.date] = (),
    rules: str = "anhoej",
    multiply: float = 1,
    screened_mr: bool = False,
) -> PartPlan:
    """The parts of one series: rows in time order, one per period, ``x`` their dates.

    Breaks start a part at the first point on or after their date. Then, for each change in
    date order, the chart is computed with the parts found so far, and the first sustained
    shift that begins on or after the change starts a new part (nothing, while no shift has
    shown). A part that already begins at that point is left as it is.
    """
    days = np.asarray(x, dtype="datetime64[D]")
    if days.size and (np.isnat(days).any() or np.any(days[1:] <= days[:-1])):
        raise SPCInputError("the rows must be in time order, one per period, each with its date")
    starts: dict[int, PartStart] = {}
    for index, day in sorted(enumerate(breaks), key=lambda item: item[1]):
        row = int(np.searchsorted(days, np.datetime64(day, "D"), side="left"))
        if 0 < row < days.size:
            starts.setdefault(row, PartStart(row, _date(days[row]), "break", index))
    rule = SHIFT_RULES[rules]
    for index, day in sorted(enumerate(changes), key=lambda item: item[1]):
        labels = _labels(days.size, starts)
        result = qic(
            y, n, x=days, chart=chart, part=labels, rules=rules, multiply=multiply,
            screened_mr=screened_mr, min_part_points=MIN_PART_POINTS,
        )  # fmt: skip
        signals = result.signal_columns
        after = np.flatnonzero((signals["rule"] == rule) & (signals["first_x"] >= np.datetime64(day, "D")))
        if after.size:
            shift = after[np.argmin(signals["first"][after])]
            row = int(signals["first"][shift]) - 1
            if row > 0:
                starts.setdefault(row, PartStart(
                    row, _date(days[row]), "change", index, str(signals["direction"][shift]),
                    int(signals["n_points"][shift]), _date(days[int(signals["last"][shift]) - 1]),
                ))  # fmt: skip
    return PartPlan(_labels(days.size, starts), [starts[row] for row in sorted(starts)])


def _labels(size: int, starts: dict[int, PartStart]) -> np.ndarray:
    begins = np.zeros(size, dtype=np.int64)
    begins[list(starts)] = 1
    return np.cumsum(begins) + 1


def _date(day: np.datetime64) -> datetime.date:
    return day.astype("datetime64[D]").item()
