"""What each person has to do next, across every cluster they read: the items of their home page.

Each cluster is read inside its own scope, through the same access rules as its pages; every item names
its cluster, so that a person in several clusters sees them together.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.accounts.models import Invitation
from improvenet.convenings.models import Convening
from improvenet.cycles.models import PdsaCycle
from improvenet.data.models import DataUseAgreement
from improvenet.families.access import may_handle_requests
from improvenet.families.models import OptOutRequest
from improvenet.governance.models import PanelMember, Vote
from improvenet.home.menu import cluster_menu
from improvenet.measures.models import Measure, MeasureValue
from improvenet.network import access as acc
from improvenet.network.models import Cluster, Membership, current_on
from improvenet.partners.models import Agreement
from improvenet.sharing.models import Adoption, Publication

EXPIRING_WITHIN_DAYS = 90


@dataclass
class ClusterWork:
    """One cluster's items for one person."""

    cluster: Cluster
    access: acc.Access
    cycles_by_stage: list[dict] = field(default_factory=list)
    flagged_cycles: list[dict] = field(default_factory=list)
    waiting_measures: list[dict] = field(default_factory=list)
    enters_data: bool = False  # on a school's team, so the home says when nothing waits
    open_votes: list[Vote] = field(default_factory=list)
    expiring: list[dict] = field(default_factory=list)
    opt_out_requests: int = 0
    pending_invitations: int = 0
    expired_invitations: int = 0
    next_convening: Convening | None = None
    menu: dict = field(default_factory=dict)

    @property
    def is_lead(self) -> bool:
        return self.access.can_change

    @property
    def cycle_count(self) -> int:
        return sum(len(column["cycles"]) for column in self.cycles_by_stage)


def cycle_flags(cycle: PdsaCycle, today: datetime.date, stale_after: int) -> list[str]:
    """Why a cycle that is still running needs attention: past its planned end, or untouched for too long."""
    if cycle.stage == PdsaCycle.Stage.DONE:
        return []
    flags = []
    if cycle.planned_end and cycle.planned_end < today:
        flags.append(f"overdue: planned to end {cycle.planned_end:%B %-d, %Y}")
    idle = (today - timezone.localdate(cycle.updated_at)).days
    if idle >= stale_after:
        flags.append(f"untouched for {idle} days")
    return flags


def _my_cycles(user, cluster: Cluster, today: datetime.date) -> tuple[list[dict], list[dict]]:
    team_ids = Membership.objects.filter(current_on(), person__user=user).values("team_id")
    cycles = list(
        PdsaCycle.objects.filter(team_id__in=team_ids).exclude(stage=PdsaCycle.Stage.DONE)
        .select_related("team", "school", "change_idea").prefetch_related("predictions")
        .order_by("planned_end", "pk")
    )
    entries = []
    for cycle in cycles:
        entries.append({
            "cycle": cycle, "next": cycle.next_step(list(cycle.predictions.all())),
            "flags": cycle_flags(cycle, today, cluster.stale_cycle_days),
            "url": reverse("cycles:cycle", args=[cluster.slug, cycle.pk]),
        })
    by_stage = [{"stage": label, "cycles": [e for e in entries if e["cycle"].stage == value]}
                for value, label in PdsaCycle.Stage.choices if value != PdsaCycle.Stage.DONE]
    return [column for column in by_stage if column["cycles"]], [e for e in entries if e["flags"]]


def _my_school_ids(user) -> set[int]:
    """The schools of the user's current school teams, whose measure values they enter."""
    return set(Membership.objects.filter(current_on(), person__user=user, team__school__isnull=False)
               .values_list("team__school_id", flat=True))


def _waiting_measures(school_ids: set[int], cluster: Cluster) -> list[dict]:
    """Each open measure whose latest period some school has entered, with the user's schools still missing it."""
    if not school_ids:
        return []
    waiting = []
    for measure in Measure.objects.filter(current_on()).order_by("name"):
        values = MeasureValue.objects.filter(measure=measure)
        latest = values.order_by("-period").values_list("period", flat=True).first()
        if latest is None:
            continue
        entered = set(values.filter(period=latest).values_list("school_id", flat=True))
        missing = sorted(school_ids - entered)
        for school_id in missing:
            waiting.append({"measure": measure, "period": latest,
                            "url": reverse("measures:value_new", args=[cluster.slug, measure.slug, school_id])})
    return waiting


def _open_votes(user, access: acc.Access) -> list[Vote]:
    """Open votes the user takes part in: as a serving panel member, or as the lead who records the ballots."""
    votes = Vote.objects.filter(closed_at__isnull=True).order_by("held_on")
    if access.can_change:
        return list(votes)
    serving = PanelMember.objects.filter(person__user=user)
    return [vote for vote in votes if serving.filter(PanelMember.serving(vote.held_on)).exists()]


def _expiring(cluster: Cluster, today: datetime.date) -> list[dict]:
    horizon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    items = [
        {"kind": "Agreement", "title": str(agreement), "on": agreement.expires_on,
         "url": reverse("partners:agreement", args=[cluster.slug, agreement.pk])}
        for agreement in Agreement.objects.filter(current_on(), expires_on__gte=today, expires_on__lte=horizon)
    ]
    items += [
        {"kind": "Data use agreement", "title": agreement.project, "on": agreement.expires_on,
         "url": reverse("data:agreement", args=[cluster.slug, agreement.pk])}
        for agreement in DataUseAgreement.objects.filter(current_on(), expires_on__gte=today, expires_on__lte=horizon)
    ]
    return sorted(items, key=lambda item: item["on"])


def cluster_work(user, access: acc.Access, today: datetime.date) -> ClusterWork:
    """One cluster's items for the user; the cluster's scope must be open."""
    cluster = access.obj
    work = ClusterWork(cluster, access, menu=cluster_menu(user, access))
    work.cycles_by_stage, work.flagged_cycles = _my_cycles(user, cluster, today)
    school_ids = _my_school_ids(user)
    work.enters_data = bool(school_ids)
    work.waiting_measures = _waiting_measures(school_ids, cluster)
    work.open_votes = _open_votes(user, access)
    work.next_convening = Convening.objects.filter(held_on__gte=today).order_by("held_on").first()
    if access.can_change:
        work.expiring = _expiring(cluster, today)
        pending = Invitation.objects.filter(status=Invitation.Status.PENDING)
        work.expired_invitations = pending.filter(expires_at__lte=timezone.now()).count()
        work.pending_invitations = pending.count() - work.expired_invitations
    if may_handle_requests(user, access):
        work.opt_out_requests = OptOutRequest.objects.filter(status=OptOutRequest.Status.PENDING).count()
    return work


def my_work(user, today: datetime.date | None = None) -> list[ClusterWork]:
    """The user's items in every cluster they read with a role of their own, by cluster name."""
    today = today or timezone.localdate()
    work = []
    for cluster in acc.visible_clusters(user).select_related("network").order_by("name"):
        access = acc.cluster_for_user(user, cluster.slug)
        if access.role == acc.SHARED_READER:
            continue
        with scope(cluster=cluster):
            work.append(cluster_work(user, access, today))
    return work


def network_news(user, since: datetime.datetime | None) -> list[dict]:
    """Change ideas published to, or adopted from, the user's networks since their last visit."""
    networks = acc.visible_networks(user)
    if since is None:
        return []
    with scopes_disabled():
        published = Publication.objects.filter(current_on(), cluster__network__in=networks, published_at__gt=since)
        adopted = Adoption.objects.filter(cluster__network__in=networks, adopted_at__gt=since,
                                          publication__isnull=False)
        news = [{"what": "published", "title": p.title, "cluster": p.cluster, "at": p.published_at,
                 "url": reverse("sharing:publication", args=[p.cluster.network.slug, p.pk])}
                for p in published.select_related("cluster__network")]
        news += [{"what": "adopted", "title": a.change_idea_title or a.source_idea_title, "cluster": a.cluster,
                  "at": a.adopted_at,
                  "url": reverse("sharing:publication", args=[a.cluster.network.slug, a.publication_id])}
                 for a in adopted.select_related("cluster__network")]
    return sorted(news, key=lambda item: item["at"], reverse=True)

