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
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

CLUSTER_PAGE = "/clusters/riverside/"
SCHOOLS_API = "/api/clusters/riverside/schools?limit=100"
DEMO_USER = "alice"
EXPECTED_SCHOOLS = range(55, 66)  # "60-ish": the demo is generated from a seed
README_HEADING = "## Foundation pages and API (bench/bench_pages.py)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument(
        "--database-url",
        help="run against this database (e.g. postgres://...) instead of a throwaway SQLite file; "
        "its tables are created with migrate and the demo must not be loaded yet",
    )
    parser.add_argument(
        "--write-readme", action="store_true", help=f"record the table in {common.README.name}"
    )
    return parser.parse_args()


def check_schools(response) -> None:
    assert response.status_code == 200, f"status {response.status_code}: {response.content[:200]}"
    schools = len(response.json()["items"])
    assert schools in EXPECTED_SCHOOLS, f"{schools} schools listed, expected about 60"


def run_benchmarks(runs: int) -> list[common.Measurement]:
    return [
        common.measure_baseline(runs),
        common.measure(f"cluster home GET {CLUSTER_PAGE}", common.page_client(DEMO_USER), CLUSTER_PAGE,
                       common.check_page, runs, 100.0),
        common.measure("API GET /api/clusters/riverside/schools", common.api_client(DEMO_USER), SCHOOLS_API,
                       check_schools, runs, 50.0),
    ]


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


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]  # other work on the machine skews the figures; say how much
    with common.bench_database(args.database_url) as connection:
        common.load_demo_data()
        measurements = run_benchmarks(args.runs)
        vendor = connection.vendor
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    return common.finish([run, table], measurements, README_HEADING, readme_section(table, run), args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
