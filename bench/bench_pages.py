"""Benchmark of every page: each GET of the permission table, as each demo user it opens for.

Measures server time in-process with Django's test ``Client`` (middleware, view, SQL queries,
rendering; no network) on the demo *with* Riverside's synthetic student data, so the metric pages,
the pyramid dashboards and the comparison compute on six school years of about 20,000 students.
Each GET row of the permission table (tests/<app>/permission_rows.py) is requested by every demo user
whose expected answer is 200 (API rows with the user's bearer token), plus the pages with the options
their forms offer (a metric for one year, the comparison). The server is warm: each (page, user) is
requested once untimed first (the first computation of a metric happens there), then ``--runs``
times. For each page the median and p95 over all its timed requests, and one request's SQL queries.

Targets (issue #17): every page under 300 ms median and under 1 s p95; packets and PDF downloads
under 2 s. An anonymous ``GET /accounts/login/`` is the baseline, timed in the same run.

    .venv/bin/python bench/bench_pages.py [--runs 5] [--var-dir DIR] [--write-readme]

Without ``--var-dir`` the demo is loaded (with its student data, about a minute) into a temporary
folder; with it, an existing demo folder (``IMPROVENET_VAR_DIR=DIR improvenet demo``) is used.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Every page (bench/bench_pages.py)"
PAGE_MEDIAN_MS, PAGE_P95_MS, DOWNLOAD_MS = 300.0, 1000.0, 2000.0
DOWNLOAD_TYPES = ("application/pdf", "application/zip")
# The pages with the options their forms offer, beside the permission table's plain GETs.
WITH_OPTIONS = {
    "data metric page, one year": ("/clusters/riverside/data/metrics/chronic-absenteeism/?school_year=2024"
                                   "&min_enrolled_days=10&threshold=0.1&min_n=10", ("alice", "carol", "admin")),
    "data comparison (difference-in-differences)": (
        "/clusters/riverside/data/compare/?metric=chronic-absenteeism&treated_role=innovation&start_year=2025",
        ("alice", "carol", "admin")),
    "data on-track page": ("/clusters/riverside/data/metrics/on-track/", ("alice", "carol", "admin")),
}


@dataclass
class PageTimes:
    name: str
    url: str
    times_ms: list[float]
    queries: int
    download: bool

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]

    @property
    def passed(self) -> bool:
        if self.download:
            return self.p95 < DOWNLOAD_MS
        return self.median < PAGE_MEDIAN_MS and self.p95 < PAGE_P95_MS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page and user (default 5)")
    parser.add_argument("--var-dir", type=Path, help="an existing demo folder with student data")
    parser.add_argument("--only", default="", help="only the rows whose name contains this text")
    parser.add_argument("--write-readme", action="store_true", help=f"record the figures in {common.README.name}")
    return parser.parse_args()


def start_django(var_dir: Path) -> bool:
    """Start Django on the demo in `var_dir`; True when the demo had to be loaded first."""
    os.environ["IMPROVENET_VAR_DIR"] = str(var_dir)
    os.environ["IMPROVENET_DEMO"] = "1"
    os.environ.setdefault("IMPROVENET_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["DJANGO_SETTINGS_MODULE"] = "improvenet.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from improvenet.data.services import store_folder
    from improvenet.demo import DemoAlreadyLoaded, load_demo

    call_command("migrate", verbosity=0)
    try:
        load_demo(student_data_stores=store_folder())
    except DemoAlreadyLoaded:
        return False
    return True


def permission_rows() -> tuple[dict, dict]:
    """(every row of the permission table by name, the demo ids they were made with)."""
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from improvenet.accounts.models import ApiToken
    from improvenet.apps import domain_apps
    from tests.permission_table import USERS

    modules = [importlib.import_module(f"tests.{config.label}.permission_rows") for config in domain_apps()
               if importlib.util.find_spec(f"tests.{config.label}.permission_rows") is not None]
    ids = {}
    with scopes_disabled():
        for module in modules:
            ids |= module.demo_ids()
    users = get_user_model().objects.in_bulk(USERS[1:], field_name="username")
    ids["tokens"] = {name: ApiToken.issue(user, "bench")[1] for name, user in users.items()}
    ids["users"] = users
    ids["alice_token"] = ApiToken.issue(users["alice"], "bench revocable")[0].pk
    rows = {}
    for module in modules:
        rows |= module.rows(ids)
    return rows, ids


def client_for(user: str, api: bool, ids: dict):
    from django.test import Client

    if api:
        return Client(HTTP_AUTHORIZATION=f"Bearer {ids['tokens'][user]}")
    client = Client()
    client.force_login(ids["users"][user])
    return client


def time_page(name: str, url: str, users: list[str], ids: dict, runs: int) -> PageTimes:
    times, queries, download = [], None, False
    for user in users:
        client = client_for(user, url.startswith("/api/"), ids)
        first = client.get(url)  # warm: the first computation, untimed
        assert first.status_code == 200, f"{name} as {user}: {first.status_code}"
        download = download or first.get("Content-Type", "").startswith(DOWNLOAD_TYPES)
        if queries is None:
            queries = common.count_queries(client, url)
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return PageTimes(name, url, times, queries or 0, download)


def walk(runs: int, only: str) -> list[PageTimes]:
    """Every page's times; what the permission rows' set-up and the requests write is rolled back."""
    from django.db import transaction

    with transaction.atomic():
        measured = _walk(runs, only)
        transaction.set_rollback(True)
    return measured


def _walk(runs: int, only: str) -> list[PageTimes]:
    from tests.permission_table import USERS

    rows, ids = permission_rows()
    pages = [(name, action.url, [user for user, answer in zip(USERS, action.answers, strict=True)
                                 if answer == 200 and user != "anonymous"])
             for name, action in sorted(rows.items()) if action.method == "GET"]
    pages += [(name, url, list(users)) for name, (url, users) in WITH_OPTIONS.items()]
    measured = []
    for name, url, users in pages:
        if not users or only not in name:
            continue
        measured.append(time_page(name, url, users, ids, runs))
        print(f"{measured[-1].median:8.1f} {measured[-1].p95:8.1f}  {name}", flush=True)
    return measured


def baseline(runs: int) -> PageTimes:
    from django.test import Client

    client, times = Client(), []
    for _ in range(common.WARMUP_REQUESTS):
        client.get(common.BASELINE_PAGE)
    for _ in range(max(runs, 20)):
        started = time.perf_counter()
        client.get(common.BASELINE_PAGE)
        times.append((time.perf_counter() - started) * 1000)
    return PageTimes("baseline: anonymous GET /accounts/login/", common.BASELINE_PAGE, times, 0, False)


def table(pages: list[PageTimes]) -> str:
    lines = ["| page | median ms | p95 ms | requests | SQL queries | target | result |",
             "|---|---:|---:|---:|---:|---|---|"]
    for page in pages:
        target = f"p95 < {DOWNLOAD_MS:.0f} ms" if page.download else f"< {PAGE_MEDIAN_MS:.0f} / {PAGE_P95_MS:.0f} ms"
        lines.append(f"| {page.name} | {page.median:.1f} | {page.p95:.1f} | {len(page.times_ms)} | {page.queries} "
                     f"| {target} | {'PASS' if page.passed else 'FAIL'} |")
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="improvenet-bench-pages-") as scratch:
        var_dir = args.var_dir or Path(scratch)
        started = time.perf_counter()
        if start_django(var_dir):
            print(f"demo with student data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        floor = baseline(args.runs)
        pages = walk(args.runs, args.only)
    slowest = sorted(pages, key=lambda page: page.median, reverse=True)[:10]
    failed = [page for page in pages if not page.passed]
    everything = sorted(pages, key=lambda page: page.name)
    medians = [page.median for page in pages]
    run = (f"{common.describe_run(args.runs, 'sqlite', load).split('; sqlite')[0]}; the demo with Riverside's "
           f"student data (63 schools, about 20,000 students a year, 6 years); {len(pages)} pages, each requested "
           f"once untimed then {args.runs} times by every demo user it opens for; baseline (anonymous login page) "
           f"median {floor.median:.1f} ms")
    summary = (f"Median of the pages' medians {statistics.median(medians):.1f} ms; "
               f"{len(pages) - len(failed)} of {len(pages)} pages within their targets.")
    text = (f"{run}.\n\n{summary}\n\nThe ten slowest (by median):\n\n{table(slowest)}\n\n"
            f"<details><summary>Every page</summary>\n\n{table(everything)}\n\n</details>\n")
    print(text)
    if args.write_readme:
        common.write_readme(README_HEADING, (
            f"{README_HEADING}\n\n"
            "Every GET of the permission table as each demo user it opens for, on the demo with student data, "
            "in-process with Django's test `Client` (server time, no network), warm: the untimed first request "
            "leaves what the product keeps (metric results, drawn charts, packet PDFs) as the first reader would, so "
            "the timed ones are the readers after the first; what the first reader waits for is in the sections "
            "above (convening packets made, metrics computed). Targets (issue #17): "
            "every page under 300 ms median and 1 s p95; packets and PDF downloads under 2 s.\n\n"
            "```\n.venv/bin/python bench/bench_pages.py --write-readme\n```\n\n" + text))
    for page in failed:
        print(f"MISSED: {page.name}: median {page.median:.0f} ms, p95 {page.p95:.0f} ms", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
