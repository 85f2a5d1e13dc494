"""The dates of an agreement: its status on a day and the deadlines coming up (no Django import).

An agreement is *ended* once someone ended it (its `ended_on` has come), *expired* once its expiry
date has passed, *expiring* when it expires within the reminder window (90 days by default),
*not started* before its start date, and *active* otherwise. An agreement without an expiry date
(open-ended, until someone ends it) is never expiring or expired.

A *deadline* is a renewal or expiry date within the window: the days on which someone has to act.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_WINDOW_DAYS = 90
# The longest window the pages and the API offer: two years ahead.
MAX_WINDOW_DAYS = 730


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {
            Status.NOT_STARTED: "Not started yet",
            Status.ACTIVE: "Active",
            Status.EXPIRING: "Expiring soon",
            Status.EXPIRED: "Expired",
            Status.ENDED: "Ended",
        }[self]


def status(
    starts_on: datetime.date,
    expires_on: datetime.date | None,
    ended_on: datetime.date | None,
    today: datetime.date,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Status:
    if ended_on is not None and ended_on <= today:
        return Status.ENDED
    if expires_on is not None and expires_on < today:
        return Status.EXPIRED
    if starts_on > today:
        return Status.NOT_STARTED
    if expires_on is not None and (expires_on - today).days <= window_days:
        return Status.EXPIRING
    return Status.ACTIVE


class DeadlineKind(StrEnum):
    RENEWAL = "renewal"
    EXPIRY = "expiry"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    on: datetime.date

    def days_left(self, today: datetime.date) -> int:
        return (self.on - today).days

    def sentence(self, today: datetime.date) -> str:
        days = self.days_left(today)
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        verb = "is due for renewal" if self.kind == DeadlineKind.RENEWAL else "expires"
        return f"{verb} {when}, on {self.on:%B %-d, %Y}"


def deadlines(
    renews_on: datetime.date | None,
    expires_on: datetime.date | None,
    ended_on: datetime.date | None,
    today: datetime.date,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[Deadline]:
    """The renewal and expiry dates from today up to `window_days` ahead, earliest first.

    An ended agreement has none; neither has a date after the agreement's end.
    """
    if window_days < 0:
        raise ValueError("The window is a number of days from today, 0 or more.")
    if ended_on is not None and ended_on <= today:
        return []
    last = today + datetime.timedelta(days=window_days)
    found = [
        Deadline(kind, on)
        for kind, on in ((DeadlineKind.RENEWAL, renews_on), (DeadlineKind.EXPIRY, expires_on))
        if on is not None and today <= on <= last and (ended_on is None or on < ended_on)
    ]
    return sorted(found, key=lambda deadline: (deadline.on, deadline.kind != DeadlineKind.RENEWAL))
