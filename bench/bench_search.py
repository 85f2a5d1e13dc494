"""Benchmark of full-text search: the search page and API over the demo, and over a thousand cycles more.

Measures server time in-process with Django's test ``Client`` (middleware, view, SQL queries and
template rendering; no network, no web server), as ``bench/bench_pages.py`` does. The demo network
is loaded into a throwaway SQLite database, or into the database named by ``--database-url`` (a
PostgreSQL URL from ``scripts/throwaway_postgres.py``), and indexed by the demo's own
``rebuild_index()``. Several queries are timed, signed in as ``alice`` (Riverside lead): common
words, several words, a half-typed last word, a rare word, and operators that are read as plain
words. The demo holds fewer cycles than a cluster gathers in a few years, so the same queries are
then timed again after ``--extra-cycles`` copies of the demo's cycles (with their predictions) are
added in bulk and the index rebuilt.

Target (issue 5, search): results in under 100 ms median, on the page and the API. Each request is
warmed up, then timed ``--runs`` times (at least 30); one extra request counts its SQL queries.
``--write-readme`` records the table in ``bench/README.md`` under its own section. The script exits
non-zero when a target is missed.

    .venv/bin/python bench/bench_search.py [--runs 50] [--extra-cycles 1000] [--write-readme]
    .venv/bin/python scripts/throwaway_postgres.py -- \\
        sh -c '.venv/bin/python bench/bench_search.py --database-url "$IMPROVENET_TEST_POSTGRES_URL"'
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Search (bench/bench_search.py)"
DEMO_USER = "alice"
MIN_RUNS = 30
TARGET_MS = 100.0
QUERIES = ("students", "students behind reminders", "exit tick", "tally", "abandon decision", 'advisor (check-in')
PAGE = "/clusters/riverside/search/"
API = "/api/clusters/riverside/search"
NETWORK_PAGE = "/search/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50,
                        help=f"timed requests per query (default 50, at least {MIN_RUNS})")
    parser.add_argument("--extra-cycles", type=int, default=1000,
                        help="cycles copied from the demo's before the second round (default 1000; 0 skips it)")
    parser.add_argument("--database-url", help="run against this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    args = parser.parse_args()
    args.runs = max(args.runs, MIN_RUNS)
    return args


def check_results(response) -> None:
    """The search answered 200 with at least one result."""
    common.check_page(response)
    text = response.content.decode()
    assert "<mark>" in text, "no match was marked: the query found nothing"


def add_cycles(count: int) -> int:
    """Copy the demo's cycles and their predictions in bulk, `count` cycles in all; rebuild the index."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from improvenet.cycles.models import PdsaCycle, Prediction
    from improvenet.search.index import rebuild_index

    with scopes_disabled(), transaction.atomic():
        originals = list(PdsaCycle.objects.filter(cluster__slug="riverside").prefetch_related("predictions")
                         .order_by("pk"))
        sources = [originals[n % len(originals)] for n in range(count)]
        copies = PdsaCycle.objects.bulk_create(
            PdsaCycle(**{f.attname: getattr(source, f.attname) for f in PdsaCycle._meta.concrete_fields
                         if f.attname not in ("id", "previous_id", "copied_from_id")})
            for source in sources
        )
        Prediction.objects.bulk_create(
            Prediction(cycle=copy, number=p.number, text=p.text, confirm_criterion=p.confirm_criterion,
                       outcome=p.outcome, what_happened=p.what_happened)
            for copy, source in zip(copies, sources, strict=True) for p in source.predictions.all()
        )
        rebuild_index()
        return PdsaCycle.objects.filter(cluster__slug="riverside").count()


def measure_queries(label: str, page_client, api_client, runs: int) -> list:
    measurements = []
    for text in QUERIES:
        path = f"{PAGE}?{urlencode({'q': text})}"
        measurements.append(common.measure(f"{label}: page “{text}”", page_client, path, check_results, runs,
                                           TARGET_MS))
    path = f"{API}?{urlencode({'q': QUERIES[0]})}"
    measurements.append(common.measure(f"{label}: API “{QUERIES[0]}”", api_client, path, common.check_page, runs,
                                       TARGET_MS))
    path = f"{NETWORK_PAGE}?{urlencode({'q': QUERIES[1]})}"
    measurements.append(common.measure(f"{label}: all my clusters “{QUERIES[1]}”", page_client, path,
                                       check_results, runs, TARGET_MS))
    return measurements


def documents() -> int:
    from django_scopes import scopes_disabled

    from improvenet.search.models import SearchDocument

    with scopes_disabled():
        return SearchDocument.objects.count()


def readme_section(table: str, run: str, scale: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of a search (signed in as `alice`, Riverside lead): the search page with its results, "
        "the API and the search across all the user's clusters, measured in-process with Django's test "
        "`Client`: middleware, view, SQL queries and rendering, no network. Each query is timed on the demo "
        "as loaded, then again with a thousand copies of its cycles added. Target: results in under 100 ms "
        "median. SQL queries are those of one request, not counting the BEGIN and COMMIT of its transaction.\n\n"
        "```\n.venv/bin/python bench/bench_search.py --write-readme\n```\n\n"
        f"{run}. {scale}\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        common.load_demo_data()
        page_client, api_client = common.page_client(DEMO_USER), common.api_client(DEMO_USER)
        from django_scopes import scopes_disabled

        from improvenet.cycles.models import PdsaCycle

        with scopes_disabled():
            demo_cycles = PdsaCycle.objects.filter(cluster__slug="riverside").count()
        demo_documents = documents()
        measurements = [common.measure_baseline(args.runs)]
        measurements += measure_queries(f"demo ({demo_cycles} cycles)", page_client, api_client, args.runs)
        scale = f"The demo: {demo_cycles} Riverside cycles, {demo_documents} search documents"
        if args.extra_cycles:
            cycles = add_cycles(args.extra_cycles)
            measurements += measure_queries(f"{cycles} cycles", page_client, api_client, args.runs)
            scale += f"; then {cycles} cycles, {documents()} documents"
        vendor = connection.vendor
    scale += "."
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = readme_section(table, run, scale)
    return common.finish([run, scale, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
