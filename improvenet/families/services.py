"""Receiving a family's opt-out request and handing it to the longitudinal store; the public pages' rate limits."""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from improvenet.data import services as data_services
from improvenet.families.models import OptOutRequest, new_reference
from improvenet.lib.clients import client_address
from improvenet.network.models import Cluster
from improvenet.ratelimits.models import RequestCount

# What the rate limits count (settings.FAMILY_RATE_LIMITS): reads of the public pages, and opt-out requests sent.
PAGES, OPT_OUT = "pages", "opt-out"


def receive(cluster, cleaned: dict, language: str, *, spam: bool) -> str:
    """Keep the request and return its reference; a robot's (honeypot filled) gets a reference but is dropped.

    The student is not looked up: the answer is the same whoever and whatever was entered.
    """
    if spam:
        return new_reference()
    request = OptOutRequest.objects.create(
        cluster=cluster, school=cleaned["school"], student_id=cleaned["student_id"],
        date_of_birth=cleaned["date_of_birth"], guardian_name=cleaned["guardian_name"], contact=cleaned["contact"],
        language=language,
    )
    return request.reference


def confirm(user, cluster_access, request: OptOutRequest, *, channel: str, note: str = "", store=None) -> int:
    """Opt the student out of the store (audited), then close the request and erase the student's id.

    Raises improvenet.data.services.DataSetupError when the store cannot be written: the request stays
    pending, with the id, for another try.
    """
    with transaction.atomic():
        # Locked, so that two people confirming at once do not both record it.
        locked = OptOutRequest.objects.select_for_update().get(pk=request.pk)
        locked.require_pending()
        removed = data_services.opt_out(user, cluster_access, locked.student_id, channel=channel, store=store)
        locked.confirm(user, removed, note)
    request.refresh_from_db()
    return removed


# Rate limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A request over a rate limit: how long to wait, and the reason in the active language."""

    retry_after: int  # seconds
    whole_cluster: bool  # the limit of all addresses together, not the client's own
    sending: bool  # an opt-out request, which was not kept

    @property
    def message(self) -> str:
        reason = (_("The family pages of this cluster received too many requests in a short time.")
                  if self.whole_cluster else
                  _("We received too many requests from your internet connection in a short time."))
        minutes = math.ceil(self.retry_after / 60)
        wait = (_("Please try again in a minute.") if minutes <= 1 else
                _("Please try again in %(minutes)s minutes.") % {"minutes": minutes})
        kept = _("Your opt-out request was not sent, and nothing you entered was kept.") if self.sending else ""
        return " ".join(part for part in (reason, kept, wait) if part)


def refusal(request, cluster: Cluster, kind: str) -> Refusal | None:
    """Count a request to the cluster's public pages (PAGES or OPT_OUT); a Refusal when it is over a limit.

    The client's own limit is checked first, and a refused client's requests do not count against
    the whole cluster's: one client alone cannot use up everyone's requests.
    """
    now = time.time()
    for client, (limit, period) in zip((client_address(request), ""), settings.FAMILY_RATE_LIMITS[kind],
                                       strict=True):
        hits, left = RequestCount.hit(kind, str(cluster.pk), client, period, now)
        if hits > limit:
            return Refusal(retry_after=left, whole_cluster=not client, sending=kind == OPT_OUT)
    return None
