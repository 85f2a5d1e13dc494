"""Benchmark of sharing between clusters: the network library, a publication, what a team has learned.

Measures server time in-process with Django's test ``Client``, as ``bench/bench_cycles.py`` does, on
the whole demo (loaded into a throwaway SQLite database, or into the database named by
``--database-url``). dan, Lakeside's lead, reads the network library and Riverside's publication
(the cross-cluster case, with its adopt button); vera reads what bob's school design team has
learned. Publishing (building the snapshot and the evidence) is timed too, through the service,
rolled back after each run.

Targets: each page under 100 ms median, publishing under 500 ms median. An anonymous
``GET /accounts/login/`` is the baseline. ``--write-readme`` records the table in ``bench/README.md``
under its own section. The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_sharing.py [--runs 50] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Sharing between clusters (bench/bench_sharing.py)"
MIN_RUNS = 30


def parse_args() -> argparse.Namespace:
    return common.parse_page_bench_args(__doc__.splitlines()[0], 50, MIN_RUNS, "timed requests per page")


def measure_publishing(runs: int) -> common.Measurement:
    """Publish the demo's publication's idea again (after withdrawing it), rolled back each time."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from improvenet.sharing.models import Publication
    from improvenet.sharing.services import publish

    alice = get_user_model().objects.get(username="alice")
    with scopes_disabled():
        publication = Publication.objects.select_related("cluster", "change_idea").get()
    times = []
    for _ in range(runs + 1):
        with transaction.atomic(), scope(cluster=publication.cluster):
            Publication.objects.filter(pk=publication.pk).update(ended_on=publication.published_at.date())
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                publish(publication.change_idea, alice)
                times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    name = f"publish “{publication.title}” ({len(publication.snapshot['cycles'])} decided cycles)"
    # The last run counts the queries; it is not timed with the others.
    return common.Measurement(name, times[:-1], queries=len(captured), target_ms=500.0)


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        from django_scopes import scopes_disabled

        from improvenet.network.models import Team
        from improvenet.sharing.models import Publication

        common.load_demo_data()
        with scopes_disabled():
            publication = Publication.objects.select_related("cluster__network").get()
            team = Team.objects.get(cluster__slug="riverside", kind="school_design",
                                    memberships__person__user__username="bob")
        network = publication.cluster.network.slug
        library = f"/networks/{network}/library/"
        publication_page = f"/networks/{network}/library/{publication.pk}/"
        learned = f"/clusters/riverside/teams/{team.pk}/learned/"
        dan, vera = common.page_client("dan"), common.page_client("vera")
        measurements = [
            common.measure_baseline(args.runs),
            common.measure(f"network library GET {library} (dan)", dan, library, common.check_page, args.runs, 100.0),
            common.measure(f"publication GET {publication_page} (dan)", dan, publication_page, common.check_page,
                           args.runs, 100.0),
            common.measure(f"what the team learned GET {learned} (vera)", vera, learned, common.check_page,
                           args.runs, 100.0),
            measure_publishing(max(5, args.runs // 5)),
        ]
        vendor = connection.vendor
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = (
        f"{README_HEADING}\n\n"
        "Server time of the network library and of a publication as dan (Lakeside's lead) reads them, of what "
        "bob's school design team has learned as vera reads it, and of publishing an idea (snapshot and "
        "evidence, through the service; fewer runs). Targets: pages under 100 ms median, publishing under "
        "500 ms.\n\n```\n.venv/bin/python bench/bench_sharing.py --write-readme\n```\n\n"
        f"{run}.\n\n{table}\n"
    )
    return common.finish([run, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
