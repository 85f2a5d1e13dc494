"""Centre line and control limits for each chart type, following qicharts2 0.8.1.

Each function receives every subgroup of every series at once (a :class:`Subgroups`) and
returns the plotted statistic, centre line and limits per subgroup, before ``multiply``.
The centre and sigma are computed per part from the baseline rows that are not excluded
(``base``); limits then apply to every row of the part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from improvenet.spc.segments import (
    D2_TWO,
    MR_UPPER_FACTOR,
    average_moving_range,
    consecutive_pairs,
    seg_mean,
    seg_median,
    seg_min_max,
    seg_sd,
    seg_sum,
)

# Charts whose statistic is a count divided by a denominator.
CHARTS_NEEDING_N = frozenset({"p", "pp", "u", "up"})
# Charts built from several raw observations per subgroup.
CHARTS_OF_OBSERVATIONS = frozenset({"xbar", "s"})
# Charts of counts (or of a proportion's numerator): values below zero are impossible.
CHARTS_OF_COUNTS = frozenset({"p", "pp", "c", "u", "up", "g"})
CHARTS_WITHOUT_LIMITS = frozenset({"run"})

# Box-Cox style power that makes exponential waiting times roughly normal (Nelson 1994),
# used by the T chart.
T_CHART_POWER = 3.6


@dataclass
class Subgroups:
    """All subgroups of all series, sorted by series, then x; one array element per subgroup."""

    seg: np.ndarray  # part segment id: 0..nseg-1, contiguous
    nseg: int
    series: np.ndarray  # series id
    pos: np.ndarray  # 1-based position within the series
    part: np.ndarray  # 1-based part number within the series
    y: np.ndarray  # sum(y)/sum(n) when a denominator is given, otherwise mean(y)
    n: np.ndarray  # sum of denominators (NaN when none)
    y_sum: np.ndarray
    y_len: np.ndarray  # number of non-missing observations
    y_sd: np.ndarray  # within-subgroup standard deviation (xbar and s charts only)
    baseline: np.ndarray
    include: np.ndarray
    categorical_x: bool

    @property
    def base(self) -> np.ndarray:
        return self.baseline & self.include


@dataclass
class Lines:
    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray


def _no_limits(cl: np.ndarray) -> np.ndarray:
    return np.full(cl.shape, np.nan)


def _clip(values: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
    """Clip finite values only (qicharts2 leaves infinite limits alone; they become NaN later)."""
    out = values.copy()
    finite = np.isfinite(out)
    if low is not None:
        out[finite & (out < low)] = low
    if high is not None:
        out[finite & (out > high)] = high
    return out


def _c4(n: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln  # a second to load: not when the site or a command starts

    n = np.where(n > 1, n, np.nan)
    return np.sqrt(2.0 / (n - 1.0)) * np.exp(gammaln(n / 2.0) - gammaln((n - 1.0) / 2.0))


def _sigma_from_moving_ranges(values, sg: Subgroups, screened: bool) -> np.ndarray:
    """Per-point sigma of an individuals chart: average moving range of the base rows / 1.128."""
    amr = average_moving_range(values, sg.seg, sg.nseg, sg.base, screened)
    return (amr / D2_TWO)[sg.seg]


def run_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = seg_median(sg.y, sg.seg, sg.nseg, sg.base)[sg.seg]
    return Lines(sg.y, cl, _no_limits(cl), _no_limits(cl))


def i_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = seg_mean(sg.y, sg.seg, sg.nseg, sg.base)[sg.seg]
    sigma = _sigma_from_moving_ranges(sg.y, sg, screened)
    return Lines(sg.y, cl, cl - 3 * sigma, cl + 3 * sigma)


def mr_chart(sg: Subgroups, screened: bool) -> Lines:
    # The moving range of each point and the one before it, within the part; the first is missing.
    y = np.full(sg.y.shape, np.nan)
    first, second = consecutive_pairs(sg.seg, np.ones(sg.y.shape, dtype=bool))
    y[second] = np.abs(sg.y[second] - sg.y[first])
    cl = seg_mean(y, sg.seg, sg.nseg, sg.base)[sg.seg]
    return Lines(y, cl, np.zeros(cl.shape), MR_UPPER_FACTOR * cl)


def _pooled_or_mean_sd(sg: Subgroups) -> np.ndarray:
    """Per-part within-subgroup sigma estimate: mean of the subgroup SDs when all subgroups of
    the part have the same size (Montgomery 6.29), else the pooled SD (Montgomery 6.31).

    As in qicharts2 each sum drops its own missing terms, so an empty subgroup still counts
    (n - 1 = -1) in the pooled denominator.
    """
    smallest, largest = seg_min_max(sg.y_len, sg.seg)
    variable_n = smallest != largest
    mean_sd = seg_mean(sg.y_sd, sg.seg, sg.nseg, sg.base)
    numerator = seg_sum((sg.y_len - 1) * sg.y_sd**2, sg.seg, sg.nseg, sg.base)
    denominator = seg_sum(sg.y_len - 1.0, sg.seg, sg.nseg, sg.base)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(numerator / denominator)
    return np.where(variable_n, pooled, mean_sd)[sg.seg]


def xbar_chart(sg: Subgroups, screened: bool) -> Lines:
    weighted = seg_sum(sg.y_len * sg.y, sg.seg, sg.nseg, sg.base)
    weights = seg_sum(sg.y_len, sg.seg, sg.nseg, sg.base)
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = (weighted / weights)[sg.seg]
        a3 = 3.0 / (_c4(sg.y_len) * np.sqrt(sg.y_len))
    sigma = _pooled_or_mean_sd(sg)
    return Lines(sg.y, cl, cl - a3 * sigma, cl + a3 * sigma)


def s_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = _pooled_or_mean_sd(sg)
    c4 = _c4(sg.y_len)
    c5 = np.sqrt(1.0 - c4**2)
    b3 = np.maximum(0.0, 1.0 - 3.0 * c5 / c4)
    b4 = 1.0 + 3.0 * c5 / c4
    return Lines(sg.y_sd, cl, b3 * cl, b4 * cl)


def t_chart(sg: Subgroups, screened: bool) -> Lines:
    # I chart of y^(1/3.6), then every line is transformed back to the original scale.
    transformed = sg.y ** (1.0 / T_CHART_POWER)
    cl = seg_mean(transformed, sg.seg, sg.nseg, sg.base)[sg.seg]
    sigma = _sigma_from_moving_ranges(transformed, sg, screened)
    lower = cl - 3 * sigma
    with np.errstate(invalid="ignore"):
        lcl = np.where(lower < 0, 0.0, lower**T_CHART_POWER)
    lcl[np.isnan(lower)] = np.nan
    return Lines(
        transformed**T_CHART_POWER,
        cl**T_CHART_POWER,
        lcl,
        (cl + 3 * sigma) ** T_CHART_POWER,
    )


def _ratio_centre(sg: Subgroups) -> np.ndarray:
    """Sum of counts over sum of denominators in the base rows of each part."""
    counts = seg_sum(sg.y_sum, sg.seg, sg.nseg, sg.base)
    sizes = seg_sum(sg.n, sg.seg, sg.nseg, sg.base)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts / sizes)[sg.seg]


def _laney_sigma_z(sg: Subgroups, cl: np.ndarray, stdev: np.ndarray, screened: bool):
    """Laney's sigma-z: the spread of the z-scores (y - cl) / stdev between subgroups,
    estimated from their average moving range / 1.128, or, when x is categorical (no time
    order), from their standard deviation."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (sg.y - cl) / stdev
    if sg.categorical_x:
        return seg_sd(z, sg.seg, sg.nseg, sg.base)[sg.seg]
    return _sigma_from_moving_ranges(z, sg, screened)


def _binomial_sigma(cl: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(cl * (1.0 - cl) / n)


def _poisson_sigma(cl: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(cl / n)


def p_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = _ratio_centre(sg)
    sigma = _binomial_sigma(cl, sg.n)
    return Lines(sg.y, cl, _clip(cl - 3 * sigma, low=0.0), _clip(cl + 3 * sigma, high=1.0))


def pp_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = _ratio_centre(sg)
    sigma = _binomial_sigma(cl, sg.n)
    sigma = sigma * _laney_sigma_z(sg, cl, sigma, screened)
    return Lines(sg.y, cl, _clip(cl - 3 * sigma, low=0.0), _clip(cl + 3 * sigma, high=1.0))


def c_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = seg_mean(sg.y_sum, sg.seg, sg.nseg, sg.base)[sg.seg]
    sigma = np.sqrt(cl)
    return Lines(sg.y_sum, cl, _clip(cl - 3 * sigma, low=0.0), cl + 3 * sigma)


def u_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = _ratio_centre(sg)
    sigma = _poisson_sigma(cl, sg.n)
    return Lines(sg.y, cl, _clip(cl - 3 * sigma, low=0.0), cl + 3 * sigma)


def up_chart(sg: Subgroups, screened: bool) -> Lines:
    cl = _ratio_centre(sg)
    sigma = _poisson_sigma(cl, sg.n)
    sigma = sigma * _laney_sigma_z(sg, cl, sigma, screened)
    return Lines(sg.y, cl, _clip(cl - 3 * sigma, low=0.0), cl + 3 * sigma)


def g_chart(sg: Subgroups, screened: bool) -> Lines:
    # Limits from the geometric distribution around the mean (Montgomery p. 319); the centre
    # line drawn is the median, because the distribution is skewed.
    mean = seg_mean(sg.y, sg.seg, sg.nseg, sg.base)[sg.seg]
    sigma = np.sqrt(mean * (mean + 1.0))
    lcl = mean - 3 * sigma
    lcl[lcl < 0] = 0.0
    cl = seg_median(sg.y, sg.seg, sg.nseg, sg.base)[sg.seg]
    return Lines(sg.y, cl, lcl, mean + 3 * sigma)


CHART_FUNCTIONS: dict[str, Callable[[Subgroups, bool], Lines]] = {
    "run": run_chart,
    "i": i_chart,
    "mr": mr_chart,
    "xbar": xbar_chart,
    "s": s_chart,
    "t": t_chart,
    "p": p_chart,
    "pp": pp_chart,
    "c": c_chart,
    "u": u_chart,
    "up": up_chart,
    "g": g_chart,
}


def compute_lines(chart: str, sg: Subgroups, screened_mr: bool) -> Lines:
    lines = CHART_FUNCTIONS[chart](sg, screened_mr)
    # qicharts2 removes infinite or undefined limits (e.g. a missing subgroup) from the chart.
    for name in ("lcl", "ucl"):
        values = getattr(lines, name)
        values[~np.isfinite(values)] = np.nan
    return lines
