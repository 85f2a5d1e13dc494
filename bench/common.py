"""The pieces the Django page benchmarks share (bench_pages.py, bench_measures.py, bench_cycles.py).

Each request is timed in-process with Django's test ``Client``: warmed up, then timed a number of
times (median, p90, min), with one extra request counting its SQL queries. The benchmarks run on a
throwaway SQLite database in a temporary folder, or on the database named by ``--database-url``,
print a Markdown table and may record it under their own section of ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BASELINE_PAGE = "/accounts/login/"
WARMUP_REQUESTS = 5
# A request that may write is one transaction (improvenet.middleware.AtomicWrites): BEGIN and COMMIT
# are not counted.
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
README = Path(__file__).with_name("README.md")
README_INTRO = (
    "# Benchmarks\n\n"
    "Benchmark scripts, run by hand (`make bench`), not timed tests. Each reports medians over "
    "several runs and compares against a baseline measured in the same run.\n"
)


@dataclass(frozen=True)
class Measurement:
    """The timings of one request, its SQL query count and its target (None: no target)."""

    name: str
    times_ms: list[float]
    queries: int
    target_ms: float | None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[-1]

    @property
    def minimum(self) -> float:
        return min(self.times_ms)

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "baseline"
        return "PASS" if self.median < self.target_ms else "FAIL"


def parse_page_bench_args(description: str, default_runs: int, min_runs: int,
                          what: str = "timed requests per page") -> argparse.Namespace:
    """The options every page benchmark takes: --runs, --database-url and --write-readme."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=default_runs,
                        help=f"{what} (default {default_runs}, at least {min_runs})")
    parser.add_argument("--database-url", help="run against this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {README.name}")
    args = parser.parse_args()
    args.runs = max(args.runs, min_runs)
    return args


def configure_django(database_url: str) -> None:
    """Point improvenet at the benchmark database and start Django."""
    os.environ["IMPROVENET_DATABASE_URL"] = database_url
    os.environ["IMPROVENET_SECRET_KEY"] = "bench"
    os.environ["IMPROVENET_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "improvenet.settings"
    import django

    django.setup()


@contextmanager
def bench_database(database_url: str | None) -> Iterator:
    """Start Django on `database_url`, or on a throwaway SQLite file; yields the database connection.

    The connection is closed, and the temporary folder removed, when the block ends.
    """
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-") as folder:
        configure_django(database_url or f"sqlite:///{folder}/bench.sqlite3")
        from django.db import connection

        yield connection
        connection.close()


def load_demo_data() -> None:
    """Create the tables and load the demo network."""
    from django.core.management import call_command

    from improvenet.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def page_client(username: str):
    """A test client logged in as the demo user `username`."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def api_client(username: str):
    """A test client that sends the demo user `username`'s bearer token with every request."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from improvenet.accounts.models import ApiToken

    _, secret = ApiToken.issue(get_user_model().objects.get(username=username), "bench")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def check_page(response) -> None:
    """The page answered 200."""
    assert response.status_code == 200, f"status {response.status_code}"


def count_queries(client, path: str) -> int:
    """SQL queries one request runs, leaving out transaction control (BEGIN, COMMIT, ...)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return sum(1 for query in captured if not TRANSACTION_CONTROL.match(query["sql"]))


def measure(name: str, client, path: str, check: Callable, runs: int, target_ms: float | None) -> Measurement:
    """Warm up, check the answer, then time `runs` requests and count one request's queries."""
    for _ in range(WARMUP_REQUESTS):
        check(client.get(path))
    times_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        times_ms.append((time.perf_counter() - start) * 1000)
    return Measurement(name, times_ms, count_queries(client, path), target_ms)


def measure_baseline(runs: int) -> Measurement:
    """The framework's floor: an anonymous GET of the login page, timed like the pages, without a target."""
    from django.test import Client

    return measure(f"baseline: anonymous GET {BASELINE_PAGE}", Client(), BASELINE_PAGE, check_page, runs, None)


def format_table(measurements: list[Measurement]) -> str:
    """A Markdown table, readable as plain text too."""
    lines = [
        "| request | median ms | p90 ms | min ms | SQL queries | target | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in measurements:
        target = f"< {m.target_ms:.0f} ms" if m.target_ms is not None else "-"
        lines.append(
            f"| {m.name} | {m.median:.1f} | {m.p90:.1f} | {m.minimum:.1f} | {m.queries} "
            f"| {target} | {m.verdict} |"
        )
    return "\n".join(lines)


def describe_run(runs: int, database_vendor: str, load: float) -> str:
    """When and where: the date, the machine, the database and the load before the run."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{today}; {os.cpu_count()} CPUs ({platform.machine()}, Python "
        f"{platform.python_version()}), 1-minute load average {load:.2f} before the run; "
        f"{database_vendor} database with the demo network; "
        f"{WARMUP_REQUESTS} warm-up then {runs} timed requests each"
    )


def replace_readme_section(text: str, heading: str, section: str) -> str:
    """`text` with the section under `heading` replaced by `section`, or `section` appended when absent."""
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    return text.rstrip("\n") + "\n\n" + section


def write_readme(heading: str, section: str, readme: Path = README) -> None:
    """Add or replace one script's section of bench/README.md, keeping every other section."""
    text = readme.read_text() if readme.exists() else README_INTRO
    readme.write_text(replace_readme_section(text, heading, section))


def finish(printed: list[str], measurements: list[Measurement], heading: str, section: str, write: bool) -> int:
    """Print the run's description and table, record `section` under `heading` when `write`; the exit status."""
    for text in printed:
        print(text)
    if write:
        write_readme(heading, section)
        print(f"written to {README}")
    return report_missed(measurements)


def report_missed(measurements: list[Measurement]) -> int:
    """Name each missed target on stderr; the exit status: 1 when a target was missed, else 0."""
    missed = [m for m in measurements if m.verdict == "FAIL"]
    for m in missed:
        print(f"MISSED: {m.name}: median {m.median:.1f} ms is not under {m.target_ms:.0f} ms", file=sys.stderr)
    return 1 if missed else 0
