"""Permission rows for notifications (see tests/permission_table.py).

Each signed-in person reads their own notifications and digest choice; alice's notification is hers
alone (404 for everyone else); the unsubscribe link needs no sign-in, only its signature.
"""

from django.contrib.auth import get_user_model

from improvenet.network.models import Cluster
from improvenet.notifications.digest import unsubscribe_token
from improvenet.notifications.models import Notification
from tests.permission_table import API_SIGNED_IN, PUBLIC, SIGNED_IN, Action

SIGNED_IN_POST = (302, 302, 302, 302, 302, 302, 302)
ALICE_ONLY_POST = (302, 302, 404, 404, 404, 404, 404)
API_ALICE_ONLY = (401, 200, 404, 404, 404, 404, 404)


def demo_ids() -> dict:
    alice = get_user_model().objects.get(username="alice")
    notification = Notification.objects.create(
        cluster=Cluster.objects.get(slug="riverside"), recipient=alice, kind="vote_opened",
        text="Permission test: a vote opened.", url="/clusters/riverside/", key="permission-test")
    return {"notification": notification.pk, "unsubscribe_token": unsubscribe_token(alice)}


def rows(ids) -> dict[str, Action]:
    n, token = ids["notification"], ids["unsubscribe_token"]
    return {
        "notifications": Action("GET", "/notifications/", SIGNED_IN),
        "open a notification": Action("POST", f"/notifications/{n}/open/", ALICE_ONLY_POST),
        "mark all notifications read": Action("POST", "/notifications/read-all/", SIGNED_IN_POST),
        "digest choice form": Action("GET", "/notifications/digest/", SIGNED_IN),
        "choose the digest": Action("POST", "/notifications/digest/", SIGNED_IN_POST, {"weekly": "on"}),
        "unsubscribe page": Action("GET", f"/notifications/unsubscribe/{token}/", PUBLIC),
        "unsubscribe": Action("POST", f"/notifications/unsubscribe/{token}/", PUBLIC),
        "api list notifications": Action("GET", "/api/notifications", API_SIGNED_IN),
        "api read a notification": Action("POST", f"/api/notifications/{n}/read", API_ALICE_ONLY),
        "api change the digest choice": Action("PATCH", "/api/notifications/digest", API_SIGNED_IN, {"weekly": True}),
    }
