"""Withdrawing and restoring a record: the record's own method, its correction history and the audit trail,
in one transaction. Pages and API routes call these after checking who may correct the record."""

from django.db import transaction

from improvenet.corrections.kinds import Kind
from improvenet.corrections.models import Correction
from improvenet.data.services import audit


def _record(kind: Kind, record, action: str, user, access, reason: str, channel: str) -> Correction:
    label = str(record)[:300]
    audit(user, access, channel=channel, action=f"{action} {kind.label}", agreement=None,
          detail={"kind": kind.slug, "record_id": record.pk, "record": label, "reason": reason.strip()})
    return Correction.objects.create(cluster=access.obj, kind=kind.slug, record_id=record.pk, record_label=label,
                                     action=action, reason=reason.strip(), by=user)


def withdraw(kind: Kind, record, user, access, reason: str, channel: str) -> Correction:
    with transaction.atomic():
        record.withdraw(user, reason)
        return _record(kind, record, Correction.Action.WITHDRAWN, user, access, reason, channel)


def restore(kind: Kind, record, user, access, reason: str, channel: str) -> Correction:
    with transaction.atomic():
        record.restore(reason)
        return _record(kind, record, Correction.Action.RESTORED, user, access, reason, channel)


def history(kind: Kind, record) -> list[Correction]:
    return list(Correction.objects.filter(kind=kind.slug, record_id=record.pk).select_related("by"))
