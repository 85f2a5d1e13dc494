"""Who may read and change PDSA cycles, on top of improvenet.network.access.

Everyone who may read the cluster reads its cycles. A school's cycles are changed by that school's
design team (and the cluster lead and network admins): `can_change_school_work`. The district
design team and researchers read them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.network.access import Access, can_change_school_work, team_for_user
from improvenet.network.models import Cluster, Membership, Team, current_on

CANNOT_CHANGE = "Only this school's design team (or the cluster lead) changes its PDSA cycles."


def cycle_for_user(user, cluster: Access[Cluster], pk: int) -> Access[PdsaCycle]:
    # A withdrawn cycle keeps its page (it shows the withdrawal), though lists leave it out.
    cycle = PdsaCycle.with_withdrawn.select_related("school", "team", "change_idea").filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such PDSA cycle in this cluster.")
    return Access(cycle, cluster.role, can_change_school_work(user, cluster, cycle.school_id))


def prediction_for_user(user, cluster: Access[Cluster], pk: int) -> Access[Prediction]:
    prediction = Prediction.objects.select_related("cycle", "cycle__school").filter(pk=pk).first()
    if prediction is None:
        raise Http404("No such prediction in this cluster.")
    return Access(prediction, cluster.role, can_change_school_work(user, cluster, prediction.cycle.school_id))


def board_team_for_user(user, cluster: Access[Cluster], pk: int) -> Access[Team]:
    team = team_for_user(cluster, pk).obj
    return Access(team, cluster.role, can_change_school_work(user, cluster, team.school_id))


def writable_teams(user, cluster: Access[Cluster]):
    """The current teams working in a school whose cycles the user may write."""
    teams = Team.objects.filter(current_on(), school__isnull=False, kind=Team.Kind.SCHOOL_DESIGN).select_related(
        "school"
    )
    if cluster.can_change:
        return teams.order_by("name")
    allowed = [t.pk for t in teams if can_change_school_work(user, cluster, t.school_id)]
    return teams.filter(pk__in=allowed).order_by("name")


def can_copy_elsewhere(user, cluster: Access[Cluster], school_id: int) -> bool:
    """Whether the user writes the cycles of a school other than this one (one query)."""
    teams = Team.objects.filter(current_on(), kind=Team.Kind.SCHOOL_DESIGN, school__isnull=False).exclude(
        school_id=school_id
    )
    if not cluster.can_change:
        teams = teams.filter(
            Exists(Membership.objects.filter(current_on(), team=OuterRef("pk"), person__user=user))
        )
    return teams.exists()


def require_team_writable(user, cluster: Access[Cluster], team: Team) -> Team:
    if not can_change_school_work(user, cluster, team.school_id):
        raise PermissionDenied(CANNOT_CHANGE)
    return team


def require_change(access: Access) -> object:
    if not access.can_change:
        raise PermissionDenied(CANNOT_CHANGE)
    if getattr(access.obj, "is_withdrawn", False):
        raise PermissionDenied("This cycle is withdrawn: restore it (with a reason) before changing it.")
    return access.obj
