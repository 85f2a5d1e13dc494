"""Vectorised helpers over flat arrays cut into contiguous segments.

Every series, and every part of a series, is a run of consecutive rows in one flat array,
identified by a segment id (0, 1, 2, ... in row order). These helpers compute per-segment
statistics with ``np.bincount`` / ``np.*.reduceat`` so that thousands of series cost one array
pass instead of one Python loop each.
"""

from __future__ import annotations

import numpy as np

# Upper limit for a moving range, as a multiple of the average moving range (Nelson 1982; the
# D4 constant for subgroups of two). Used both for MR charts and for MR screening.
MR_UPPER_FACTOR = 3.267
# d2 for subgroups of two: the average moving range divided by d2 estimates sigma.
D2_TWO = 1.128


def segment_starts(seg: np.ndarray) -> np.ndarray:
    """Index of the first row of each segment (segments are contiguous and numbered in order)."""
    if seg.size == 0:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])


def seg_sum(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the masked, finite rows of each segment (R's ``sum(na.rm=TRUE)``)."""
    keep = mask & np.isfinite(values)
    return np.bincount(seg, weights=np.where(keep, values, 0.0), minlength=nseg)


def seg_count(seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    return np.bincount(seg, weights=mask.astype(np.float64), minlength=nseg)


def seg_mean(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    """Mean over the masked, finite rows of each segment; NaN for a segment with none."""
    keep = mask & np.isfinite(values)
    total = np.bincount(seg, weights=np.where(keep, values, 0.0), minlength=nseg)
    count = np.bincount(seg, weights=keep.astype(np.float64), minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def seg_sd(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    """Sample standard deviation over the masked rows; NaN if any masked value is missing
    (R's ``sd()`` without ``na.rm``) or fewer than two rows."""
    count = seg_count(seg, nseg, mask)
    missing = seg_count(seg, nseg, mask & ~np.isfinite(values))
    mean = seg_mean(values, seg, nseg, mask)
    dev = np.where(mask & np.isfinite(values), values - mean[seg], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.bincount(seg, weights=dev * dev, minlength=nseg) / (count - 1))
    sd[(missing > 0) | (count < 2)] = np.nan
    return sd


def seg_median(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    """Median over the masked, finite rows of each segment; NaN for a segment with none."""
    keep = np.flatnonzero(mask & np.isfinite(values))
    kept_seg = seg[keep]
    order = np.lexsort((values[keep], kept_seg))
    sorted_values = values[keep][order]
    count = np.bincount(kept_seg, minlength=nseg)
    offset = np.r_[0, np.cumsum(count)[:-1]]
    median = np.full(nseg, np.nan)
    has = count > 0
    lower = sorted_values[(offset + (count - 1) // 2)[has]]
    upper = sorted_values[(offset + count // 2)[has]]
    median[has] = (lower + upper) / 2.0
    return median


def seg_min_max(values: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = segment_starts(seg)
    return np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)


def consecutive_pairs(seg: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (earlier, later) of consecutive masked rows that lie in the same segment.

    Rows outside the mask are skipped, so a moving range spans an excluded point, as in
    qicharts2 where moving ranges are taken over ``y[baseline & include]``.
    """
    rows = np.flatnonzero(mask)
    same = seg[rows[1:]] == seg[rows[:-1]]
    return rows[:-1][same], rows[1:][same]


def average_moving_range(
    values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray, screened: bool
) -> np.ndarray:
    """Average moving range of the masked rows per segment.

    Moving ranges next to a missing value are missing and left out of the average. With
    ``screened``, moving ranges at or above 3.267 x the average are dropped and the average is
    recomputed once (Nelson 1982; qicharts2 option ``qic.screenedmr``).
    """
    first, second = consecutive_pairs(seg, mask)
    mr = np.abs(values[second] - values[first])
    ok = np.isfinite(mr)
    mr_seg = seg[second][ok]
    mr = mr[ok]
    total = np.bincount(mr_seg, weights=mr, minlength=nseg)
    count = np.bincount(mr_seg, minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = total / count
        if screened:
            keep = mr < MR_UPPER_FACTOR * amr[mr_seg]
            total = np.bincount(mr_seg[keep], weights=mr[keep], minlength=nseg)
            count = np.bincount(mr_seg[keep], minlength=nseg)
            amr = total / count
    return amr


def runs_of_equal(seg: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """Run-length encoding of ``labels`` (already restricted to the rows that count) within
    segments: a run ends where the label changes or a new segment starts.

    Returns, per run: ``start`` and ``end`` (index into the given arrays, inclusive),
    ``length``, ``seg`` and ``label``.
    """
    if labels.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return {"start": empty, "end": empty, "length": empty, "seg": empty, "label": labels}
    new_run = np.r_[True, (seg[1:] != seg[:-1]) | (labels[1:] != labels[:-1])]
    start = np.flatnonzero(new_run)
    end = np.r_[start[1:] - 1, labels.size - 1]
    return {
        "start": start,
        "end": end,
        "length": end - start + 1,
        "seg": seg[start],
        "label": labels[start],
    }


def seg_max_of_runs(run_seg: np.ndarray, run_length: np.ndarray, nseg: int) -> np.ndarray:
    """Longest run per segment (0 where a segment has no run). Runs are in segment order."""
    longest = np.zeros(nseg, dtype=np.int64)
    if run_seg.size:
        starts = segment_starts(run_seg)
        longest[run_seg[starts]] = np.maximum.reduceat(run_length, starts)
    return longest
