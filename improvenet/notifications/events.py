"""One small function per event, called by the model method or service that makes the change.

Each writes the event's notifications in the cluster where it happened, one per recipient and event
(`Notification.key`), from record titles only: never a value, a note or student-level data. The callers
pass the recipients they know (a cycle's team, a vote's panel), so that this module depends on no app
that calls it.
"""

import datetime
from collections.abc import Iterable

from django.urls import reverse

from improvenet.network.models import ClusterRole, Membership, current_on
from improvenet.notifications.models import Notification
from improvenet.partners import registry

TITLE_CHARS = 90


def _title(text: str) -> str:
    """A title quoted in a sentence: on one line, cut at a word when long."""
    text = " ".join((text or "").split())
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def _name(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def _notify(cluster_id: int, recipient_ids: Iterable[int | None], kind: str, text: str, url: str, key: str) -> int:
    """Write the notifications not written before for this event; how many were new."""
    recipients = sorted({pk for pk in recipient_ids if pk})
    existing = set(Notification.objects.with_scope(cluster=cluster_id).filter(key=key, recipient_id__in=recipients)
                   .values_list("recipient_id", flat=True))
    rows = [Notification(cluster_id=cluster_id, recipient_id=pk, kind=kind, text=text[:300], url=url, key=key)
            for pk in recipients if pk not in existing]
    # Two requests may notify the same event at once: the unique constraint keeps one row per person.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def team_user_ids(team_id: int) -> set[int]:
    """The accounts of the team's current members."""
    return set(Membership.objects.filter(current_on(), team_id=team_id, person__user__isnull=False)
               .values_list("person__user_id", flat=True))


def lead_ids(cluster_id: int) -> set[int]:
    return set(ClusterRole.objects.filter(cluster_id=cluster_id, role=ClusterRole.Role.LEAD)
               .values_list("user_id", flat=True))


def cycle_moved(cycle, user, reopened: int) -> int:
    """A teammate moved a cycle to its next stage (or decided it): the rest of its team hears of it."""
    url = reverse("cycles:cycle", args=[cycle.cluster.slug, cycle.pk])
    stage = cycle.get_stage_display() if cycle.stage != "done" else f"a decision: {cycle.get_decision_display()}"
    text = f"{_name(user)} moved the cycle “{_title(cycle.objective)}” to {stage}."
    others = team_user_ids(cycle.team_id) - {getattr(user, "pk", None)}
    return _notify(cycle.cluster_id, others, Notification.Kind.CYCLE_MOVED, text, url,
                   f"cycle:{cycle.pk}:moved:{cycle.stage}:{reopened}")


def predictions_waiting(cycle, waiting: int) -> int:
    """The cycle entered Study: its predictions wait for their answer, for the whole team."""
    url = reverse("cycles:cycle", args=[cycle.cluster.slug, cycle.pk]) + "#predictions"
    text = (f"{waiting} prediction{'s' if waiting != 1 else ''} of the cycle “{_title(cycle.objective)}” "
            f"wait{'s' if waiting == 1 else ''} for {'their' if waiting != 1 else 'its'} answer.")
    return _notify(cycle.cluster_id, team_user_ids(cycle.team_id), Notification.Kind.PREDICTION_WAITING, text, url,
                   f"cycle:{cycle.pk}:predictions-waiting")


def vote_opened(vote, member_user_ids: Iterable[int]) -> int:
    """A vote opened: the panel members who vote in it hear of it."""
    url = reverse("governance:vote", args=[vote.cluster.slug, vote.pk])
    text = f"A vote opened: “{_title(vote.title)}”, held on {vote.held_on:%B %-d, %Y}."
    return _notify(vote.cluster_id, member_user_ids, Notification.Kind.VOTE_OPENED, text, url, f"vote:{vote.pk}:opened")


def idea_adopted(publication, adopting_cluster_name: str, adoption_id: int) -> int:
    """Another cluster adopted a published change idea: whoever published it hears of it, in its cluster."""
    url = reverse("sharing:cluster", args=[publication.cluster.slug])
    text = f"{adopting_cluster_name} adopted the change idea you published, “{_title(publication.title)}”."
    return _notify(publication.cluster_id, [publication.published_by_id], Notification.Kind.IDEA_ADOPTED, text, url,
                   f"adoption:{adoption_id}")


def agreement_expiring(cluster, title: str, url: str, sentence: str, key: str) -> int:
    """An agreement is due for renewal or expires soon: the cluster's leads hear of it once per date."""
    text = f"The agreement “{_title(title)}” {sentence}."
    return _notify(cluster.pk, lead_ids(cluster.pk), Notification.Kind.AGREEMENT_EXPIRING, text, url, key)


def agreements_expiring(cluster, today: datetime.date, days: int) -> int:
    """Notify each renewal or expiry date of the cluster's agreements within `days` (inside its scope)."""
    return sum(
        agreement_expiring(cluster, entry.title, entry.url, deadline.sentence(today),
                           f"agreement:{entry.source}:{entry.pk}:{deadline.kind}:{deadline.on}")
        for entry, deadline in registry.expiring(cluster, today, days)
    )
