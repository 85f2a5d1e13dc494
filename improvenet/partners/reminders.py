"""E-mail reminders of agreements about to be renewed or to expire (`improvenet reminders send`).

Each renewal or expiry date within the window (90 days by default) gets one e-mail, once: the
`Reminder` row written when it is sent keeps it from being sent again. An agreement whose date
changes gets a reminder for the new date. The recipients are the cluster's leads, whoever recorded
the agreement and, for a data use agreement, the researchers it names (their access ends with it);
those last two only while they still have a role in the cluster (or administer its network), so that
nobody who has moved to another cluster or left is told about this one's agreements.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q

from improvenet.network.models import Cluster, ClusterRole
from improvenet.partners import dates, registry
from improvenet.partners.models import Reminder

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mail_problem() -> str | None:
    """Why e-mail cannot be sent with the current settings, or None when it can."""
    if settings.EMAIL_BACKEND == SMTP_BACKEND and not settings.EMAIL_HOST:
        return ("E-mail is not configured: set IMPROVENET_EMAIL_HOST (and usually IMPROVENET_EMAIL_USER, "
                "IMPROVENET_EMAIL_PASSWORD and IMPROVENET_EMAIL_FROM); see docs/settings.md.")
    return None


@dataclass(frozen=True)
class Due:
    cluster: Cluster
    entry: registry.Entry
    deadline: dates.Deadline
    recipients: tuple[str, ...]

    def subject(self, today: datetime.date) -> str:
        # One line whatever the title holds: a line break in a header is refused by the mail library,
        # and would otherwise let a title add headers (Bcc:) to the message.
        return " ".join(f"{self.cluster.name}: “{self.entry.title}” {self.deadline.sentence(today)}".split())

    def body(self, today: datetime.date) -> str:
        link = f"{settings.IMPROVENET_SITE_URL}{self.entry.url}"
        parties = ", ".join(self.entry.parties) or "the district and the researchers it names"
        return "\n".join([
            f"The {self.entry.kind_label.lower()} agreement “{self.entry.title}” of {self.cluster.name} "
            f"{self.deadline.sentence(today)}.",
            "",
            f"Parties: {parties}",
            f"Started: {self.entry.starts_on:%B %-d, %Y}",
            f"Renewal date: {self.entry.renews_on:%B %-d, %Y}" if self.entry.renews_on else "Renewal date: not set",
            f"Expires: {self.entry.expires_on:%B %-d, %Y}" if self.entry.expires_on else "Expires: open-ended",
            "",
            f"The agreement's page: {link}",
            "",
            "This reminder is sent once for this date by `improvenet reminders send`. If the agreement was "
            "renewed, record its new dates on its page; if it ends, end it there.",
        ])

    def reminder(self) -> Reminder:
        about = {"agreement": self.entry.record} if self.entry.source == registry.AGREEMENT else {
            "data_use_agreement": self.entry.record}
        return Reminder(cluster=self.cluster, deadline=self.deadline.kind, due_on=self.deadline.on,
                        recipients="\n".join(self.recipients), **about)


def _addresses(users) -> set[str]:
    return {user.email for user in users if user.is_active and user.email}


def recipients(cluster: Cluster, entry: registry.Entry) -> tuple[str, ...]:
    users = get_user_model().objects
    found = _addresses(users.filter(cluster_roles__cluster=cluster, cluster_roles__role=ClusterRole.Role.LEAD))
    of_cluster = users.filter(Q(cluster_roles__cluster=cluster) | Q(administered_networks=cluster.network_id))
    if entry.record.created_by_id:
        found |= _addresses(of_cluster.filter(pk=entry.record.created_by_id))
    if entry.source == registry.DATA_USE:
        found |= _addresses(of_cluster.filter(pk__in=entry.record.researchers.values("pk")))
    return tuple(sorted(found))


def already_sent(entry: registry.Entry, deadline: dates.Deadline) -> bool:
    about = "agreement" if entry.source == registry.AGREEMENT else "data_use_agreement"
    return Reminder.objects.filter(**{about: entry.record}, deadline=deadline.kind, due_on=deadline.on).exists()


def due(cluster: Cluster, today: datetime.date, window_days: int) -> tuple[list[Due], int]:
    """The reminders to send for the cluster (inside its scope), and how many were sent before."""
    pending, sent_before = [], 0
    for entry, deadline in registry.expiring(cluster, today, window_days):
        if already_sent(entry, deadline):
            sent_before += 1
        else:
            pending.append(Due(cluster, entry, deadline, recipients(cluster, entry)))
    return pending, sent_before


def send(reminder: Due, today: datetime.date, connection) -> Reminder:
    """Send one reminder and record it; the record is written only once the server accepted the e-mail."""
    message = EmailMessage(reminder.subject(today), reminder.body(today), to=list(reminder.recipients),
                           connection=connection)
    with transaction.atomic():
        record = reminder.reminder()
        record.save()
        message.send()
    return record
