"""The weekly e-mail digest: each person who chose it receives their notifications not yet e-mailed.

A digest lists the notifications' sentences and links, nothing else (they are built from titles only,
never from student-level data). The notifications it carries are marked `emailed_at` in the same
transaction as the message is handed to the mail server, so none is e-mailed twice. Every digest has
a signed link that turns the digest off without signing in (and the `List-Unsubscribe` headers that
let a mail program do it in one click).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from improvenet.notifications.access import own_notifications
from improvenet.notifications.models import DigestChoice, Notification

UNSUBSCRIBE_SALT = "improvenet.notifications.unsubscribe"
# A scheduler that runs the command more often than weekly still sends each person one digest a week.
WEEK = datetime.timedelta(days=6, hours=12)


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_id_from_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def unsubscribe_url(user) -> str:
    return settings.IMPROVENET_SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user)])


@dataclass
class Digest:
    choice: DigestChoice
    notifications: list[Notification]

    @property
    def user(self):
        return self.choice.user

    @property
    def subject(self) -> str:
        count = len(self.notifications)
        return f"improvenet: {count} notification{'s' if count != 1 else ''} this week"

    def body(self) -> str:
        lines = [f"Hello {self.user.get_full_name() or self.user.get_username()},", "",
                 "What happened in your clusters since your last digest:"]
        cluster = None
        for notification in self.notifications:
            if notification.cluster_id != cluster:
                cluster = notification.cluster_id
                lines += ["", notification.cluster.name]
            lines += [f"- {notification.text}", f"  {settings.IMPROVENET_SITE_URL}{notification.url}"]
        lines += ["", f"All your notifications: {settings.IMPROVENET_SITE_URL}{reverse('notifications:list')}",
                  "", f"To stop this weekly digest, open {unsubscribe_url(self.user)} (no sign-in needed)."]
        return "\n".join(lines)

    def message(self, connection) -> EmailMessage:
        url = unsubscribe_url(self.user)
        return EmailMessage(self.subject, self.body(), to=[self.user.email], connection=connection, headers={
            "List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def due(now: datetime.datetime) -> list[Digest]:
    """The digests to send: people who chose one, have an address, were not sent one this week, and have news."""
    digests = []
    choices = (DigestChoice.objects.filter(weekly=True, user__is_active=True).exclude(user__email="")
               .select_related("user").order_by("user__username"))
    for choice in choices:
        if choice.last_sent_at and now - choice.last_sent_at < WEEK:
            continue
        with own_notifications(choice.user) as notifications:
            news = list(notifications.filter(emailed_at__isnull=True, read_at__isnull=True)
                        .order_by("cluster__name", "created_at", "pk"))
        if news:
            digests.append(Digest(choice, news))
    return digests


def send(digest: Digest, now: datetime.datetime, connection) -> bool:
    """Send one digest and mark what it carries; False (nothing sent) when another run carried it first."""
    ids = [n.pk for n in digest.notifications]
    with transaction.atomic():
        marked = Notification.objects.with_scopes_disabled().filter(pk__in=ids, emailed_at__isnull=True).update(
            emailed_at=now)
        if marked != len(ids):
            transaction.set_rollback(True)
            return False
        DigestChoice.objects.filter(pk=digest.choice.pk).update(last_sent_at=now)
        digest.message(connection).send()
    return True


def choose(user, weekly: bool) -> DigestChoice:
    choice, _ = DigestChoice.objects.get_or_create(user=user)
    if choice.weekly != weekly:
        choice.weekly = weekly
        choice.save(update_fields=["weekly"])
    return choice
