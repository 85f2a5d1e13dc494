"""Who may read and change the shared design, built on improvenet.network.access.

Everyone who may read the cluster reads its shared design. The district design team changes it:
`design_cluster()` turns the cluster access into one whose `can_change` says so (cluster lead,
network admin, or a current member of the district design team), and each object type's helper
takes that access. A school's adaptations are also recorded by that school's design team.
"""

from dataclasses import replace

from improvenet.design.models import (
    Adaptation,
    Aim,
    ChangeIdea,
    DesignChallenge,
    Innovation,
    InnovationElement,
    SchoolEnactment,
)
from improvenet.network.access import (
    Access,
    can_change_school_work,
    can_change_shared_design,
    member_of_cluster,
)
from improvenet.network.models import Cluster


def design_cluster(user, cluster: Access[Cluster]) -> Access[Cluster]:
    """The cluster access for the shared design: changed by the district design team."""
    return replace(cluster, can_change=can_change_shared_design(user, cluster))


def challenge_for_user(cluster: Access[Cluster], pk: int) -> Access[DesignChallenge]:
    return member_of_cluster(DesignChallenge, cluster, pk, "design challenge")


def aim_for_user(cluster: Access[Cluster], pk: int) -> Access[Aim]:
    return member_of_cluster(Aim, cluster, pk, "aim", related=["challenge"])


def change_idea_for_user(cluster: Access[Cluster], pk: int) -> Access[ChangeIdea]:
    return member_of_cluster(ChangeIdea, cluster, pk, "change idea")


def innovation_for_user(cluster: Access[Cluster], pk: int) -> Access[Innovation]:
    return member_of_cluster(Innovation, cluster, pk, "innovation", related=["aim"])


def element_for_user(cluster: Access[Cluster], pk: int) -> Access[InnovationElement]:
    return member_of_cluster(InnovationElement, cluster, pk, "innovation element", related=["innovation"])


def enactment_for_user(cluster: Access[Cluster], pk: int) -> Access[SchoolEnactment]:
    return member_of_cluster(SchoolEnactment, cluster, pk, "school enactment", related=["innovation", "school"])


def can_record_adaptation(user, cluster: Access[Cluster], enactment: SchoolEnactment) -> bool:
    """The school's own design team records its adaptations, and so does whoever changes the shared design."""
    return cluster.can_change or can_change_school_work(user, cluster, enactment.school_id)


def adaptation_for_user(cluster: Access[Cluster], pk: int) -> Access[Adaptation]:
    """Deciding about an adaptation is the shared design's business: `cluster` is a `design_cluster()`."""
    return member_of_cluster(
        Adaptation, cluster, pk, "adaptation", related=["enactment__school", "enactment__innovation", "element"]
    )
