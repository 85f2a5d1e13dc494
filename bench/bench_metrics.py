"""Benchmark of chronic absenteeism on a synthetic district: narwhals on DuckDB, plain pandas, hand-written SQL.

The district comes from `improvenet.analytics.synth.synthesize` (default 100,000 students × 6 school
years with daily attendance events), converted once from its CSV bundle to one Parquet file per store
table, with 1 % of the students marked as opted out. Each timed run is a fresh Python process that
loads the Parquet files and computes the published chronic-absenteeism table (every school, the
district, every year and group, suppression included):

- `improvenet.analytics.metrics` on DuckDB (`open_tables(parquet_dir=...)` loads the files into an
  in-memory database; the metric is narwhals over DuckDB relations);
- the baseline, `improvenet.analytics.baseline_pandas`: pandas `read_parquet` and merges, year by year;
- the practical limit, `improvenet.analytics.baseline_sql`: the same definition hand-written in one DuckDB
  SQL query over the same Parquet views.

All three must give the same table. Targets (issue 6, point 10, and issue 17, point 4): the DuckDB run
under 30 s and under 8 GB of memory (peak resident set of its process), at least 10 times faster than
pandas, and within 2 times the hand-written SQL; medians of `--runs` runs (at least 3), the three
implementations taking turns in each run. The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_metrics.py [--students 100000] [--years 6] [--runs 3] [--data DIR] [--write-readme]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

README_HEADING = "## Metrics: chronic absenteeism (bench/bench_metrics.py)"
TARGET_SECONDS = 30.0
TARGET_MEMORY_MB = 8 * 1024
TARGET_SPEEDUP = 10.0
TARGET_SQL_RATIO = 2.0
IMPLEMENTATIONS = ("duckdb", "sql", "pandas")
MIN_RUNS = 3
OPT_OUT_SHARE = 0.01


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000, help="students enrolled each year (default 100,000)")
    parser.add_argument("--years", type=int, default=6, help="school years (default 6)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3, help=f"timed runs of each implementation (at least {MIN_RUNS})")
    parser.add_argument("--data", type=Path, help="a folder of Parquet tables to reuse (made when missing)")
    parser.add_argument("--write-readme", action="store_true", help="record the figures in bench/README.md")
    parser.add_argument("--measure", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.runs = max(args.runs, MIN_RUNS)
    return args


def make_parquet(students: int, years: int, seed: int, folder: Path) -> dict[str, int]:
    """Synthesize the district's bundle and write its tables as `<table>.parquet`; rows per table."""
    import duckdb

    from improvenet.analytics.engines import SQL_TYPES
    from improvenet.analytics.schema import TABLES
    from improvenet.analytics.synth import synthesize

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-bundle-") as bundle:
        synthesize(students, years, seed, bundle)
        connection = duckdb.connect()
        rows = {}
        for table in TABLES:
            csv = Path(bundle) / table.bundle_file
            if not csv.exists():
                continue
            casts = ", ".join(f"CAST(NULLIF({c.name}, '') AS {SQL_TYPES[c.type]}) AS {c.name}" for c in table.columns)
            target = folder / f"{table.name}.parquet"
            connection.execute(
                f"COPY (SELECT {casts} FROM read_csv('{csv.as_posix()}', all_varchar=true, header=true)) "
                f"TO '{target.as_posix()}' (FORMAT parquet)"
            )
            rows[table.name] = connection.execute(f"SELECT count(*) FROM '{target.as_posix()}'").fetchall()[0][0]
        opt_out = folder / "student_opt_out.parquet"
        connection.execute(
            f"COPY (SELECT student_id, DATE '2020-01-01' AS recorded_on "
            f"FROM '{(folder / 'student.parquet').as_posix()}' WHERE hash(student_id) % 100 < "
            f"{round(OPT_OUT_SHARE * 100)}) TO '{opt_out.as_posix()}' (FORMAT parquet)"
        )
        rows["student_opt_out"] = connection.execute(f"SELECT count(*) FROM '{opt_out.as_posix()}'").fetchall()[0][0]
        connection.close()
    return rows


def measure_once(implementation: str, folder: Path) -> dict:
    """In this process: load the Parquet tables and compute the table; seconds, peak memory, a digest."""
    from improvenet.analytics.baseline_pandas import chronic_absenteeism_pandas, read_tables
    from improvenet.analytics.baseline_sql import chronic_absenteeism_sql
    from improvenet.analytics.engines import open_tables
    from improvenet.analytics.metrics import run_metric

    started, cpu_started = time.perf_counter(), time.process_time()
    if implementation == "duckdb":
        with open_tables(None, "duckdb", parquet_dir=folder) as tables:
            table = run_metric("chronic-absenteeism", tables)
    elif implementation == "sql":
        with open_tables(None, "duckdb", parquet_dir=folder) as tables:
            table = chronic_absenteeism_sql(tables.connection)
    else:
        table = chronic_absenteeism_pandas(read_tables(folder))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    digest = hashlib.sha256(json.dumps(table.to_pylist(), default=str).encode()).hexdigest()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_mb, "rows": table.num_rows, "digest": digest,
    }


def run_child(implementation: str, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", implementation, "--data", str(folder)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure_once(args.measure, args.data)))
        return 0
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-metrics-") as scratch:
        folder = args.data or Path(scratch) / "parquet"
        if not (folder / "student_school_attendance_event.parquet").exists():
            started = time.perf_counter()
            rows = make_parquet(args.students, args.years, args.seed, folder)
            print(f"synthesized in {time.perf_counter() - started:.0f} s: {rows}", flush=True)
        results = {implementation: [] for implementation in IMPLEMENTATIONS}
        for run in range(args.runs):
            for implementation in results:
                results[implementation].append(run_child(implementation, folder))
                print(f"run {run + 1} {implementation}: {results[implementation][-1]}", flush=True)
        attendance_rows = _count_rows(folder / "student_school_attendance_event.parquet")
    return report(args, results, load, attendance_rows)


def _count_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def report(args, results: dict[str, list[dict]], load: float, attendance_rows: int) -> int:
    duck = statistics.median(r["seconds"] for r in results["duckdb"])
    pandas = statistics.median(r["seconds"] for r in results["pandas"])
    sql = statistics.median(r["seconds"] for r in results["sql"])
    duck_memory = max(r["peak_mb"] for r in results["duckdb"])
    pandas_memory = max(r["peak_mb"] for r in results["pandas"])
    speedup = pandas / duck
    same = len({r["digest"] for rs in results.values() for r in rs}) == 1
    checks = {
        f"DuckDB median under {TARGET_SECONDS:.0f} s": duck < TARGET_SECONDS,
        f"DuckDB peak memory under {TARGET_MEMORY_MB / 1024:.0f} GB": duck_memory < TARGET_MEMORY_MB,
        f"at least {TARGET_SPEEDUP:.0f} × faster than pandas": speedup >= TARGET_SPEEDUP,
        f"within {TARGET_SQL_RATIO:.0f} × the hand-written SQL": duck / sql <= TARGET_SQL_RATIO,
        "all three give the same table": same,
    }
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    run = (
        f"{today}; {os.cpu_count()} CPUs ({platform.machine()}, Python {platform.python_version()}), "
        f"1-minute load average {load:.2f} before the run (CPU time is the process's own, user + system); "
        f"{args.students:,} students × {args.years} years, "
        f"{attendance_rows:,} attendance events; medians of {args.runs} runs, each a fresh process"
    )
    lines = [
        "| implementation | median s | runs s | median CPU s | peak memory MB | rows |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for name, runs in (("DuckDB via narwhals (load Parquet + metric)", results["duckdb"]),
                       ("hand-written DuckDB SQL, one query (load Parquet + metric)", results["sql"]),
                       ("pandas baseline (read Parquet + metric)", results["pandas"])):
        seconds = [r["seconds"] for r in runs]
        each = ", ".join(f"{s:.1f}" for s in seconds)
        peak = max(r["peak_mb"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        median = statistics.median(seconds)
        lines.append(f"| {name} | {median:.1f} | {each} | {cpu:.1f} | {peak:.0f} | {runs[0]['rows']} |")
    table = "\n".join(lines)
    verdicts = "\n".join(f"- {name}: {'PASS' if ok else 'FAIL'}" for name, ok in checks.items())
    summary = (f"Speed-up over pandas: {speedup:.1f} ×; narwhals/DuckDB takes {duck / sql:.2f} × the time of the "
               f"hand-written SQL; DuckDB peak {duck_memory:.0f} MB, pandas peak {pandas_memory:.0f} MB.")
    print(f"{run}\n\n{table}\n\n{summary}\n{verdicts}")
    if args.write_readme:
        import common

        common.write_readme(README_HEADING, (
            f"{README_HEADING}\n\n"
            "Loading a synthetic district's Parquet tables and computing the published chronic-absenteeism "
            "table (every school, the district, every year and group, suppression included), DuckDB through "
            "narwhals against a straightforward pandas implementation of the same definition and against the "
            "same definition hand-written in one DuckDB SQL query (the practical limit, "
            "`improvenet/analytics/baseline_sql.py`; its docstring says why it is written as it is), in one run. "
            "Targets: "
            "under 30 s and 8 GB, at least 10 × faster than pandas, within 2 × the hand-written SQL.\n\n"
            "```\n.venv/bin/python bench/bench_metrics.py --write-readme\n```\n\n"
            f"{run}.\n\n{table}\n\n{summary}\n\n{verdicts}\n"
        ))
    missed = [name for name, ok in checks.items() if not ok]
    for name in missed:
        print(f"MISSED: {name}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
