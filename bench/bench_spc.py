"""Benchmark of the SPC engine: qic_many on 10,000 series x 104 weekly points.

Times ``improvenet.spc.qic_many`` (I chart and P chart, Anhøj rules) against a bare NumPy pass
over the same long table (sort by series and week with ``np.lexsort``, then each series' mean and
mean moving range with ``np.add.reduceat``), both in the same run. Reports medians over
``--repeat`` runs and the peak memory of one qic_many call, and exits non-zero when a target is
missed: under 1 s each, at most 5 x the NumPy pass, peak memory under 1 GB.

    .venv/bin/python bench/bench_spc.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from improvenet.spc import qic_many

N_SERIES = 10_000
N_WEEKS = 104
TIME_LIMIT_S = 1.0
MAX_RATIO = 5.0
MEMORY_LIMIT_BYTES = 1 << 30


def make_table(seed: int = 20260101) -> pd.DataFrame:
    """A deterministic long table: attendance-like counts per school-week, rows shuffled."""
    rng = np.random.default_rng(seed)
    series = np.repeat(np.arange(N_SERIES, dtype=np.int64), N_WEEKS)
    weeks = np.tile(np.arange(N_WEEKS), N_SERIES)
    week = np.datetime64("2024-01-01") + 7 * weeks.astype("timedelta64[D]")
    n = rng.integers(200, 800, size=series.size).astype(np.float64)
    rate = np.repeat(rng.uniform(0.85, 0.97, N_SERIES), N_WEEKS)
    y = rng.binomial(n.astype(np.int64), rate).astype(np.float64)
    order = rng.permutation(series.size)  # real exports are not sorted
    return pd.DataFrame({"series": series[order], "week": week[order], "y": y[order], "n": n[order]})


def numpy_baseline(series: np.ndarray, week: np.ndarray, y: np.ndarray) -> tuple:
    order = np.lexsort((week, series))
    s, v = series[order], y[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    counts = np.diff(np.r_[starts, s.size])
    mean = np.add.reduceat(v, starts) / counts
    mr = np.abs(np.diff(v))
    mr[(s[1:] != s[:-1])] = 0.0  # no moving range across two series
    mean_mr = np.add.reduceat(np.r_[mr, 0.0], starts) / (counts - 1)
    return mean, mean_mr


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(function) -> int:
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (median)")
    args = parser.parse_args()

    table = make_table()
    series = table["series"].to_numpy()
    week = table["week"].to_numpy()
    y = table["y"].to_numpy()

    def i_chart():
        return qic_many(table, by="series", y="y", x="week", chart="i")

    def p_chart():
        return qic_many(table, by="series", y="y", n="n", x="week", chart="p")

    # Warm-up (imports, first-touch allocations), and a sanity check of the result's size.
    assert len(i_chart().points) == N_SERIES * N_WEEKS
    assert len(p_chart().parts) == N_SERIES
    numpy_baseline(series, week, y)

    baseline = median_time(lambda: numpy_baseline(series, week, y), args.repeat)
    rows = [
        ("NumPy baseline (lexsort + reduceat)", baseline, None),
        ("qic_many I chart, Anhøj", median_time(i_chart, args.repeat), None),
        ("qic_many P chart, Anhøj", median_time(p_chart, args.repeat), None),
    ]
    memory = max(peak_memory(i_chart), peak_memory(p_chart))

    print(
        f"{N_SERIES:,} series x {N_WEEKS} weekly points = {len(table):,} rows; "
        f"{os.cpu_count()} CPUs; median of {args.repeat} runs"
    )
    print(f"{'measurement':40} {'median s':>9} {'x baseline':>11}")
    failures = []
    for name, seconds, _ in rows:
        ratio = seconds / baseline
        print(f"{name:40} {seconds:9.3f} {ratio:11.2f}")
        if name.startswith("qic_many"):
            if seconds >= TIME_LIMIT_S:
                failures.append(f"{name}: {seconds:.3f} s is not under {TIME_LIMIT_S} s")
            if ratio > MAX_RATIO:
                failures.append(f"{name}: {ratio:.2f} x the baseline exceeds {MAX_RATIO} x")
    # ru_maxrss is in KiB on Linux: the whole process, input table and warm-up included.
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"peak traced memory of one qic_many call: {memory / 2**20:.0f} MiB")
    print(f"peak resident memory of the whole process: {max_rss / 2**20:.0f} MiB")
    if max(memory, max_rss) >= MEMORY_LIMIT_BYTES:
        failures.append(f"peak memory {max(memory, max_rss) / 2**20:.0f} MiB is not under 1 GiB")
    for failure in failures:
        print("MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
