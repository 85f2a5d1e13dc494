"""Who may read and change induction records, on top of improvenet.network.access.

The outcomes (aggregates, suppressed) are read by everyone with a role in the cluster. The individual
records — new teachers, inductions, mentors, plans, progress, logs and placements — are personal data
about teachers: only whoever may change the cluster (its lead, network admins) reads and changes them.
Mentors do not see their mentees' records through the software; the lead shares what a mentor needs.
Others with a role in the cluster get 403 (they may know the cluster, not these records); other
clusters' records are 404 like everything else.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from improvenet.induction.models import Cohort, Induction, Log, Mentor, Milestone, NewTeacher, Placement, Progress
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster


def require_records(cluster: Access[Cluster]) -> Access[Cluster]:
    """The cluster access, when the user may read individual induction records; 403 otherwise."""
    if not cluster.can_change:
        raise PermissionDenied("Individual induction records are read by the cluster lead only; "
                               "everyone in the cluster reads the outcomes.")
    return cluster


@dataclass(frozen=True)
class Kind:
    """One kind of induction record: its model, the word for it and its address segment."""

    model: type
    label: str
    plural: str
    related: tuple[str, ...] = ()


KINDS = {
    kind.plural: kind for kind in (
        Kind(Cohort, "cohort", "cohorts"),
        Kind(Milestone, "milestone", "milestones", ("cohort",)),
        Kind(Mentor, "mentor", "mentors", ("person", "school")),
        Kind(NewTeacher, "new teacher", "teachers", ("first_school",)),
        Kind(Induction, "induction", "inductions", ("person", "cohort", "school", "mentor__person", "new_teacher")),
        Kind(Progress, "milestone progress", "progress", ("milestone", "induction__person")),
        Kind(Log, "log", "logs", ("mentor__person", "induction__person")),
        Kind(Placement, "placement", "placements", ("induction__person",)),
    )
}


def kind_or_404(plural: str) -> Kind:
    """The kind of record an address names (cohorts, mentors...); 404 naming the kinds otherwise."""
    if plural not in KINDS:
        raise Http404(f"No such kind of induction record: choose one of {', '.join(KINDS)}.")
    return KINDS[plural]


def record_for_user(cluster: Access[Cluster], plural: str, pk: int) -> Access:
    kind = kind_or_404(plural)
    return member_of_cluster(kind.model, require_records(cluster), pk, kind.label, related=list(kind.related))


def induction_for_user(cluster: Access[Cluster], pk: int) -> Access[Induction]:
    return record_for_user(cluster, "inductions", pk)


def cohort_for_user(cluster: Access[Cluster], pk: int) -> Access[Cohort]:
    return record_for_user(cluster, "cohorts", pk)
