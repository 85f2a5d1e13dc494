"""Benchmark of convening packets as PDF: the whole cluster's packet and a school team's packet.

Server time in-process with Django's test ``Client`` (middleware, view, SQL, the SPC charts of every
current measure, the charts drawn as SVG by vl-convert, the template and WeasyPrint's PDF), as
``bench/bench_pages.py`` measures pages. The demo network, with its PDSA cycles, measure data,
spread stages and two convenings, is loaded into a throwaway SQLite database (or ``--database-url``).
The packets timed are those of the demo's latest convening: Riverside's, and that of bob's school
design team. An anonymous ``GET /accounts/login/`` is timed in the same run as the baseline.

Target (issue 5): a packet is ready in under 5 seconds (median) for the demo network. The script
exits non-zero when the target is missed.

    .venv/bin/python bench/bench_convenings.py [--runs 7] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Convening packets (bench/bench_convenings.py)"
DEMO_USER = "bob"
MIN_RUNS = 5
TARGET_MS = 5000.0


def parse_args() -> argparse.Namespace:
    return common.parse_page_bench_args(__doc__.splitlines()[0], 7, MIN_RUNS, "timed requests per packet")


def check_pdf(response) -> None:
    """The packet answered 200 with a PDF document."""
    assert response.status_code == 200, f"status {response.status_code}"
    assert response.content.startswith(b"%PDF-"), "the answer is not a PDF"


def packet_paths() -> tuple[str, str, str]:
    """The latest demo convening's cluster packet and bob's team's packet, and a note on their content."""
    from django_scopes import scope

    from improvenet.convenings.models import Convening
    from improvenet.convenings.packets import build_packet
    from improvenet.network.models import Cluster, Team

    riverside = Cluster.objects.get(slug="riverside")
    with scope(cluster=riverside):
        convening = Convening.objects.order_by("-held_on").first()
        team = Team.objects.get(kind="school_design", memberships__person__user__username=DEMO_USER,
                                memberships__ended_on__isnull=True)
        network, own = build_packet(convening), build_packet(convening, team)
    base = f"/clusters/riverside/convenings/{convening.pk}"
    note = (
        f"The convening of {convening.held_on:%B %-d, %Y}: the cluster's packet has {network.cycle_count} PDSA "
        f"cycles, {len(network.signals)} new signals in {len(network.charts)} measures ({network.charts_drawn} "
        f"charts drawn) and {len(network.prompts)} prompts; {team.name}'s packet {own.cycle_count} cycles, "
        f"{len(own.signals)} signals ({own.charts_drawn} charts drawn) and {len(own.prompts)} prompts."
    )
    return f"{base}/packet.pdf", f"{base}/teams/{team.pk}/packet.pdf", note


def readme_section(table: str, run: str, note: str) -> str:
    return (
        f"{README_HEADING}\n\n"
        "Server time of a convening packet as PDF (signed in as `bob`), measured in-process with Django's test "
        "`Client`: the packet's queries and SPC charts, the charts drawn as SVG by vl-convert, the template and "
        "WeasyPrint's PDF, no network. An anonymous login page is the framework baseline. Target: a packet "
        "under 5 seconds median.\n\n"
        "```\n.venv/bin/python bench/bench_convenings.py --write-readme\n```\n\n"
        f"{run}. {note}\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection:
        common.load_demo_data()
        network_pdf, team_pdf, note = packet_paths()
        client = common.page_client(DEMO_USER)
        measurements = [
            common.measure_baseline(args.runs),
            common.measure(f"cluster packet GET {network_pdf}", client, network_pdf, check_pdf, args.runs, TARGET_MS),
            common.measure(f"team packet GET {team_pdf}", client, team_pdf, check_pdf, args.runs, TARGET_MS),
        ]
        vendor = connection.vendor
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = readme_section(table, run, note)
    return common.finish([run, note, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
