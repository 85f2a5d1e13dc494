"""Receiving a family's opt-out request and handing it to the longitudinal store."""

from django.db import transaction

from improvenet.data import services as data_services
from improvenet.families.models import OptOutRequest, new_reference


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
