"""Start-up times: how soon the real server answers, its first requests, and the commands that only touch the
web database, each a fresh process.

Targets (issue #17): the server answers `/health` within 5 s of starting and its first request in under
1.5 s; `improvenet --help` under 0.5 s; `token list`, `invite --dry-run`, `reminders send --dry-run` and an
error for an unknown cluster under 1.5 s; `improvenet spc` on 40 rows under 2 s. The baseline, timed in the same
run, is a Python interpreter that imports nothing and one that only sets Django up. The demo network is
loaded into a throwaway SQLite file (or the database named by ``--database-url``), which also compiles the
bytecode, as installing does; each measurement is
repeated ``--repeat`` times and the table gives the medians. Targets are in wall time; the CPU time
beside it is what the process itself used, which other jobs on a shared machine inflate far less. The
script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_startup.py [--repeat 5] [--write-readme]
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
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the README section writer)
from bench_concurrency import free_port  # noqa: E402

COMMAND = [sys.executable, "-m", "improvenet.cli.main"]
README_HEADING = "## Start-up (bench/bench_startup.py)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement; medians (default 5)")
    parser.add_argument("--database-url", help="use this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    return parser.parse_args()


def timed(command: list[str], env: dict, expect: int = 0) -> tuple[float, float]:
    """Wall and CPU seconds from starting `command` to its end; its exit code must be `expect`."""
    cpu_before = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return elapsed, children_cpu() - cpu_before


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(url: str, token: str | None = None) -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as answer:
        return answer.read()


def server_start(env: dict, token: str, chart_path: str) -> dict[str, tuple[float, float | None]]:
    """Start `improvenet serve`: wall and CPU seconds until /health answers (the CPU of the process that loads
    the site before it forks the serving processes), then each first request's wall seconds."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                get(base + "/health")
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - start > 120:
                    raise SystemExit("improvenet serve did not answer /health") from None
                time.sleep(0.02)
        times = {"ready": (time.perf_counter() - start, process_cpu(server.pid))}
        for name, path in (("first page", "/accounts/login/"), ("first API", "/api/clusters/riverside/schools"),
                           ("first chart", chart_path)):
            begun = time.perf_counter()
            get(base + path, token)
            times[name] = (time.perf_counter() - begun, None)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def forty_rows(folder: str) -> str:
    path = Path(folder) / "forty.csv"
    values = [52, 55, 49, 61, 58, 50, 47, 53, 60, 57]
    path.write_text("week,value\n" + "".join(f"2026-{1 + week // 4:02d}-{1 + week % 4 * 7:02d},{values[week % 10]}\n"
                                             for week in range(40)))
    return str(path)


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-") as folder:
        # As installed: pip compiles the package's bytecode when it installs it, so a command does not compile
        # its sources on every start. A shell that forbids writing bytecode (PYTHONDONTWRITEBYTECODE) would time
        # the compiler instead; the bytecode goes to this run's folder, never beside the sources.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("IMPROVENET_") and key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = f"{folder}/bytecode"
        env |= {"IMPROVENET_DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.sqlite3",
                "IMPROVENET_SECRET_KEY": "bench-only-not-a-real-secret-0123456789abcdefgh",
                "IMPROVENET_VAR_DIR": folder, "DJANGO_SETTINGS_MODULE": "improvenet.settings"}
        subprocess.run([*COMMAND, "demo", "--no-student-data"], env=env, check=True, capture_output=True)
        token = subprocess.run([*COMMAND, "token", "create", "--user", "alice", "--name", "bench"], env=env,
                               check=True, capture_output=True, text=True).stdout.strip()
        load = os.getloadavg()[0]
        commands = [
            ("baseline: `python -c pass`", [sys.executable, "-c", "pass"], 0, None),
            ("baseline: Python setting Django up", [sys.executable, "-c", "import django; django.setup()"], 0, None),
            ("`improvenet --help`", [*COMMAND, "--help"], 0, 0.5),
            ("`improvenet token list --user alice`", [*COMMAND, "token", "list", "--user", "alice"], 0, 1.5),
            ("`improvenet invite … --dry-run` (one person)",
             [*COMMAND, "invite", "maria@example.org", "--name", "Maria Lopez", "-c", "riverside", "--by", "alice",
              "--dry-run"], 0, 1.5),
            ("`improvenet reminders send --dry-run`", [*COMMAND, "reminders", "send", "--dry-run"], 0, 1.5),
            ("`improvenet export --cluster nowhere` (unknown cluster: an error)",
             [*COMMAND, "export", "--cluster", "nowhere", "--out", f"{folder}/x.zip"], 1, 1.5),
            ("`improvenet spc` on 40 rows (I chart, text)",
             [*COMMAND, "spc", forty_rows(folder), "--chart", "i", "--y", "value", "--x", "week"], 0, 2.0),
        ]
        rows = [(name, [timed(command, env, expect) for _ in range(args.repeat)], target)
                for name, command, expect, target in commands]
        chart = first_chart_path(env, token)
        starts = [server_start(env, token, chart) for _ in range(args.repeat)]
        for name, target in (("ready", 5.0), ("first page", 1.5), ("first API", 1.5), ("first chart", None)):
            label = {"ready": "server: `improvenet serve` until `/health` answers",
                     "first page": "server: its first page (the sign-in page)",
                     "first API": "server: its first API request (Riverside's schools, token)",
                     "first chart": "server: its first chart (a measure's chart data through the API; loads "
                                    "pandas and SciPy)"}[name]
            rows.append((label, [start[name] for start in starts], target))
    return report(rows, args, load)


def first_chart_path(env: dict, token: str) -> str:
    """The API address of a Riverside measure's chart data, found through a server started for it."""
    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--processes", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                listed = json.loads(get(f"http://127.0.0.1:{port}/api/clusters/riverside/measures", token))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return f"/api/clusters/riverside/measures/{listed['items'][0]['id']}/chart"
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(rows: list, args: argparse.Namespace, load: float) -> int:
    lines = ["| what | median wall s | min wall s | median CPU s | target | result |", "|---|---:|---:|---:|---:|---|"]
    missed = []
    for name, measured, target in rows:
        times = [wall for wall, _cpu in measured]
        cpus = [cpu for _wall, cpu in measured if cpu is not None]
        median = statistics.median(times)
        verdict = "baseline" if name.startswith("baseline") else "-" if target is None else \
            "PASS" if median < target else "FAIL"
        if verdict == "FAIL":
            missed.append(f"{name}: median {median:.2f} s is not under {target} s")
        cpu = f"{statistics.median(cpus):.2f}" if cpus else "-"
        lines.append(f"| {name} | {median:.2f} | {min(times):.2f} | {cpu} | "
                     f"{'-' if target is None else f'< {target} s'} | {verdict} |")
    vendor = "postgresql" if (args.database_url or "").startswith("postgres") else "sqlite"
    when = common.describe_run(args.repeat, vendor, load).rsplit(";", 1)[0]
    description = f"{when}; each a fresh process, {args.repeat} runs, medians."
    table = "\n".join(lines)
    print(description)
    print(table)
    for problem in missed:
        print(f"MISSED: {problem}", file=sys.stderr)
    if args.write_readme:
        section = (f"{README_HEADING}\n\nHow soon the real server answers and the commands that only touch the web "
                   "database finish, each in a fresh process; the libraries that take seconds to load (pandas, "
                   "statsmodels, WeasyPrint, PySpark, lifelines, vl-convert, SciPy's statistics) load only where "
                   "they are used (tests/test_startup.py checks it); the API is built on its first request or "
                   "reverse(), not when a command reverses a page's address. Bytecode is compiled once, as "
                   "installing does.\n\n```\n"
                   ".venv/bin/python bench/bench_startup.py --write-readme\n```\n\n"
                   f"{description}\n\n{table}\n")
        common.write_readme(README_HEADING, section)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
