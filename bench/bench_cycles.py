"""Benchmark of the PDSA cycle page: a demo cycle with several predictions and edits, as bob sees it.

Measures server time in-process with Django's test ``Client`` (middleware, view, SQL queries and
template rendering; no network, no web server), as ``bench/bench_pages.py`` does. The network demo,
the measures' definitions (when the measures demo exists) and the PDSA demo are loaded into a
throwaway SQLite database, or into the database named by ``--database-url``. The cycle timed is the
demo cycle with the most predictions and prediction edits (ties: the one in a ramp), in bob's school.

Target (issue 4, point 10): the PDSA cycle page in under 100 ms median. An anonymous
``GET /accounts/login/`` is timed in the same run as the baseline, and the team board (also under
100 ms). Each request is warmed up, then timed ``--runs`` times (at least 30); one extra request
counts its SQL queries. ``--write-readme`` records the table in ``bench/README.md`` under its own
section. The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_cycles.py [--runs 50] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## PDSA cycles (bench/bench_cycles.py)"
DEMO_USER = "bob"
MIN_RUNS = 30


def parse_args() -> argparse.Namespace:
    return common.parse_page_bench_args(__doc__.splitlines()[0], 50, MIN_RUNS, "timed requests per page")


def busiest_cycle():
    """Bob's school's cycle with the most predictions and prediction edits."""
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from improvenet.cycles.models import PdsaCycle
    from improvenet.network.models import Person

    with scopes_disabled():
        bob = Person.objects.get(user__username=DEMO_USER)
        cycles = (
            PdsaCycle.objects.filter(team__memberships__person=bob)
            .annotate(p=Count("predictions", distinct=True), e=Count("predictions__edits", distinct=True))
            .order_by("-e", "-p", "previous", "pk")
        )
        cycle = cycles.first()
        return cycle, cycle.p, cycle.e


def readme_section(table: str, run: str, cycle_note: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of a PDSA cycle page and of its team's board (signed in as `bob`, a member of the "
        "school's design team, so every form of the cycle's stage is rendered), measured in-process with "
        "Django's test `Client`: middleware, view, SQL queries and rendering, no network. An anonymous "
        "login page is the framework baseline. Target: the cycle page under 100 ms median. SQL queries "
        "are those of one request, not counting the BEGIN and COMMIT of its transaction.\n\n"
        "```\n.venv/bin/python bench/bench_cycles.py --write-readme\n```\n\n"
        f"{run}. {cycle_note}\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        from django_scopes import scopes_disabled

        common.load_demo_data()
        cycle, predictions, edits = busiest_cycle()
        with scopes_disabled():
            in_ramp, measures = len(cycle.ramp()) > 1, cycle.measures.count()
        cycle_page = f"/clusters/riverside/cycles/{cycle.pk}/"
        board = f"/clusters/riverside/teams/{cycle.team_id}/board/"
        client = common.page_client(DEMO_USER)
        measurements = [
            common.measure_baseline(args.runs),
            common.measure(f"PDSA cycle page GET {cycle_page}", client, cycle_page, common.check_page, args.runs,
                           100.0),
            common.measure(f"team board GET {board}", client, board, common.check_page, args.runs, 100.0),
        ]
        assert common.count_queries(client, cycle_page) == measurements[1].queries
        vendor = connection.vendor
    cycle_note = (
        f"The cycle: stage {cycle.get_stage_display()}, {predictions} predictions, {edits} edits of predictions "
        f"after Do started, {'in a ramp' if in_ramp else 'not in a ramp'}, linked to {measures} measure(s)."
    )
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = readme_section(table, run, cycle_note)
    return common.finish([run, cycle_note, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
