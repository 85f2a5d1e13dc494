"""Benchmark of the learning pages: the spread grid and a change idea's evidence page, on the demo, as alice.

Measures server time in-process with Django's test ``Client`` (middleware, view, SQL queries, the SPC
charts behind the evidence, and template rendering; no network, no web server), as
``bench/bench_cycles.py`` does. The whole demo is loaded into a throwaway SQLite database, or into the
database named by ``--database-url``. The grid is the default one (today: every current change idea
against Riverside's 63 schools); the evidence page is the one of the demo idea tested in the most
cycles, which computes the most charts (one per linked measure and adopting school).

Targets: both pages under 300 ms median. An anonymous ``GET /accounts/login/`` is timed in the same
run as the baseline. Each request is warmed up, then timed ``--runs`` times (at least 20); one extra
request counts its SQL queries. ``--write-readme`` records the table in ``bench/README.md`` under its
own section. The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_learning.py [--runs 30] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Learning across the network (bench/bench_learning.py)"
DEMO_USER = "alice"
MIN_RUNS = 20
TARGET_MS = 300.0


def parse_args() -> argparse.Namespace:
    return common.parse_page_bench_args(__doc__.splitlines()[0], 30, MIN_RUNS, "timed requests per page")


def most_tested_idea():
    """The Riverside change idea with the most PDSA cycles, and how many."""
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from improvenet.design.models import ChangeIdea

    with scopes_disabled():
        idea = (ChangeIdea.objects.filter(cluster__slug="riverside").annotate(n=Count("pdsa_cycles"))
                .order_by("-n", "pk").first())
        return idea, idea.n


def readme_section(table: str, run: str, note: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of the spread grid (every current change idea against every current Riverside school, "
        "today) and of the evidence page of the most tested change idea (signed in as `alice`), measured "
        "in-process with Django's test `Client`: middleware, view, SQL queries, SPC charts and rendering, "
        f"no network. An anonymous login page is the framework baseline. Target: both under {TARGET_MS:.0f} ms "
        "median.\n\n"
        "```\n.venv/bin/python bench/bench_learning.py --write-readme\n```\n\n"
        f"{run}. {note}\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        common.load_demo_data()
        idea, cycles = most_tested_idea()
        grid = "/clusters/riverside/learning/spread/"
        evidence = f"/clusters/riverside/learning/ideas/{idea.pk}/"
        client = common.page_client(DEMO_USER)
        measurements = [
            common.measure_baseline(args.runs),
            common.measure(f"spread grid GET {grid}", client, grid, common.check_page, args.runs, TARGET_MS),
            common.measure(f"evidence page GET {evidence}", client, evidence, common.check_page, args.runs,
                           TARGET_MS),
        ]
        vendor = connection.vendor
    note = f"The evidence page is that of “{idea.title}”, tested in {cycles} PDSA cycles."
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = readme_section(table, run, note)
    return common.finish([run, note, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
