"""API routes of a person's own notifications and digest choice (the token's holder; no cluster in the path)."""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from improvenet.notifications import digest
from improvenet.notifications.access import notification_for_user, own_notifications
from improvenet.notifications.models import Notification
from improvenet.resources import PageParams, RecordId, page_schema, paginate

router = Router(tags=["Notifications"])


class NotificationOut(Schema):
    id: int
    cluster: str = Field(..., description="The short name of the cluster where it happened.")
    kind: str = Field(..., description="cycle_moved, prediction_waiting, vote_opened, idea_adopted or "
                                       "agreement_expiring.")
    text: str
    url: str = Field(..., description="The path of the page it is about.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_cluster(notification: Notification) -> str:
        return notification.cluster.slug


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only the unread notifications.")


class DigestOut(Schema):
    weekly: bool = Field(..., description="Whether the weekly e-mail digest is on.")


class DigestIn(Schema):
    weekly: StrictBool


@router.get("/notifications", response=page_schema(NotificationOut), operation_id="list_notifications",
            summary="List your notifications, the newest first")
def list_notifications(request, filters: Query[NotificationFilters], page: Query[PageParams]):
    with own_notifications(request.auth) as notifications:
        if filters.unread:
            notifications = notifications.filter(read_at__isnull=True)
        return paginate(notifications, page)


@router.post("/notifications/{notification_id}/read", response=NotificationOut, operation_id="read_notification",
             summary="Mark one of your notifications as read")
def read_notification(request, notification_id: RecordId):
    with own_notifications(request.auth) as notifications:
        notification = notification_for_user(notifications, notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return notification


@router.patch("/notifications/digest", response=DigestOut, operation_id="change_digest_choice",
              summary="Turn your weekly e-mail digest on or off")
def change_digest_choice(request, payload: DigestIn):
    return {"weekly": digest.choose(request.auth, payload.weekly).weekly}
