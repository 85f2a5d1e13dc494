"""Benchmark of the real server under concurrent clients: requests per second and p95 at 1, 8 and 32 clients.

`improvenet serve` (waitress, 8 threads a process, as docs/deploy.md sets it up) serves the demo network
from a throwaway SQLite file, or from the database named by ``--database-url``: first with one process
(the baseline, as the server ran before it had several), then with ``--processes`` (default: one a
core, the server's own default). Each client is a thread that sends requests one after another for
``--seconds``: signed-in requests of the Riverside cluster home and of a measure's chart data through
the API, alternately. Each level is measured ``--repeat`` times; the table gives the medians. Target
(from the reliability issue): with several processes, at 8 clients at least 1.5 × the requests per
second of 1 client, and no error at any level. The clients run on the same machine as the server, so
they take CPU from it: the figures are a floor. The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_concurrency.py [--seconds 10] [--repeat 3] [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the README section writer and run description)

COMMAND = [sys.executable, "-m", "improvenet.cli.main"]
LEVELS = (1, 8, 32)
THREADS = 8
TARGET_SPEEDUP_AT_8 = 1.5
README_HEADING = "## Concurrent clients against the real server (bench/bench_concurrency.py)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="how long each level runs (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each level; medians are shown (default 3)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="server processes of the measured server (default: one a core)")
    parser.add_argument("--database-url", help="serve from this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Session:
    """One client: the demo user `alice`, signed in on the pages and with an API token."""

    def __init__(self, base: str, token: str, password: str):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        login = self.get("/accounts/login/")[1]
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1).decode()
        form = urllib.parse.urlencode({"username": "alice", "password": password, "csrfmiddlewaretoken": csrf})
        self.opener.open(urllib.request.Request(base + "/accounts/login/", data=form.encode()), timeout=30).read()

    def get(self, path: str, api: bool = False) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.token}"} if api else {}
        try:
            with self.opener.open(urllib.request.Request(self.base + path, headers=headers), timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, b""
        except OSError as error:  # no answer in time: an error of the level, not the end of its client
            return 0, str(error).encode()


def run_level(sessions: list[Session], requests: list[tuple[str, bool]], seconds: float) -> dict:
    """All sessions send requests until the time is up; requests per second, p95 in ms and the errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(session: Session, offset: int) -> None:
        mine, index = [], offset
        while time.monotonic() < deadline:
            path, api = requests[index % len(requests)]
            start = time.perf_counter()
            status, _ = session.get(path, api)
            mine.append((time.perf_counter() - start) * 1000)
            if status != 200:
                with lock:
                    errors.append(f"{path}: {status}")
            index += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(session, i)) for i, session in enumerate(sessions)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1] if len(latencies) > 1 else latencies[0]
    return {"rps": len(latencies) / elapsed, "p95": p95, "errors": errors}


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-") as folder:
        env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
        env |= {"IMPROVENET_DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.sqlite3",
                "IMPROVENET_SECRET_KEY": "bench-only-not-a-real-secret-0123456789abcdefgh",
                "IMPROVENET_VAR_DIR": folder}
        subprocess.run([*COMMAND, "demo", "--no-student-data"], env=env, check=True, capture_output=True)
        token = subprocess.run([*COMMAND, "token", "create", "--user", "alice", "--name", "bench"], env=env,
                               check=True, capture_output=True, text=True).stdout.strip()
        load = os.getloadavg()[0]
        results = {processes: served(processes, token, args, env) for processes in (1, args.processes)}
    return report(results, args, env, load)


def served(processes: int, token: str, args: argparse.Namespace, env: dict) -> dict[int, list[dict]]:
    """Each level's runs against `improvenet serve --processes PROCESSES`."""
    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--threads", str(THREADS), "--processes",
                               str(processes)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return measure(f"http://127.0.0.1:{port}", token, args)
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(base: str, token: str, args: argparse.Namespace) -> dict[int, list[dict]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
    import django

    django.setup()  # the demo package, where the demo password is, imports models
    from improvenet.demo import DEMO_PASSWORD

    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    probe = Session(base, token, DEMO_PASSWORD)
    measure_id = json.loads(probe.get("/api/clusters/riverside/measures", api=True)[1])["items"][0]["id"]
    requests = [("/clusters/riverside/", False), (f"/api/clusters/riverside/measures/{measure_id}/chart", True)]
    sessions = [Session(base, token, DEMO_PASSWORD) for _ in range(max(LEVELS))]
    # Warm-up: templates, caches, connections, and the libraries the chart loads in every process (one
    # client first, so that the first charts do not all wait for them at once).
    run_level(sessions[:1], requests, 5)
    run_level(sessions[:8], requests, 5)
    return {level: [run_level(sessions[:level], requests, args.seconds) for _ in range(args.repeat)]
            for level in LEVELS}


def report(results: dict[int, dict[int, list[dict]]], args: argparse.Namespace, env: dict, load: float) -> int:
    """Print the table of both servers (and record it); the exit status."""
    lines = ["| server processes | clients | requests per second | × 1 client | p95 ms | errors |",
             "|---:|---:|---:|---:|---:|---:|"]
    speedups, errors = {}, []
    for processes, levels in results.items():
        rps = {level: statistics.median(r["rps"] for r in runs) for level, runs in levels.items()}
        errors += [error for runs in levels.values() for r in runs for error in r["errors"]]
        for level, runs in levels.items():
            p95 = statistics.median(r["p95"] for r in runs)
            name = f"{processes} (baseline)" if processes == 1 else str(processes)
            lines.append(f"| {name} | {level} | {rps[level]:.1f} | {rps[level] / rps[1]:.2f} | {p95:.0f} | "
                         f"{sum(len(r['errors']) for r in runs)} |")
        speedups[processes] = rps[8] / rps[1]
    speedup = speedups[args.processes]
    verdict = "PASS" if speedup >= TARGET_SPEEDUP_AT_8 and not errors else "FAIL"
    vendor = "postgresql" if env["IMPROVENET_DATABASE_URL"].startswith("postgres") else "sqlite"
    when = common.describe_run(args.repeat, vendor, load).rsplit(";", 1)[0]
    description = (f"{when}; waitress with {THREADS} threads a process; {args.repeat} runs of {args.seconds:.0f} s "
                   f"per level, medians; with {args.processes} processes, at 8 clients {speedup:.2f} × the "
                   f"throughput of 1 (target ≥ {TARGET_SPEEDUP_AT_8}; one process: {speedups[1]:.2f} ×): "
                   f"{verdict}.")
    table = "\n".join(lines)
    print(description)
    print(table)
    for error in errors[:10]:
        print(f"ERROR {error}", file=sys.stderr)
    if args.write_readme:
        section = (f"{README_HEADING}\n\nThe real server (`improvenet serve`, waitress) under concurrent clients, each "
                   "sending the Riverside cluster home page (signed in) and a measure's chart data (API token) one "
                   "after another: first with one server process (the baseline: the server before it had "
                   "several), then with one process a core. The 1-client level of each is its "
                   "baseline.\n\n```\n"
                   ".venv/bin/python bench/bench_concurrency.py --write-readme\n```\n\n"
                   f"{description}\n\n{table}\n")
        common.write_readme(README_HEADING, section)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
