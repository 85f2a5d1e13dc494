"""Permission rows for the roles and invitations of a cluster, and the invitation acceptance page."""

import datetime
import secrets

from django.utils import timezone

from improvenet.accounts import tokens
from improvenet.accounts.models import Invitation
from improvenet.network.models import Cluster, ClusterRole
from tests.permission_table import (
    ADMIN_FORM,
    ADMIN_POST,
    API_CHANGE,
    API_CREATE,
    API_LEAD_READ,
    API_READ,
    LEAD_POST_EMPTY,
    LEAD_READ,
    PUBLIC,
    RIVERSIDE_CHANGE_FORM,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    secret = secrets.token_urlsafe(32)
    Invitation.objects.create(cluster=riverside, email="open.link@example.org", given_name="Open", family_name="Link",
                              role="viewer", digest=tokens.digest(secret),
                              expires_at=timezone.now() + datetime.timedelta(days=7))
    return {
        "vera_role": ClusterRole.objects.get(cluster=riverside, user__username="vera").pk,
        "invitation": Invitation.objects.filter(cluster=riverside, status="pending").order_by("pk").first().pk,
        "invitation_secret": secret,
    }


def rows(ids) -> dict[str, Action]:
    c, role, invitation = "/clusters/riverside", ids["vera_role"], ids["invitation"]
    link = f"/accounts/invitations/{ids['invitation_secret']}/"
    new_person = {"given_name": "Permission", "family_name": "Test", "email": "permission.test@example.org",
                  "role": "viewer"}
    return {
        "roles page": Action("GET", f"{c}/roles/", RIVERSIDE_READ),
        "grant role form": Action("GET", f"{c}/roles/grant/", RIVERSIDE_CHANGE_FORM),
        "grant role": Action("POST", f"{c}/roles/grant/", LEAD_POST_EMPTY, {}),
        "change role form": Action("GET", f"{c}/roles/{role}/change/", RIVERSIDE_CHANGE_FORM),
        "change role": Action("POST", f"{c}/roles/{role}/change/", RIVERSIDE_CHANGE_POST, {"role": "researcher"}),
        "revoke role form": Action("GET", f"{c}/roles/{role}/revoke/", RIVERSIDE_CHANGE_FORM),
        "revoke role": Action("POST", f"{c}/roles/{role}/revoke/", RIVERSIDE_CHANGE_POST, {"reason": "test"}),
        "deactivate account form": Action("GET", f"{c}/roles/{role}/deactivate-account/", ADMIN_FORM),
        "deactivate account": Action("POST", f"{c}/roles/{role}/deactivate-account/", ADMIN_POST, {}),
        "role log": Action("GET", f"{c}/roles/log/", LEAD_READ),
        "role log csv": Action("GET", f"{c}/roles/log.csv", LEAD_READ),
        "invitations page": Action("GET", f"{c}/invitations/", LEAD_READ),
        "new invitation form": Action("GET", f"{c}/invitations/new/", RIVERSIDE_CHANGE_FORM),
        "send invitation": Action("POST", f"{c}/invitations/new/", RIVERSIDE_CHANGE_POST, new_person),
        "bulk invitation form": Action("GET", f"{c}/invitations/bulk/", RIVERSIDE_CHANGE_FORM),
        "bulk invitation without a file": Action("POST", f"{c}/invitations/bulk/", LEAD_POST_EMPTY, {}),
        "resend invitation": Action("POST", f"{c}/invitations/{invitation}/resend/", RIVERSIDE_CHANGE_POST, {}),
        "withdraw invitation": Action("POST", f"{c}/invitations/{invitation}/withdraw/", RIVERSIDE_CHANGE_POST, {}),
        # Anyone with the link: the password form for visitors, "another address" for the signed-in users.
        "invitation link": Action("GET", link, PUBLIC),
        "accept invitation with an empty form": Action("POST", link, (422, 200, 200, 200, 200, 200, 200), {}),
        "invitation by single sign-on": Action("POST", f"{link}sso/", (302,) * 7, {}),
        # API
        "api roles": Action("GET", f"/api{c}/roles", API_READ),
        # bob holds a role already: a grant is a change, made with PATCH.
        "api grant role": Action("POST", f"/api{c}/roles", (401, 409, 403, 403, 403, 404, 409),
                                 {"username": "bob", "role": "viewer"}),
        "api role": Action("GET", f"/api{c}/roles/{role}", API_READ),
        "api change role": Action("PATCH", f"/api{c}/roles/{role}", API_CHANGE, {"role": "researcher"}),
        "api revoke role": Action("POST", f"/api{c}/roles/{role}/revoke", API_CHANGE, {}),
        "api deactivate account": Action("POST", f"/api{c}/roles/{role}/deactivate-account",
                                         (401, 403, 403, 403, 403, 404, 200), {}),
        "api role changes": Action("GET", f"/api{c}/role-changes", API_LEAD_READ),
        "api invitations": Action("GET", f"/api{c}/invitations", API_LEAD_READ),
        "api invitation": Action("GET", f"/api{c}/invitations/{invitation}", API_LEAD_READ),
        "api create invitation": Action("POST", f"/api{c}/invitations", API_CREATE, new_person),
        "api resend invitation": Action("POST", f"/api{c}/invitations/{invitation}/resend", API_LEAD_READ, {}),
        "api withdraw invitation": Action("POST", f"/api{c}/invitations/{invitation}/withdraw", API_LEAD_READ, {}),
        "api invite from a file without a file": Action("POST", f"/api{c}/invitations/bulk",
                                                        (401, 422, 403, 403, 403, 404, 422), {}),
    }
