"""Benchmark of the open archive: exporting the demo's Riverside cluster and importing it again.

The demo network is loaded into a throwaway SQLite database (or the database named by
``--database-url``). The export of Riverside is timed in-process, writing the zip to memory. The
import is timed as an operator runs it: `improvenet import` in a subprocess, into a fresh copy of a
migrated empty SQLite database each run, so its time includes starting Python and Django. Medians
over ``--runs`` runs (default 5), with the process's CPU time beside the wall-clock time, since
the machine may be shared. ``--write-readme`` records the table in ``bench/README.md``.

    .venv/bin/python bench/bench_archive.py [--runs 5] [--write-readme]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402  (the helpers the benchmarks share)

README_HEADING = "## Open archive (bench/bench_archive.py)"
CLUSTER = "riverside"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed exports and imports (default 5)")
    parser.add_argument("--database-url", help="export from this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    return parser.parse_args()


def time_exports(runs: int) -> tuple[list[float], list[float], bytes, dict]:
    from django_scopes import scopes_disabled

    from improvenet.archive.export import export_cluster
    from improvenet.network.models import Cluster

    with scopes_disabled():
        cluster = Cluster.objects.select_related("network").get(slug=CLUSTER)
    walls, cpus = [], []
    for _ in range(runs):
        out = io.BytesIO()
        wall, cpu = time.perf_counter(), time.process_time()
        manifest = export_cluster(cluster, out)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, out.getvalue(), manifest


def time_imports(archive: bytes, runs: int) -> tuple[list[float], list[float]]:
    command = [sys.executable, "-m", "improvenet.cli.main"]
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-archive-") as folder:
        folder = Path(folder)
        (folder / "riverside.zip").write_bytes(archive)
        env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
        env |= {"IMPROVENET_SECRET_KEY": "bench", "IMPROVENET_VAR_DIR": str(folder)}
        template = folder / "empty.sqlite3"
        subprocess.run([*command, "migrate"], env=env | {"IMPROVENET_DATABASE_URL": f"sqlite:///{template}"},
                       check=True, capture_output=True)
        walls, cpus = [], []
        for run in range(runs):
            target = folder / f"run{run}.sqlite3"
            shutil.copy(template, target)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall = time.perf_counter()
            subprocess.run([*command, "import", str(folder / "riverside.zip"), "--quiet"], check=True,
                           capture_output=True, env=env | {"IMPROVENET_DATABASE_URL": f"sqlite:///{target}"})
            walls.append(time.perf_counter() - wall)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        if args.database_url is None:
            common.load_demo_data()
        export_walls, export_cpus, archive, manifest = time_exports(args.runs)
        vendor = connection.vendor
    import_walls, import_cpus = time_imports(archive, args.runs)
    rows = sum(entry.get("rows", 0) for entry in manifest["files"])
    tables = sum(1 for entry in manifest["files"] if "table" in entry)
    lines = [
        "| step | median wall s | min wall s | median CPU s |",
        "|---|---:|---:|---:|",
        f"| export {CLUSTER} (in-process, to memory) | {statistics.median(export_walls):.2f} | "
        f"{min(export_walls):.2f} | {statistics.median(export_cpus):.2f} |",
        f"| `improvenet import` into an empty SQLite database (whole command) | {statistics.median(import_walls):.2f} "
        f"| {min(import_walls):.2f} | {statistics.median(import_cpus):.2f} |",
    ]
    run = (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, 1-minute load average "
        f"{load:.2f} before the run; exported from {vendor}; {args.runs} runs each; the archive: {tables} tables, "
        f"{rows} rows, {len(archive) / 1e6:.1f} MB"
    )
    table = "\n".join(lines)
    section = (
        f"{README_HEADING}\n\n"
        "Export of the demo's Riverside cluster (in-process) and its import into an empty database (the "
        "`improvenet import` command, Python and Django start included). No target; wall-clock and CPU time.\n\n"
        "```\n.venv/bin/python bench/bench_archive.py --write-readme\n```\n\n"
        f"{run}.\n\n{table}\n"
    )
    print(run)
    print(table)
    if args.write_readme:
        common.write_readme(README_HEADING, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
