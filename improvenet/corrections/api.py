"""API routes of corrections: read a record's withdrawal and its history, withdraw it, restore it.

`kind` names the kind of record (`cycles`, `measure-values`, `engagement-inputs`,
`partnership-assessments`); a withdrawn record is left out of every list, chart, evidence rule and
metric until it is restored. Withdrawing without a reason, or restoring a record that counts, answers 422.
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema

from improvenet.corrections import services
from improvenet.corrections.kinds import CANNOT_CORRECT, KINDS, kind_named
from improvenet.data.models import AuditEvent
from improvenet.network.access import in_cluster
from improvenet.resources import RecordId, Text

router = Router(tags=["Corrections"])

KindName = Literal[tuple(KINDS)]


class CorrectionOut(Schema):
    action: str = Field(..., description="withdrawn or restored.")
    reason: str
    by: str | None
    at: datetime.datetime


class WithdrawalOut(Schema):
    kind: str
    record_id: int
    record: str
    withdrawn_at: datetime.datetime | None = Field(..., description="Null while the record counts.")
    withdrawn_by: str | None
    withdrawal_reason: str
    history: list[CorrectionOut] = Field(..., description="Every withdrawal and restoration, the latest first.")


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, description="Why; shown with the record.")


ITEM = "/clusters/{cluster}/corrections/{kind}/{record_id}"


def _state(kind, record) -> dict:
    return {
        "kind": kind.slug, "record_id": record.pk, "record": str(record), "withdrawn_at": record.withdrawn_at,
        "withdrawn_by": record.withdrawn_by.get_username() if record.withdrawn_by else None,
        "withdrawal_reason": record.withdrawal_reason,
        "history": [{"action": c.action, "reason": c.reason, "by": c.by.get_username() if c.by else None, "at": c.at}
                    for c in services.history(kind, record)],
    }


@router.get(ITEM, response=WithdrawalOut, operation_id="read_withdrawal",
            summary="Whether a record is withdrawn, by whom and why, with its corrections")
def read_withdrawal(request, cluster: Text, kind: KindName, record_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        found_kind = kind_named(kind)
        return _state(found_kind, found_kind.find(request.auth, access, record_id).obj)


def _correct(act):
    def route(request, cluster: Text, kind: KindName, record_id: RecordId, payload: ReasonIn):
        with in_cluster(request.auth, cluster) as access:
            found_kind = kind_named(kind)
            found = found_kind.find(request.auth, access, record_id)
            if not found.can_change:
                raise PermissionDenied(CANNOT_CORRECT)
            act(found_kind, found.obj, request.auth, access, payload.reason, AuditEvent.Channel.API)
            return _state(found_kind, found.obj)

    return route


router.post(ITEM + "/withdraw", response=WithdrawalOut, operation_id="withdraw_record",
            summary="Withdraw a record entered by mistake, with a reason (kept, never deleted)")(
    _correct(services.withdraw))
router.post(ITEM + "/restore", response=WithdrawalOut, operation_id="restore_record",
            summary="Restore a withdrawn record, with a reason")(_correct(services.restore))
