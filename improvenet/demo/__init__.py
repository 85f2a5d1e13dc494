"""Demo data for trying improvenet (`improvenet demo`, `make demo`), generated from a seed.

Later work adds its own part of the demo next to `network` and calls it from `load_demo`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.db import transaction
from django_scopes import scopes_disabled

from improvenet.demo import (
    convenings,
    cycles,
    design,
    engagement,
    families,
    governance,
    induction,
    invitations,
    learning,
    measures,
    network,
    notifications,
    partners,
    partnership,
    phases,
    pilots,
    pyramids,
    sharing,
    student_data,
    studies,
    synthesis,
)
from improvenet.network.models import ClusterRole, Membership, Network, Person, School, Team
from improvenet.search.index import rebuild_index

DEMO_PASSWORD = "improvenet-demo"
DEMO_NETWORK_SLUG = network.NETWORK_SLUG
DEFAULT_SEED = 2026


class DemoAlreadyLoaded(Exception):
    """The database already holds the demo network; the demo only loads into a fresh database."""


class DemoAccount(NamedTuple):
    username: str
    role: str
    cluster: str


@dataclass(frozen=True)
class DemoSummary:
    network: str
    accounts: tuple[DemoAccount, ...]
    schools: int
    people: int
    teams: int
    memberships: int


def load_demo(
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
    student_data_stores: Path | None = None,
) -> DemoSummary:
    """Create the demo network, its clusters and the demo accounts, all or nothing.

    With `student_data_stores` (the folder of the per-cluster analytics stores), six synthetic school
    years of Riverside's students are loaded into Riverside's store there as well (about half a minute;
    tests leave it out).
    """
    report = progress or (lambda message: None)
    report(f"Planning the demo network from seed {seed}")
    plan = network.plan_network(seed)
    with transaction.atomic(), scopes_disabled():
        if Network.objects.filter(slug=DEMO_NETWORK_SLUG).exists():
            raise DemoAlreadyLoaded(
                f"This database already holds the demo network “{network.NETWORK_NAME}”; "
                "load the demo into a fresh database."
            )
        network.create_network(plan, DEMO_PASSWORD, report)
        design.create_design_demo(seed, report)
        measures.create_measures_demo(seed, report)
        cycles.create_cycles_demo(seed, report)
        # The measure data shifts after the adoptions the cycles recorded, so it comes last.
        measures.create_measure_data_demo(seed, report)
        learning.create_learning_demo(seed, report)
        sharing.create_sharing_demo(seed, report)
        convenings.create_convenings_demo(seed, report)
        synthesis.create_synthesis_demo(seed, report)
        engagement.create_engagement_demo(seed, report)
        families.create_families_demo(seed, report)
        governance.create_governance_demo(seed, report)
        partners.create_partners_demo(seed, report)
        pilots.create_pilots_demo(seed, report, DEMO_PASSWORD)
        induction.create_induction_demo(seed, report)
        partnership.create_partnership_demo(seed, report)
        pyramids.create_pyramids_demo(seed, report)
        phases.create_phases_demo(seed, report)
        invitations.create_invitations_demo(seed, report)
        studies.create_studies_demo(seed, report)
        # Last: it thins the notifications every other part wrote.
        notifications.create_notifications_demo(seed, report)
        report("Indexing the learning for search")
        rebuild_index()
        if student_data_stores is not None:
            student_data.create_student_data_demo(seed, report, student_data_stores)
        return _summary(plan)


def _summary(plan: network.NetworkPlan) -> DemoSummary:
    accounts = [
        DemoAccount(role.username, f"{ClusterRole.Role(role.role).label}: {role.description}",
                    cluster.name)
        for cluster in plan.clusters
        for role in cluster.roles
    ]
    accounts += [DemoAccount(username, "Network admin", plan.name) for username in plan.admins]
    riverside = next(cluster for cluster in plan.clusters if cluster.slug == network.RIVERSIDE)
    accounts.append(DemoAccount(pilots.COMPANY_USER, f"{pilots.COMPANY}: reads its product pilot's report only",
                                riverside.name))
    # Counted in the database: later parts of the demo (induction, the panel) add people and teams.
    return DemoSummary(
        network=plan.name,
        accounts=tuple(accounts),
        schools=School.objects.count(),
        people=Person.objects.count(),
        teams=Team.objects.count(),
        memberships=Membership.objects.count(),
    )
