"""Benchmark of the longitudinal data load: a synthetic district of 100,000 students over 6 school years.

The bundle is synthesized once (`improvenet.analytics.synth`, about 16 million attendance events) and
cached under ``var/bench/``; its synthesis time is reported from the run that made it. Then, ``--runs``
times (at least 3), each step is timed on its own: reading and checking every row of the bundle, loading
it into a fresh DuckDB store (pseudonymizing every id), exporting the store as Parquet, and importing that
Parquet into another fresh store. The import runs in a child process of its own, so its peak resident
memory is its own; the other steps' peak is that of this process. Medians are reported.

Target (issue 6): loading from Parquet plus computing chronic absenteeism for every school, year and
group in under 30 s and 8 GB; this script times the loading part (the metrics' benchmark the rest).
``--write-readme`` records the table in ``bench/README.md`` under its own section.

    .venv/bin/python bench/bench_data_load.py [--students 100000] [--years 6] [--runs 3] [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

import common  # noqa: E402  (the helpers the benchmarks share)

from improvenet.analytics.bundle import read_bundle  # noqa: E402
from improvenet.analytics.pseudonym import Pseudonymizer  # noqa: E402
from improvenet.analytics.store import Store  # noqa: E402
from improvenet.analytics.synth import synthesize  # noqa: E402

README_HEADING = "## Longitudinal data load (bench/bench_data_load.py)"
CACHE = Path(__file__).parent.parent / "var" / "bench"
MIN_RUNS = 3
IMPORT_TARGET_S = 30.0
MEMORY_TARGET_GB = 8.0
BENCH_KEY = b"improvenet benchmark key, not a secret"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000, help="students enrolled each year (100000)")
    parser.add_argument("--years", type=int, default=6, help="school years (6)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help=f"timed runs of each step (at least {MIN_RUNS})")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    parser.add_argument("--import-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.runs = max(args.runs, MIN_RUNS)
    return args


def peak_rss_gb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, it starts afresh in a new program)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: kilobytes


def cpu_seconds() -> float:
    """CPU time of this process, all its threads (DuckDB's and Arrow's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall-clock and CPU seconds of one step, appended to `wall` and `cpu`."""

    def __init__(self, wall: list[float], cpu: list[float]):
        self.wall, self.cpu = wall, cpu

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), cpu_seconds()

    def __exit__(self, *exc):
        self.wall.append(time.perf_counter() - self.started)
        self.cpu.append(cpu_seconds() - self.cpu_started)


def cached_bundle(students: int, years: int, seed: int) -> tuple[Path, dict]:
    """The synthetic bundle's folder, made once; `done.json` tells it is complete and how long it took."""
    folder = CACHE / f"synth-{students}x{years}-seed{seed}"
    done = folder / "done.json"
    if not done.exists():
        result = synthesize(students, years, seed, folder, improvement_start_year=2023)
        done.write_text(json.dumps({"seconds": result.seconds, "rows": result.rows,
                                    "peak_rss_gb": peak_rss_gb()}))
    return folder, json.loads(done.read_text())


def import_in_child(export: Path, store_path: Path) -> tuple[float, float, float]:
    """Import `export` into a new store in a child process: (seconds, CPU seconds, the child's peak RSS in GB)."""
    out = subprocess.run([sys.executable, __file__, "--import-only", str(export), "--runs", str(MIN_RUNS)],
                         capture_output=True, text=True, check=True, env={**os.environ, "BENCH_STORE": str(store_path)})
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    return measured["seconds"], measured["cpu_seconds"], measured["peak_rss_gb"]


def run_import_only(export: Path) -> int:
    wall, cpu = [], []
    with Timer(wall, cpu):
        Store(os.environ["BENCH_STORE"]).import_parquet(export)
    print(json.dumps({"seconds": wall[0], "cpu_seconds": cpu[0], "peak_rss_gb": peak_rss_gb()}))
    return 0


def main() -> int:
    args = parse_args()
    if args.import_only:
        return run_import_only(args.import_only)
    load = os.getloadavg()[0]
    folder, made = cached_bundle(args.students, args.years, args.seed)
    pseudonymizer = Pseudonymizer(BENCH_KEY)
    steps = ("read and check the bundle", "load into a new store", "export Parquet",
             "import Parquet into a new store")
    times: dict[str, list[float]] = {step: [] for step in steps}
    cpu: dict[str, list[float]] = {step: [] for step in steps}
    import_rss = []
    rows = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="improvenet-bench-", dir=CACHE) as scratch:
            scratch = Path(scratch)
            with Timer(times[steps[0]], cpu[steps[0]]):
                bundle = read_bundle(folder)
            rows = bundle.row_counts()
            with Timer(times[steps[1]], cpu[steps[1]]):
                store = Store(scratch / "store.duckdb")
                store.load(bundle, pseudonymizer)
            del bundle
            with Timer(times[steps[2]], cpu[steps[2]]):
                store.export_parquet(scratch / "export")
            seconds, cpu_used, rss = import_in_child(scratch / "export", scratch / "imported.duckdb")
            times[steps[3]].append(seconds)
            cpu[steps[3]].append(cpu_used)
            import_rss.append(rss)
    table = [
        "| step | median s | min s | max s | median CPU s | runs |",
        "|---|---:|---:|---:|---:|---:|",
        f"| synthesize the bundle (once, cached) | {made['seconds']:.1f} | | | | 1 |",
        *(f"| {name} | {statistics.median(t):.1f} | {min(t):.1f} | {max(t):.1f} | "
          f"{statistics.median(cpu[name]):.1f} | {len(t)} |" for name, t in times.items()),
    ]
    import_median = statistics.median(times["import Parquet into a new store"])
    verdict = "PASS" if import_median < IMPORT_TARGET_S and max(import_rss) < MEMORY_TARGET_GB else "FAIL"
    run = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, 1-minute load average "
           f"{load:.2f} before the run; {args.students} students a year over {args.years} school years "
           f"(seed {args.seed}): {rows.get('student', 0):,} students, "
           f"{rows.get('student_school_attendance_event', 0):,} attendance events, "
           f"{rows.get('course_mark', 0):,} course marks, {rows.get('student_school_association', 0):,} enrollments")
    memory = (f"Peak resident memory: {peak_rss_gb():.1f} GB for reading, checking, loading and exporting; "
              f"{max(import_rss):.1f} GB for the Parquet import (target: import under {IMPORT_TARGET_S:.0f} s "
              f"and {MEMORY_TARGET_GB:.0f} GB, before the metrics: {verdict}).")
    section = (f"{README_HEADING}\n\n"
               "Wall-clock seconds of each step of the longitudinal data load on a synthetic district, and the "
               "CPU seconds of all its threads (the figure that does not depend on the machine's load).\n\n"
               "```\n.venv/bin/python bench/bench_data_load.py --write-readme\n```\n\n"
               f"{run}.\n\n" + "\n".join(table) + f"\n\n{memory}\n")
    print(run)
    print("\n".join(table))
    print(memory)
    if args.write_readme:
        common.write_readme(README_HEADING, section)
        print(f"written to {common.README}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
