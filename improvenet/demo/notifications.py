"""Demo notifications: the handful a person finds on a normal week, not two years' worth.

The demo's cycles, votes and adoptions notify as they are built, all at once (bob alone would get about 90).
Each notification is dated on its event's day, and a cycle's move is told as a teammate's (the demo builds
the cycles with nobody signed in, which would read "Someone moved…"); then every person keeps the newest
KEPT_PER_KIND of each kind, and only their newest UNREAD stay unread. Riverside's leads are told of the
agreements expiring within a month, as `improvenet notifications send` would, so every kind is in the demo.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone
from django_scopes import scope

from improvenet.cycles.models import PdsaCycle
from improvenet.demo.network import RIVERSIDE
from improvenet.governance.models import Vote
from improvenet.network.models import Cluster, Membership, current_on
from improvenet.notifications import events
from improvenet.notifications.models import Notification
from improvenet.sharing.models import Adoption

KEPT_PER_KIND = 4
UNREAD = 3
AGREEMENT_DAYS = 30
Kind = Notification.Kind
# The day a cycle reached each stage: the day of the notification that it moved there.
STAGE_DAYS = {"do": "do_started_on", "study": "study_started_on", "act": "study_closed_on", "done": "decided_on"}


def _event_day(notification: Notification, cycles: dict, votes: dict, adoptions: dict) -> datetime.date | None:
    """The day the notification's event happened, read from its key."""
    parts = notification.key.split(":")
    if notification.kind == Kind.CYCLE_MOVED:
        return getattr(cycles[int(parts[1])], STAGE_DAYS[parts[3]])
    if notification.kind == Kind.PREDICTION_WAITING:
        return cycles[int(parts[1])].study_started_on
    if notification.kind == Kind.VOTE_OPENED:
        return timezone.localdate(votes[int(parts[1])].created_at)
    if notification.kind == Kind.IDEA_ADOPTED:
        return timezone.localdate(adoptions[int(parts[1])].adopted_at)
    return None


def _told_by_a_teammate(notification: Notification, cycles: dict, teammates: dict) -> str:
    """The text of a cycle's move, naming one of the recipient's teammates instead of "Someone"."""
    cycle = cycles[int(notification.key.split(":")[1])]
    others = [name for user_id, name in teammates.get(cycle.team_id, []) if user_id != notification.recipient_id]
    if not others or not notification.text.startswith("Someone "):
        return notification.text
    return notification.text.replace("Someone", others[cycle.pk % len(others)], 1)


def create_notifications_demo(seed: int, report: Callable[[str], None]) -> None:
    riverside = Cluster.objects.get(slug=RIVERSIDE)
    with scope(cluster=riverside):
        events.agreements_expiring(riverside, timezone.localdate(), AGREEMENT_DAYS)
    notifications = list(Notification.objects.all())
    cycles = PdsaCycle.with_withdrawn.in_bulk([int(n.key.split(":")[1]) for n in notifications
                                               if n.kind in (Kind.CYCLE_MOVED, Kind.PREDICTION_WAITING)])
    votes = Vote.objects.in_bulk()
    adoptions = Adoption.objects.in_bulk()
    now = timezone.now()
    teammates: dict[int, list[tuple[int | None, str]]] = {}
    for membership in Membership.objects.filter(current_on()).select_related("person").order_by("person__given_name"):
        teammates.setdefault(membership.team_id, []).append((membership.person.user_id, membership.person.full_name))
    for notification in notifications:
        if notification.kind == Kind.CYCLE_MOVED:
            notification.text = _told_by_a_teammate(notification, cycles, teammates)
        day = _event_day(notification, cycles, votes, adoptions)
        if day is not None:
            notification.created_at = min(now, timezone.make_aware(datetime.datetime.combine(day, datetime.time(16))))
    Notification.objects.bulk_update(notifications, ["created_at", "text"])

    newest_first = sorted(notifications, key=lambda n: (n.created_at, n.pk), reverse=True)
    kept: dict[tuple[int, str], int] = {}
    unread: dict[int, int] = {}
    dropped, read = [], []
    for notification in newest_first:
        kind_key = (notification.recipient_id, notification.kind)
        kept[kind_key] = kept.get(kind_key, 0) + 1
        if kept[kind_key] > KEPT_PER_KIND:
            dropped.append(notification.pk)
            continue
        unread[notification.recipient_id] = unread.get(notification.recipient_id, 0) + 1
        if unread[notification.recipient_id] > UNREAD:
            read.append(notification.pk)
    Notification.objects.filter(pk__in=dropped).delete()
    Notification.objects.filter(pk__in=read).update(read_at=now)
    report(f"Keeping {len(notifications) - len(dropped)} notifications, {len(read)} of them read")
