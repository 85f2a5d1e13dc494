"""The guard in front of passwords: lock-outs after repeated failures, the password-reset e-mail limit, and
the sign-in log (the `SignInEvent` table and the Python log `improvenet.signin`). The lock-outs count the
log; the reset limit counts in the rate limits' shared counter (`improvenet.ratelimits`).

A username is locked out after 5 failures within 15 minutes, and an address after 20, for 15 minutes from
the failure that reached the limit. Attempts refused while locked out are logged but not counted, so that
waiting ends a lock-out. Counting in the database makes the limits hold across server processes.
"""

import datetime
import logging
import math
import time
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from improvenet.lib.clients import client_address
from improvenet.ratelimits.models import RequestCount
from improvenet.signin.models import SignInEvent

log = logging.getLogger("improvenet.signin")

WINDOW = datetime.timedelta(minutes=15)
LOCKED_FOR = datetime.timedelta(minutes=15)
FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20
RESET_EMAILS_PER_ADDRESS = 3
RESET_PERIOD = datetime.timedelta(hours=1)
RESET_SCOPE = "password-reset"

Kind = SignInEvent.Kind
WARNINGS = {Kind.FAILED, Kind.LOCKED_OUT, Kind.REFUSED, Kind.RESET_LIMITED}


@dataclass(frozen=True)
class LockOut:
    until: datetime.datetime
    by_address: bool  # the address's limit, not the username's

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))
        reason = (_("There were too many failed sign-ins from your internet connection.") if self.by_address
                  else _("There were too many failed sign-ins for this username."))
        wait = (_("Sign-in is paused for one more minute.") if minutes == 1 else
                _("Sign-in is paused for %(minutes)s more minutes.") % {"minutes": minutes})
        return " ".join([reason, wait, _("If you forgot your password, reset it by e-mail.")])


def _normalized(username: str) -> str:
    return (username or "").strip().lower()[:254]


def record(kind: str, request=None, *, username: str = "", user=None, method: str = "", detail: str = "") -> None:
    """Write one entry of the sign-in log, and the same line to the Python log."""
    client = client_address(request) if request is not None else ""
    username = _normalized(username or (user.get_username() if user is not None else ""))
    SignInEvent.objects.create(kind=kind, username=username, user=user, client=client, method=method,
                               detail=detail[:300])
    level = logging.WARNING if kind in WARNINGS else logging.INFO
    log.log(level, "sign-in: %s user=%s client=%s method=%s %s", kind, username or "-", client or "-",
            method or "-", detail)


def _lock_from(failures: list[datetime.datetime], limit: int, now: datetime.datetime) -> datetime.datetime | None:
    """When a lock-out ends, if the newest `limit` failures (newest first) fell within the window."""
    if len(failures) < limit:
        return None
    newest, oldest = failures[0], failures[limit - 1]
    if newest - oldest <= WINDOW and now < newest + LOCKED_FOR:
        return newest + LOCKED_FOR
    return None


def lock_out(request, username: str) -> LockOut | None:
    """The lock-out in force for this username or for the request's address, if any."""
    now = timezone.now()
    since = now - WINDOW - LOCKED_FOR
    checks = [({"username": _normalized(username)}, FAILURES_PER_USERNAME, False)]
    if request is not None:
        checks.append(({"client": client_address(request)}, FAILURES_PER_ADDRESS, True))
    for who, limit, by_address in checks:
        failures = SignInEvent.recent(Kind.FAILED, since, **who).order_by("-at").values_list("at", flat=True)
        until = _lock_from(list(failures[:limit]), limit, now)
        if until is not None:
            return LockOut(until=until, by_address=by_address)
    return None


def may_send_reset(request, email: str) -> bool:
    """Count a password-reset request for this address; False once it asked more than 3 times in the hour.

    Counted by the rate limits' shared counter (the family pages' too), in windows of a clock hour.
    """
    address = _normalized(email)
    sent, _ = RequestCount.hit(RESET_SCOPE, address, "", int(RESET_PERIOD.total_seconds()), time.time())
    if sent > RESET_EMAILS_PER_ADDRESS:
        record(Kind.RESET_LIMITED, request, username=address)
        return False
    record(Kind.RESET_REQUESTED, request, username=address)
    return True
