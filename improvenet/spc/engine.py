"""Chart lines plus rules: the analysis of prepared subgroups, shared by ``qic`` and ``qic_many``."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from improvenet.spc.charts import (
    CHARTS_OF_OBSERVATIONS,
    CHARTS_WITHOUT_LIMITS,
    Lines,
    Subgroups,
    compute_lines,
    i_chart,
)
from improvenet.spc.prepare import Prepared
from improvenet.spc.rules import (
    IHI_SHIFT_POINTS,
    IHI_TREND_POINTS,
    NHS_SHIFT_POINTS,
    NHS_TREND_POINTS,
    RunsAnalysis,
    Signals,
    add_point_signals,
    anhoej,
    beyond_limits,
    shifts,
    trends,
    two_of_three,
)
from improvenet.spc.segments import segment_starts


@dataclass
class Analysis:
    points: dict[str, np.ndarray]  # one element per subgroup
    parts: dict[str, np.ndarray]  # one element per part segment
    part_series: np.ndarray  # series code of each part segment
    signals: dict[str, np.ndarray]  # one element per signal


def _blank(lines: Lines, blank: np.ndarray) -> None:
    """No centre line and no limits for the blank subgroups (so no signal either)."""
    for values in (lines.cl, lines.lcl, lines.ucl):
        values[blank] = np.nan


def _ihi(
    sg: Subgroups,
    by_limits: Subgroups,
    lines: Lines,
    chart: str,
    screened_mr: bool,
    time_ordered: bool,
    signals: Signals,
    blank: np.ndarray,
):
    """IHI rules; returns (beyond, member): astronomical points, and points in a shift or trend."""
    y, cl, seg = lines.y, lines.cl, sg.seg
    valid = sg.include & np.isfinite(y) & np.isfinite(cl)
    member = np.zeros(y.size, dtype=bool)
    if time_ordered:
        # Points on the centre line are skipped: they neither break nor add to a shift.
        off_centre = np.flatnonzero(valid & (y != cl))
        member |= shifts(seg, y, cl, off_centre, IHI_SHIFT_POINTS, "shift", signals)
        member |= trends(seg, y, np.flatnonzero(valid), IHI_TREND_POINTS, True, "trend", signals)
    # A run chart has no limits; the astronomical point is then judged against the limits an
    # I chart of the same data would have, an objective stand-in for "obviously different".
    if chart in CHARTS_WITHOUT_LIMITS:
        judge = i_chart(by_limits, screened_mr)
        _blank(judge, blank)
    else:
        judge = lines
    beyond = beyond_limits(y, judge.lcl, judge.ucl)
    add_point_signals("astronomical_point", seg, beyond, signals)
    return beyond, member


def _nhs(sg: Subgroups, lines: Lines, time_ordered: bool, signals: Signals):
    """NHS Making Data Count rules; returns (beyond, member) like :func:`_ihi`."""
    y, cl, lcl, ucl, seg = lines.y, lines.cl, lines.lcl, lines.ucl, sg.seg
    beyond = beyond_limits(y, lcl, ucl)
    add_point_signals("beyond_limits", seg, beyond, signals)
    member = np.zeros(y.size, dtype=bool)
    if time_ordered:
        valid = np.flatnonzero(sg.include & np.isfinite(y) & np.isfinite(cl))
        member |= shifts(seg, y, cl, valid, NHS_SHIFT_POINTS, "shift", signals)
        member |= trends(seg, y, valid, NHS_TREND_POINTS, False, "trend", signals)
        member |= two_of_three(seg, y, cl, lcl, ucl, valid, "two_of_three", signals)
    return beyond, member


def analyse(prepared: Prepared, chart: str, *, rules: str, multiply: float, screened_mr: bool) -> Analysis:
    sg = prepared.subgroups
    seg, nseg = sg.seg, sg.nseg
    # Centre and limits per limit segment: a frozen part shares its predecessor's.
    by_limits = replace(sg, seg=prepared.limit_seg, nseg=int(prepared.limit_seg[-1]) + 1)
    lines = compute_lines(chart, by_limits, screened_mr)
    lines.lcl[prepared.zero_n] = np.nan
    lines.ucl[prepared.zero_n] = np.nan
    if prepared.blank.any():
        _blank(lines, prepared.blank)
    # Runs need a time order: none on categorical x, and none on MR charts, whose successive
    # points share an observation (qicharts2).
    time_ordered = chart != "mr" and not sg.categorical_x

    signals = Signals()
    # Anhøj's statistics always fill the parts table; they are signals only with rules=anhoej.
    runs = anhoej(seg, nseg, lines.y, lines.cl, sg.include, signals if rules == "anhoej" else Signals())
    if rules == "anhoej":
        beyond = beyond_limits(lines.y, lines.lcl, lines.ucl)
        add_point_signals("beyond_limits", seg, beyond, signals)
        part_runs_signal = runs.runs_signal & time_ordered
        point_runs_signal = part_runs_signal[seg]  # qicharts2 marks every point of the part
    else:
        if rules == "ihi":
            beyond, point_runs_signal = _ihi(
                sg, by_limits, lines, chart, screened_mr, time_ordered, signals, prepared.blank
            )
        else:
            beyond, point_runs_signal = _nhs(sg, lines, time_ordered, signals)
        part_runs_signal = np.bincount(seg, weights=point_runs_signal, minlength=nseg) > 0

    sigma_signal = beyond != 0
    points = {
        "y": lines.y * multiply,
        # For xbar and s charts, n is the number of observations in the subgroup.
        "n": sg.y_len if chart in CHARTS_OF_OBSERVATIONS else sg.n,
        "cl": lines.cl * multiply,
        "lcl": lines.lcl * multiply,
        "ucl": lines.ucl * multiply,
        "part": sg.part,
        "limits_source": prepared.limits_source,
        "include": sg.include,
        "baseline": sg.baseline,
        "sigma_signal": sigma_signal,
        "runs_signal": point_runs_signal,
    }
    first_of_part = segment_starts(seg)
    parts = _parts_table(runs, sg.part[first_of_part], seg, nseg, part_runs_signal, sigma_signal)
    return Analysis(points, parts, sg.series[first_of_part], signals.arrays())


def _parts_table(runs: RunsAnalysis, part, seg, nseg, runs_signal, sigma_signal) -> dict[str, np.ndarray]:
    return {
        "part": part,
        "n_obs": runs.n_obs.astype(np.int64),
        "n_useful": runs.n_useful.astype(np.int64),
        "longest_run": runs.longest_run,
        "longest_run_max": runs.longest_run_max,
        "n_crossings": runs.n_crossings,
        "n_crossings_min": runs.n_crossings_min,
        "runs_signal": runs_signal,
        "sigma_signals": np.bincount(seg, weights=sigma_signal, minlength=nseg).astype(np.int64),
    }
