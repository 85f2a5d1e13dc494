"""Pure computation of pyramid series (no Django): schools' values pooled into a pyramid's, month by month.

A pyramid is a high school with its feeder schools. Its value for a month pools the raw values of its
schools: for a measure with a denominator, the sum of the numerators over the sum of the denominators
(so a large school weighs more than a small one, as it should for "the pyramid's students"); for a
measure of single values, their mean. A school's own series is pooled the same way, over its weeks.

A metric of the longitudinal store comes suppressed per school (docs/metrics.md): the pyramid's count
is the sum of its schools' counts only when none of them is hidden that year, so a pyramid total never
brings back a hidden number, and never silently leaves a school out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    unit: Hashable
    period: datetime.date | int
    value: float
    weight: float  # the denominator pooled (students, student-days), or how many values were averaged


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def pooled(
    rows: Iterable[tuple[Hashable, datetime.date, float, float | None]],
    unit_of: Callable[[Hashable], Hashable | None],
    *,
    has_denominator: bool,
    multiply: float = 1.0,
) -> list[Point]:
    """Rows of (school, period, numerator, denominator) pooled by unit and month, in unit then month order.

    `unit_of(school)` names the unit a school's row counts for (the school itself, or its pyramid);
    None leaves the row out. A month whose pooled denominator is zero has no value.
    """
    numerators: dict[tuple, float] = defaultdict(float)
    weights: dict[tuple, float] = defaultdict(float)
    months: dict = {}  # each period's month, worked out once: thousands of rows share a few hundred periods
    for school, period, numerator, denominator in rows:
        unit = unit_of(school)
        if unit is None or numerator is None:
            continue
        if has_denominator and denominator is None:
            continue
        month = months.get(period)
        if month is None:
            month = months[period] = month_of(period)
        key = (unit, month)
        numerators[key] += numerator
        weights[key] += denominator if has_denominator else 1
    points = []
    for key in sorted(numerators, key=lambda k: (str(k[0]), k[1])):
        if weights[key] <= 0:
            continue
        ratio = numerators[key] / weights[key]
        points.append(Point(key[0], key[1], ratio * multiply if has_denominator else ratio, weights[key]))
    return points


@dataclass(frozen=True)
class MetricTotal:
    unit: Hashable
    period: int
    count: int | None  # None: hidden, because one of the unit's schools is hidden that period
    numerator: int | None
    hidden_schools: int

    @property
    def rate(self) -> float | None:
        if not self.count:
            return None
        return self.numerator / self.count


def metric_totals(
    rows: Iterable[dict], unit_of: Callable[[Hashable], Hashable | None], *, count: str, numerator: str,
    period: str, unit_column: str = "school_id",
) -> list[MetricTotal]:
    """The `all`-group rows of a suppressed metric table summed per unit and period.

    A unit whose schools include a hidden row that period gets no numbers, only how many schools are hidden.
    """
    counts: dict[tuple, int] = defaultdict(int)
    numerators: dict[tuple, int] = defaultdict(int)
    hidden: dict[tuple, int] = defaultdict(int)
    for row in rows:
        if row.get("group", "all") != "all":
            continue
        unit = unit_of(row[unit_column])
        if unit is None:
            continue
        key = (unit, row[period])
        if row.get("suppressed"):
            hidden[key] += 1
            counts.setdefault(key, 0)
            continue
        counts[key] += int(row[count] or 0)
        numerators[key] += int(row[numerator] or 0)
    totals = []
    for key in sorted(counts, key=lambda k: (str(k[0]), k[1])):
        if hidden[key]:
            totals.append(MetricTotal(key[0], key[1], None, None, hidden[key]))
        else:
            totals.append(MetricTotal(key[0], key[1], counts[key], numerators[key], 0))
    return totals
