"""Benchmark of convening packets as PDF: the whole cluster's packet and a school team's packet.

Server time in-process with Django's test ``Client`` (middleware, view, SQL, the SPC charts of every
current measure, the charts drawn as SVG by vl-convert, the template and WeasyPrint's PDF), as
``bench/bench_pages.py`` measures pages. The demo network, with its PDSA cycles, measure data,
spread stages and two convenings, is loaded into a throwaway SQLite database (or ``--database-url``).
The packets timed are those of the demo's latest convening: Riverside's, and that of bob's school
design team. An anonymous ``GET /accounts/login/`` is timed in the same run as the baseline.

Each packet is timed as made (its kept PDF removed before every request: the queries, charts and WeasyPrint) and
as kept (improvenet.convenings.kept: the digest's queries and reading the kept file). The kept PDFs go to a
throwaway var folder. Targets: a packet made in under 5 seconds (median, issue 5), a kept one in under 0.3 seconds
(issue 17). The script exits non-zero when a target is missed.

    .venv/bin/python bench/bench_convenings.py [--runs 7] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (the helpers the page benchmarks share)

README_HEADING = "## Convening packets (bench/bench_convenings.py)"
DEMO_USER = "bob"
MIN_RUNS = 5
TARGET_MS = 5000.0
KEPT_TARGET_MS = 300.0


class Afresh:
    """A client whose every request finds no kept packet: it times making one."""

    def __init__(self, client, folder: Path):
        self.client, self.folder = client, folder

    def get(self, path: str, **extra):
        shutil.rmtree(self.folder, ignore_errors=True)
        return self.client.get(path, **extra)


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
        "WeasyPrint's PDF, no network, each time made afresh; then kept (the digest's queries and the kept file). An "
        "anonymous login page is the framework baseline. Targets: a packet made in under 5 seconds median, a kept "
        "one under 0.3 seconds.\n\n"
        "```\n.venv/bin/python bench/bench_convenings.py --write-readme\n```\n\n"
        f"{run}. {note}\n\n{table}\n"
    )


def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    with common.bench_database(args.database_url) as connection, \
            tempfile.TemporaryDirectory(prefix="improvenet-bench-var-") as var:
        os.environ["IMPROVENET_VAR_DIR"] = var
        from improvenet.convenings.kept import packets_folder

        common.load_demo_data()
        network_pdf, team_pdf, note = packet_paths()
        client = common.page_client(DEMO_USER)
        afresh = Afresh(client, packets_folder())
        measurements = [common.measure_baseline(args.runs)]
        for name, path in (("cluster packet", network_pdf), ("team packet", team_pdf)):
            measurements += [
                common.measure(f"{name} GET {path}, made", afresh, path, check_pdf, args.runs, TARGET_MS),
                common.measure(f"{name} GET {path}, kept", client, path, check_pdf, args.runs, KEPT_TARGET_MS),
            ]
        vendor = connection.vendor
    table = common.format_table(measurements)
    run = common.describe_run(args.runs, vendor, load)
    section = readme_section(table, run, note)
    return common.finish([run, note, table], measurements, README_HEADING, section, args.write_readme)


if __name__ == "__main__":
    sys.exit(main())
