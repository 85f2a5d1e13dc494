"""Benchmark of the foundation pages: the Riverside cluster home and the API's school list.

Measures server time: the whole Django request/response cycle (middleware, view, SQL queries,
template rendering or JSON encoding) run in-process with Django's test ``Client``, so no network
and no web server are involved. The demo network is loaded into a throwaway SQLite database in a
temporary folder, or into the database named by ``--database-url`` (e.g. a PostgreSQL URL printed
by ``scripts/throwaway_postgres.py``), whose tables are created with ``migrate``.

Targets (from the foundation issue): the Riverside cluster home renders in under 100 ms median,
and the API lists its 60 schools in under 50 ms median. An anonymous ``GET /accounts/login/``
is timed in the same run as a baseline, so the reader sees the framework's floor. Each request
is warmed up, then timed ``--runs`` times (median, p90, min); one extra request per page counts
its SQL queries. ``--write-readme`` records the table in ``bench/README.md``. The script exits
non-zero when a target is missed.

    .venv/bin/python bench/bench_pages.py [--runs 50] [--write-readme]
    .venv/bin/python scripts/throwaway_postgres.py -- \\
        sh -c '.venv/bin/python bench/bench_pages.py --database-url "$IMPROVENET_TEST_POSTGRES_URL"'
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
from dataclasses import dataclass
from pathlib import Path

CLUSTER_PAGE = "/clusters/riverside/"
SCHOOLS_API = "/api/clusters/riverside/schools?limit=100"
BASELINE_PAGE = "/accounts/login/"
DEMO_USER = "alice"
EXPECTED_SCHOOLS = range(55, 66)  # "60-ish": the demo is generated from a seed
WARMUP_REQUESTS = 5
# Every request is one transaction (ATOMIC_REQUESTS): its BEGIN and COMMIT are not counted.
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
README = Path(__file__).with_name("README.md")
README_HEADING = "## Foundation pages and API (bench/bench_pages.py)"
README_INTRO = (
    "# Benchmarks\n\n"
    "Benchmark scripts, run by hand (`make bench`), not timed tests. Each reports medians over "
    "several runs and compares against a baseline measured in the same run.\n"
)


@dataclass(frozen=True)
class Measurement:
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument(
        "--database-url",
        help="run against this database (e.g. postgres://...) instead of a throwaway SQLite file; "
        "its tables are created with migrate and the demo must not be loaded yet",
    )
    parser.add_argument(
        "--write-readme", action="store_true", help=f"record the table in {README.name}"
    )
    return parser.parse_args()


def configure_django(database_url: str) -> None:
    """Point improvenet at the benchmark database and start Django."""
    os.environ["IMPROVENET_DATABASE_URL"] = database_url
    os.environ["IMPROVENET_SECRET_KEY"] = "bench"
    os.environ["IMPROVENET_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "improvenet.settings"
    import django

    django.setup()


def load_data() -> None:
    from django.core.management import call_command

    from improvenet.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def page_client():
    """A test client logged in as the demo cluster lead."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=DEMO_USER))
    return client


def api_client():
    """A test client that sends the demo cluster lead's bearer token with every request."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from improvenet.accounts.models import ApiToken

    _, secret = ApiToken.issue(get_user_model().objects.get(username=DEMO_USER), "bench")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def check_page(response) -> None:
    assert response.status_code == 200, f"status {response.status_code}"


def check_schools(response) -> None:
    assert response.status_code == 200, f"status {response.status_code}: {response.content[:200]}"
    schools = len(response.json()["items"])
    assert schools in EXPECTED_SCHOOLS, f"{schools} schools listed, expected about 60"


def count_queries(client, path: str) -> int:
    """SQL queries one request runs, leaving out transaction control (BEGIN, COMMIT, ...)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return sum(1 for query in captured if not TRANSACTION_CONTROL.match(query["sql"]))


def measure(name: str, client, path: str, check, runs: int, target_ms: float | None) -> Measurement:
    """Warm up, check the answer, then time `runs` requests and count one request's queries."""
    for _ in range(WARMUP_REQUESTS):
        check(client.get(path))
    times_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        times_ms.append((time.perf_counter() - start) * 1000)
    return Measurement(name, times_ms, count_queries(client, path), target_ms)


def run_benchmarks(runs: int) -> list[Measurement]:
    from django.test import Client

    return [
        measure(f"baseline: anonymous GET {BASELINE_PAGE}", Client(), BASELINE_PAGE,
                check_page, runs, None),
        measure(f"cluster home GET {CLUSTER_PAGE}", page_client(), CLUSTER_PAGE,
                check_page, runs, 100.0),
        measure("API GET /api/clusters/riverside/schools", api_client(), SCHOOLS_API,
                check_schools, runs, 50.0),
    ]


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


def readme_section(table: str, run: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of the Riverside cluster home (logged in as `alice`) and of the API's "
        "school list (bearer token), measured in-process with Django's test `Client`: "
        "middleware, view, SQL queries and rendering, no network. An anonymous login page is "
        "the framework baseline. Targets: cluster home under 100 ms median, API under 50 ms "
        "median. SQL queries are those of one request, not counting the BEGIN and COMMIT of "
        "its transaction.\n\n"
        "```\n.venv/bin/python bench/bench_pages.py --write-readme\n```\n\n"
        f"{run}.\n\n{table}\n"
    )


def write_readme(section: str) -> None:
    """Add or replace this script's section of bench/README.md, keeping every other section."""
    text = README.read_text() if README.exists() else README_INTRO
    pattern = re.compile(rf"^{re.escape(README_HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text)


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]  # other work on the machine skews the figures; say how much
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-") as folder:
        configure_django(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        from django.db import connection

        load_data()
        measurements = run_benchmarks(args.runs)
        vendor = connection.vendor
        connection.close()
    table = format_table(measurements)
    run = describe_run(args.runs, vendor, load)
    print(run)
    print(table)
    if args.write_readme:
        write_readme(readme_section(table, run))
        print(f"written to {README}")
    failures = [m for m in measurements if m.verdict == "FAIL"]
    for m in failures:
        print(f"MISSED: {m.name}: median {m.median:.1f} ms is not under {m.target_ms:.0f} ms",
              file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
