"""A person reads their own notifications only, and only in the clusters they may still read."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scope, scopes_disabled

from improvenet.network.access import visible_clusters
from improvenet.notifications.models import Notification


@contextmanager
def own_notifications(user) -> Iterator[QuerySet[Notification]]:
    """The user's notifications, inside the scope of the clusters they read (none for an anonymous visitor)."""
    clusters = list(visible_clusters(user).values_list("pk", flat=True))
    with scope(cluster=clusters):
        yield Notification.objects.filter(recipient_id=getattr(user, "pk", None)).select_related("cluster")


def unread_count(user) -> int:
    """How many of the user's notifications are unread, in the clusters they may still read, in one query (the
    header shows it on every page)."""
    # The clusters are a subquery of the count, where own_notifications reads them first to enter their scope.
    with scopes_disabled():
        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True,
                                           cluster__in=visible_clusters(user)).count()


def notification_for_user(notifications: QuerySet[Notification], pk: int) -> Notification:
    found = notifications.filter(pk=pk).first()
    if found is None:
        raise Http404("You have no such notification.")
    return found
