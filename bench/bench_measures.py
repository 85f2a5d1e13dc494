"""Benchmark of the measure charts: the small multiples of one measure across Riverside's schools.

Server time in-process with Django's test ``Client`` (middleware, view, SQL, one ``qic_many``
call for every school, the server-rendered SVG small charts and the template), as
``bench/bench_pages.py`` measures it. The demo network, its ten measures and 104 weeks of data
per school are loaded into a throwaway SQLite database (or ``--database-url``). An anonymous
``GET /accounts/login/`` is timed in the same run as the baseline, and one school's chart page
and the API's chart data for the whole cluster are timed for reference.

Target (issue 4, point 10): the small-multiples page of one measure across ~60 schools × 104
weeks renders in under 300 ms median. The script exits non-zero when the target is missed.

    .venv/bin/python bench/bench_measures.py [--runs 30] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

MEASURE = "on-track-9th"
MULTIPLES_PAGE = f"/clusters/riverside/measures/{MEASURE}/"
DEMO_USER = "alice"
README_HEADING = "## Measures and charts (bench/bench_measures.py)"
EXPECTED_SCHOOLS = range(55, 70)
WEEKS = 104


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (default 30, at least 20)")
    parser.add_argument("--database-url", help="run against this database instead of a throwaway SQLite file")
    parser.add_argument("--write-readme", action="store_true", help=f"record the table in {common.README.name}")
    args = parser.parse_args()
    if args.runs < 20:
        parser.error("--runs must be at least 20")
    return args


def load_data() -> tuple[int, int]:
    """The demo with its measures; returns (schools charted, weeks per school)."""
    from django_scopes import scopes_disabled

    from improvenet.measures.models import MeasureValue

    common.load_demo_data()
    with scopes_disabled():
        values = MeasureValue.objects.filter(measure__cluster__slug="riverside", measure__slug=MEASURE)
        schools = values.values("school_id").distinct().count()
        weeks = values.values("period").distinct().count()
    assert schools in EXPECTED_SCHOOLS and weeks == WEEKS, f"{schools} schools × {weeks} weeks"
    return schools, weeks


def check_multiples(schools: int):
    def check(response) -> None:
        assert response.status_code == 200, f"status {response.status_code}"
        drawn = response.content.count(b'class="spark"')
        assert drawn == schools, f"{drawn} small charts drawn, expected {schools}"

    return check


def run_benchmarks(runs: int, schools: int) -> list[common.Measurement]:
    from django_scopes import scopes_disabled

    from improvenet.measures.models import Measure

    with scopes_disabled():
        measure_id = Measure.objects.get(cluster__slug="riverside", slug=MEASURE).pk
        school_id = Measure.objects.get(pk=measure_id).values.values_list("school_id", flat=True).first()
    api = common.api_client(DEMO_USER)
    lead = common.page_client(DEMO_USER)
    return [
        common.measure_baseline(runs),
        common.measure(f"small multiples GET {MULTIPLES_PAGE} ({schools} schools × {WEEKS} weeks)", lead,
                       MULTIPLES_PAGE, check_multiples(schools), runs, 300.0),
        common.measure("one school's chart page (reference)", lead, f"{MULTIPLES_PAGE}schools/{school_id}/",
                       common.check_page, runs, None),
        common.measure("API chart data of every school (reference)", api,
                       f"/api/clusters/riverside/measures/{measure_id}/chart", common.check_page, runs, None),
    ]


def readme_section(table: str, run: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of the small-multiples page of one measure (9th graders on track, a P chart) across "
        "every Riverside school × 104 weeks of demo data, logged in as `alice`, measured in-process with "
        "Django's test `Client` as above: one `qic_many` call for all schools, the server-rendered SVG small "
        "charts and their text alternative. An anonymous login page is the baseline; one school's chart "
        "page and the API's chart data of every school are timed for reference (no target). "
        "Target: under 300 ms median.\n\n"
        "```\n.venv/bin/python bench/bench_measures.py --write-readme\n```\n\n"
        f"{run}.\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        schools, _ = load_data()
        measurements = run_benchmarks(args.runs, schools)
        vendor = connection.vendor
    # Rows timed for reference have no target: say so instead of "baseline".
    table = "\n".join(line.replace("| - | baseline |", "| - | reference |") if "(reference)" in line else line
                      for line in common.format_table(measurements).splitlines())
    run = common.describe_run(args.runs, vendor, load).replace("the demo network", "the demo network and its measures")
    return common.finish([run, table], measurements, README_HEADING, readme_section(table, run), args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
