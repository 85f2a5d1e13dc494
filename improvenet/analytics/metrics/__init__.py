"""The published metrics (docs/metrics.md), by name, with their options.

    from improvenet.analytics.engines import open_tables
    from improvenet.analytics.metrics import METRICS, run_metric

    with open_tables("var/analytics/riverside.duckdb", engine="duckdb") as tables:
        table = run_metric("chronic-absenteeism", tables, min_n=10, threshold=0.10)  # a pyarrow.Table

Every metric takes `min_n` (small-cell suppression, default 10) and its own options, listed in
`METRICS[name].options` (name, type, default, help) so a command line or a form can offer them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from improvenet.analytics.engines import Tables
from improvenet.analytics.metrics.chronic_absenteeism import chronic_absenteeism
from improvenet.analytics.metrics.common import MetricError
from improvenet.analytics.metrics.graduation_rate import graduation_rate
from improvenet.analytics.metrics.on_track import on_track
from improvenet.analytics.metrics.teacher_retention import VIEWS, teacher_retention
from improvenet.analytics.suppression import DEFAULT_MIN_N

__all__ = ["METRICS", "Metric", "MetricError", "Option", "run_metric"]


@dataclass(frozen=True)
class Option:
    """One option of a metric: `name` is the keyword argument (the CLI flag is `--name-with-dashes`)."""

    name: str
    type: type
    default: object
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    compute: Callable[..., pa.Table]
    options: tuple[Option, ...]
    columns: tuple[str, ...]
    """The columns of the default table (teacher-retention's curves view has `CURVE_COLUMNS`)."""


METRICS: dict[str, Metric] = {
    "chronic-absenteeism": Metric(
        "chronic-absenteeism",
        "Chronic absenteeism (share of students absent on at least 10 % of their enrolled days)",
        chronic_absenteeism,
        (
            Option("min_enrolled_days", int, 10, "students enrolled fewer days than this are left out"),
            Option("threshold", float, 0.10, "share of enrolled days absent that makes a student chronically absent"),
            Option("school_year", int, None, "one school year (the calendar year it ends in); default: every year"),
        ),
        ("school_id", "school_year", "group", "students", "chronic", "rate", "suppressed"),
    ),
    "graduation-rate": Metric(
        "graduation-rate",
        "Four-year adjusted cohort graduation rate",
        graduation_rate,
        (Option("cohort_year", int, None, "the year the cohort entered grade 9; default: every complete cohort"),),
        ("school_id", "cohort_year", "group", "cohort", "graduates", "rate", "suppressed"),
    ),
    "on-track": Metric(
        "on-track",
        "9th graders on track (at least 5 credits and at most one core-subject F)",
        on_track,
        (Option("school_year", int, None, "the 9th-grade year; default: every year"),),
        ("school_id", "school_year", "group", "students", "on_track", "rate", "suppressed"),
    ),
    "teacher-retention": Metric(
        "teacher-retention",
        "Teacher retention (stayed, moved within the district, left) and retention curves",
        teacher_retention,
        (Option("view", str, "shares", "shares by school and year, or Kaplan–Meier curves by entry cohort", VIEWS),),
        (
            "school_id", "school_year", "group", "teachers", "stayed", "moved", "left",
            "stayed_rate", "moved_rate", "left_rate", "suppressed",
        ),
    ),
}


def run_metric(name: str, tables: Tables, min_n: int = DEFAULT_MIN_N, **options) -> pa.Table:
    """Compute metric `name` on `tables` with suppression at `min_n`; MetricError names a bad name or option."""
    metric = METRICS.get(name)
    if metric is None:
        raise MetricError(f"unknown metric {name!r}: choose one of {', '.join(METRICS)}")
    if min_n < 1:
        raise MetricError(f"min_n must be at least 1, not {min_n}")
    known = {option.name: option for option in metric.options}
    for key, value in options.items():
        option = known.get(key)
        if option is None:
            raise MetricError(f"{name} has no option {key!r}; its options: {', '.join(known) or 'none'}")
        if option.choices and value not in option.choices:
            raise MetricError(f"{name}: {key} must be one of {', '.join(option.choices)}, not {value!r}")
    return metric.compute(tables, min_n=min_n, **options)
