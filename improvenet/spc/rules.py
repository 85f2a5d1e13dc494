"""Rules that tell special-cause variation from common-cause variation.

* ``anhoej`` (default, as qicharts2): per part, a run of points on one side of the centre line
  longer than round(log2(n_useful)) + 3, or fewer crossings of the centre line than the 5th
  percentile of Binomial(n_useful - 1, 0.5); plus the 3-sigma rule (a point beyond the limits).
* ``ihi`` (IHI run-chart rules): a shift of 6 or more points on one side of the centre line,
  a trend of 5 or more points all going up or all going down, an astronomical point.
* ``nhs`` (NHS England "Making Data Count", for XmR charts): a point beyond the limits, 7 points
  on one side of the mean, 7 points rising or falling, 2 of 3 points beyond 2 sigma on the same
  side of the mean.

Everything works on flat arrays of all parts of all series (``seg`` = part segment id).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from improvenet.spc.segments import runs_of_equal, seg_count, seg_max_of_runs

RULE_SETS = ("anhoej", "ihi", "nhs")

IHI_SHIFT_POINTS = 6
IHI_TREND_POINTS = 5
NHS_SHIFT_POINTS = 7
NHS_TREND_POINTS = 7


@dataclass
class Signals:
    """One row per signal: which rule, which part segment, the first and last subgroup it covers
    (indices into the flat subgroup arrays), how many points it counts, and its direction."""

    seg: list[np.ndarray] = field(default_factory=list)
    rule: list[np.ndarray] = field(default_factory=list)
    first: list[np.ndarray] = field(default_factory=list)
    last: list[np.ndarray] = field(default_factory=list)
    n_points: list[np.ndarray] = field(default_factory=list)
    direction: list[np.ndarray] = field(default_factory=list)

    def add(self, rule, seg, first, last, n_points, direction) -> None:
        size = len(seg)
        self.rule.append(np.full(size, rule, dtype=object))
        self.seg.append(np.asarray(seg, dtype=np.int64))
        self.first.append(np.asarray(first, dtype=np.int64))
        self.last.append(np.asarray(last, dtype=np.int64))
        self.n_points.append(np.asarray(n_points, dtype=np.int64))
        self.direction.append(np.asarray(direction, dtype=object))

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("seg", "rule", "first", "last", "n_points", "direction")
        if not self.seg:
            return {name: np.zeros(0, dtype=object if name in ("rule", "direction") else np.int64) for name in names}
        out = {name: np.concatenate(getattr(self, name)) for name in names}
        # Signals in chart order: by where they start, then by rule name.
        order = np.lexsort((out["rule"].astype(str), out["first"]))
        return {name: values[order] for name, values in out.items()}


@dataclass
class RunsAnalysis:
    """Anhøj run statistics per part segment (NaN where a part has no useful point)."""

    n_obs: np.ndarray
    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    n_crossings: np.ndarray
    n_crossings_min: np.ndarray
    runs_signal: np.ndarray


def anhoej_thresholds(n_useful: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longest run allowed (signal if longer) and fewest crossings expected (signal if fewer)
    for the given numbers of useful points; NaN where there are none."""
    n_useful = np.asarray(n_useful, dtype=np.float64)
    has = n_useful > 0
    longest_max = np.full(n_useful.shape, np.nan)
    crossings_min = np.full(n_useful.shape, np.nan)
    longest_max[has] = np.round(np.log2(n_useful[has])) + 3
    # Few distinct sizes occur, so evaluate the binomial quantile once per size.
    sizes, inverse = np.unique(n_useful[has], return_inverse=True)
    crossings_min[has] = np.array([fewest_crossings_expected(int(size) - 1) for size in sizes])[inverse]
    return longest_max, crossings_min


@functools.lru_cache(maxsize=1024)
def fewest_crossings_expected(chances: int) -> int:
    """The 5th percentile of the crossings of the median among `chances` neighbouring pairs: the smallest k with
    P(Binomial(chances, 1/2) <= k) >= 0.05, as SciPy's `binom.ppf(0.05, chances, 0.5)` gives it.

    Counted exactly in integers (P(X <= k) = sum of C(chances, i) / 2**chances, which never equals 1/20), so the
    command line and the site need not load SciPy's statistics (over a second) for one quantile."""
    below, term, k, every = 1, 1, 0, 2**chances  # C(chances, 0) and the number of outcomes
    while 20 * below < every:
        term = term * (chances - k) // (k + 1)
        k += 1
        below += term
    return k


def _direction(sign: np.ndarray, positive: str, negative: str) -> np.ndarray:
    return np.where(sign > 0, positive, negative).astype(object)


def _members(size: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Boolean mask of the indices covered by the inclusive ranges [start, end]."""
    cover = np.zeros(size + 1, dtype=np.int64)
    np.add.at(cover, start, 1)
    np.add.at(cover, end + 1, -1)
    return np.cumsum(cover[:-1]) > 0


def _sides(y: np.ndarray, cl: np.ndarray, rows: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sign(y[rows] - cl[rows])


def anhoej(seg, nseg, y, cl, include, signals: Signals) -> RunsAnalysis:
    """Anhøj's runs analysis per part. Points on the centre line and missing points are not
    useful: they neither break nor extend a run."""
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = np.flatnonzero(include & np.isfinite(side) & (side != 0))
    runs = runs_of_equal(seg[useful], side[useful])
    n_useful = np.bincount(seg[useful], minlength=nseg).astype(np.float64)
    has = n_useful > 0
    n_runs = np.bincount(runs["seg"], minlength=nseg)
    longest = seg_max_of_runs(runs["seg"], runs["length"], nseg).astype(np.float64)
    crossings = np.maximum(n_runs - 1, 0).astype(np.float64)
    longest_max, crossings_min = anhoej_thresholds(n_useful)
    longest[~has] = np.nan
    crossings[~has] = np.nan
    with np.errstate(invalid="ignore"):
        too_long = longest > longest_max
        too_few = crossings < crossings_min

    long_runs = runs["length"] > longest_max[runs["seg"]]
    signals.add(
        "longest_run",
        runs["seg"][long_runs],
        useful[runs["start"][long_runs]],
        useful[runs["end"][long_runs]],
        runs["length"][long_runs],
        _direction(runs["label"][long_runs], "above", "below"),
    )
    few = np.flatnonzero(too_few)
    # The crossings signal concerns the whole part: from its first to its last useful point.
    first_useful = np.full(nseg, -1)
    last_useful = np.full(nseg, -1)
    first_useful[seg[useful][::-1]] = useful[::-1]
    last_useful[seg[useful]] = useful
    signals.add(
        "few_crossings",
        few,
        first_useful[few],
        last_useful[few],
        n_useful[few],
        np.full(few.size, "", dtype=object),
    )
    return RunsAnalysis(
        n_obs=seg_count(seg, nseg, include),
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=longest_max,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=too_long | too_few,
    )


def beyond_limits(y, lcl, ucl) -> np.ndarray:
    """+1 above the upper limit, -1 below the lower limit, 0 otherwise (or without limits)."""
    with np.errstate(invalid="ignore"):
        return (y > ucl).astype(np.int8) - (y < lcl).astype(np.int8)


def add_point_signals(rule: str, seg, beyond: np.ndarray, signals: Signals) -> None:
    rows = np.flatnonzero(beyond)
    signals.add(rule, seg[rows], rows, rows, np.ones(rows.size), _direction(beyond[rows], "above", "below"))


def shifts(seg, y, cl, rows, min_points, rule, signals: Signals) -> np.ndarray:
    """Runs of at least ``min_points`` of the given rows on one side of the centre line.
    A point on the centre line belongs to no side: its zero label ends a run and is never a
    run itself. Returns the mask of rows (over all subgroups) that belong to a signal."""
    side = _sides(y, cl, rows)
    runs = runs_of_equal(seg[rows], side)
    hit = (runs["length"] >= min_points) & (runs["label"] != 0)
    signals.add(
        rule,
        runs["seg"][hit],
        rows[runs["start"][hit]],
        rows[runs["end"][hit]],
        runs["length"][hit],
        _direction(runs["label"][hit], "above", "below"),
    )
    member = np.zeros(y.size, dtype=bool)
    member[rows[_members(rows.size, runs["start"][hit], runs["end"][hit])]] = True
    return member


def trends(seg, y, rows, min_points, skip_ties, rule, signals: Signals) -> np.ndarray:
    """Runs of consecutive rises (or falls) among the given rows within a part, at least
    ``min_points`` points long. With ``skip_ties`` two equal successive values count as one
    point (IHI); otherwise a tie ends the trend (NHS)."""
    same_part = seg[rows[1:]] == seg[rows[:-1]]
    before, after = rows[:-1][same_part], rows[1:][same_part]
    step = np.sign(y[after] - y[before])
    if skip_ties:
        moved = step != 0
        before, after, step = before[moved], after[moved], step[moved]
    # Within a part the steps form one chain, so a trend is a run of equal, non-zero steps.
    runs = runs_of_equal(seg[before], step)
    hit = (runs["length"] + 1 >= min_points) & (runs["label"] != 0)
    first = before[runs["start"][hit]]
    last = after[runs["end"][hit]]
    signals.add(
        rule,
        seg[first],
        first,
        last,
        runs["length"][hit] + 1,
        _direction(runs["label"][hit], "up", "down"),
    )
    # Every counted point from the first to the last of the trend belongs to the signal.
    position = np.full(y.size, -1)
    position[rows] = np.arange(rows.size)
    member = np.zeros(y.size, dtype=bool)
    member[rows[_members(rows.size, position[first], position[last])]] = True
    return member


def two_of_three(seg, y, cl, lcl, ucl, rows, rule, signals: Signals) -> np.ndarray:
    """NHS: of three successive points on the same side of the mean, two or more lie between
    2 sigma and the limit (NHSRplotthedots' definition: all three on one side; a point beyond
    the limit counts under its own rule). Only the points near the limit are marked."""
    yy, cc, lo, hi = y[rows], cl[rows], lcl[rows], ucl[rows]
    with np.errstate(invalid="ignore"):
        side = np.sign(yy - cc)
        near_upper = (yy > cc + 2.0 * (hi - cc) / 3.0) & (yy <= hi)
        near_lower = (yy < cc - 2.0 * (cc - lo) / 3.0) & (yy >= lo)
    near = near_upper.astype(np.int8) - near_lower.astype(np.int8)
    part = seg[rows]
    flagged = np.zeros(rows.size, dtype=bool)
    if rows.size >= 3:
        # Window k covers points k, k+1, k+2.
        a, b, c = slice(0, -2), slice(1, -1), slice(2, None)
        one_side = (side[a] != 0) & (side[a] == side[b]) & (side[b] == side[c])
        one_part = part[a] == part[c]
        near_count = (near[a] == side[a]).astype(int) + (near[b] == side[a]) + (near[c] == side[a])
        window = one_side & one_part & (near_count >= 2)
        for offset in (a, b, c):
            flagged[offset] |= window & (near[offset] == side[a])
    idx = np.flatnonzero(flagged)
    # Neighbouring marked points (at most two apart, same side, same part) form one signal.
    new_cluster = np.diff(idx) > 2
    new_cluster |= (near[idx][1:] != near[idx][:-1]) | (part[idx][1:] != part[idx][:-1])
    new_cluster = np.r_[True, new_cluster] if idx.size else new_cluster
    starts = np.flatnonzero(new_cluster)
    ends = np.r_[starts[1:] - 1, idx.size - 1] if idx.size else starts
    signals.add(
        rule,
        part[idx[starts]],
        rows[idx[starts]],
        rows[idx[ends]],
        ends - starts + 1,
        _direction(near[idx[starts]], "above", "below"),
    )
    member = np.zeros(y.size, dtype=bool)
    member[rows[idx]] = True
    return member
