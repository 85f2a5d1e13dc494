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
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_pages import (  # noqa: E402  (the shared helpers of the page benchmarks)
    BASELINE_PAGE,
    configure_django,
    count_queries,
    describe_run,
    format_table,
    measure,
)

README = Path(__file__).with_name("README.md")
README_HEADING = "## PDSA cycles (bench/bench_cycles.py)"
DEMO_USER = "bob"
MIN_RUNS = 30


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50,
                        help=f"timed requests per page (default 50, at least {MIN_RUNS})")
    parser.add_argument("--database-url", help="run against this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {README.name}")
    args = parser.parse_args()
    args.runs = max(args.runs, MIN_RUNS)
    return args


def load_data() -> None:
    from django.core.management import call_command

    from improvenet.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


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


def page_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=DEMO_USER))
    return client


def check_page(response) -> None:
    assert response.status_code == 200, f"status {response.status_code}"


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


def write_readme(section: str) -> None:
    """Add or replace this script's section of bench/README.md, keeping every other section."""
    import re

    text = README.read_text()
    pattern = re.compile(rf"^{re.escape(README_HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text)


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-") as folder:
        configure_django(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        from django.db import connection
        from django.test import Client
        from django_scopes import scopes_disabled

        load_data()
        cycle, predictions, edits = busiest_cycle()
        with scopes_disabled():
            in_ramp, measures = len(cycle.ramp()) > 1, cycle.measures.count()
        cycle_page = f"/clusters/riverside/cycles/{cycle.pk}/"
        board = f"/clusters/riverside/teams/{cycle.team_id}/board/"
        client = page_client()
        measurements = [
            measure(f"baseline: anonymous GET {BASELINE_PAGE}", Client(), BASELINE_PAGE, check_page, args.runs, None),
            measure(f"PDSA cycle page GET {cycle_page}", client, cycle_page, check_page, args.runs, 100.0),
            measure(f"team board GET {board}", client, board, check_page, args.runs, 100.0),
        ]
        assert count_queries(client, cycle_page) == measurements[1].queries
        vendor = connection.vendor
        connection.close()
    cycle_note = (
        f"The cycle: stage {cycle.get_stage_display()}, {predictions} predictions, {edits} edits of predictions "
        f"after Do started, {'in a ramp' if in_ramp else 'not in a ramp'}, linked to {measures} measure(s)."
    )
    table = format_table(measurements)
    run = describe_run(args.runs, vendor, load)
    print(run)
    print(cycle_note)
    print(table)
    if args.write_readme:
        write_readme(readme_section(table, run, cycle_note))
        print(f"written to {README}")
    missed = [m for m in measurements if m.verdict == "FAIL"]
    for m in missed:
        print(f"MISSED: {m.name}: median {m.median:.1f} ms is not under {m.target_ms:.0f} ms", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
