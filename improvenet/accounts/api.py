"""API routes for a cluster's roles, their log, and invitations (the same rules as the pages)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from improvenet.accounts import invitations, roles
from improvenet.accounts.access import invitation_for_user, require_inviter
from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.lib.errors import Conflict
from improvenet.measures.upload import UploadFileError
from improvenet.network import access as acc
from improvenet.network.models import ClusterRole
from improvenet.resources import (
    ClusterResource,
    Error,
    Filters,
    InputErrors,
    PageParams,
    RecordId,
    Text,
    apply_payload,
    page_schema,
    paginate,
)

router = Router(tags=["Roles and invitations"])
ROLES = "/clusters/{cluster}/roles"
INVITATIONS = "/clusters/{cluster}/invitations"
# Optional, so that a caller without the right gets 403/404 before being told the file is missing.
OPTIONAL_FILE = File(None, description="The CSV or XLSX file (multipart/form-data).")
Reason = Field("", max_length=500, description="Why: kept in the cluster's log of role changes.")


def _actor(request) -> roles.Actor:
    return roles.Actor(request.auth, RoleEvent.Channel.API)


# Roles ------------------------------------------------------------------------------------------


class RoleOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    role: ClusterRole.Role
    role_label: str
    since: datetime.datetime = Field(..., description="When the account got a role in this cluster.")
    account_active: bool


def _role_out(held: ClusterRole) -> dict:
    user = held.user
    return {"id": held.pk, "user_id": user.pk, "username": user.get_username(), "name": user.get_full_name(),
            "role": held.role, "role_label": held.get_role_display(), "since": held.created_at,
            "account_active": user.is_active}


class GrantIn(Schema):
    username: Text = Field(..., min_length=1, max_length=150,
                           description="An account linked to one of the cluster's people, without a role here yet.")
    role: ClusterRole.Role
    reason: Text = Reason


class RoleChangeIn(Schema):
    role: ClusterRole.Role
    reason: Text = Reason


class ReasonIn(Schema):
    reason: Text = Reason


class RoleEventOut(Schema):
    id: int
    at: datetime.datetime
    actor: str = Field(..., alias="actor_name")
    channel: str
    action: RoleEvent.Action
    account: str = Field(..., alias="subject_name", description="The account, or the invited e-mail address.")
    role_before: str
    role_after: str
    reason: str


@router.get(ROLES, response=page_schema(RoleOut), operation_id="list_roles", summary="List who holds which role")
def list_roles(request, cluster: Text, page: Query[PageParams]):
    with acc.in_cluster(request.auth, cluster) as access:
        listed = paginate(roles.roles_held(access.obj), page)
        return listed | {"items": [_role_out(held) for held in listed["items"]]}


@router.post(ROLES, response={201: RoleOut}, operation_id="grant_role", summary="Grant a role to an account")
def grant_role(request, cluster: Text, payload: GrantIn):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        cluster_obj = access.require_change()
        user = roles.grantable_accounts(cluster_obj).filter(username=payload.username).first()
        if user is None:
            held = ClusterRole.objects.filter(cluster=cluster_obj, user__username=payload.username).first()
            if held is not None:
                raise Conflict(f"{payload.username} already holds a role here; change it instead.", None)
            raise ValidationError({"username": f"No account “{payload.username}” is linked to a current person of "
                                               "this cluster; invite the person instead."})
        held = roles.grant(cluster_obj, user, payload.role, _actor(request), payload.reason)
        return Status(201, _role_out(held))


@router.get(ROLES + "/{role_id}", response=RoleOut, operation_id="read_role", summary="Read a role")
def read_role(request, cluster: Text, role_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        return _role_out(roles.role_for_user(access, role_id).obj)


@router.patch(ROLES + "/{role_id}", response=RoleOut, operation_id="change_role", summary="Change a role")
def change_role(request, cluster: Text, role_id: RecordId, payload: RoleChangeIn):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        held = roles.role_for_user(access, role_id).require_change()
        return _role_out(roles.grant(access.obj, held.user, payload.role, _actor(request), payload.reason))


@router.post(ROLES + "/{role_id}/revoke", response=RoleEventOut, operation_id="revoke_role",
             summary="Revoke a role: the account loses access to the cluster at once (the log entry is answered)")
def revoke_role(request, cluster: Text, role_id: RecordId, payload: ReasonIn | None = None):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        held = roles.role_for_user(access, role_id).require_change()
        roles.revoke(held, _actor(request), payload.reason if payload else "")
        return RoleEvent.objects.first()


@router.post(ROLES + "/{role_id}/deactivate-account", response=RoleEventOut, operation_id="deactivate_account",
             summary="Deactivate the account (network admins): its sessions and tokens stop working at once")
def deactivate_account(request, cluster: Text, role_id: RecordId, payload: ReasonIn | None = None):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        held = roles.role_for_user(access, role_id).obj
        roles.deactivate(access, held.user, _actor(request), payload.reason if payload else "")
        return RoleEvent.objects.filter(cluster=access.obj).first()


ClusterResource(
    path="role-changes", label="role change", model=RoleEvent, out=RoleEventOut, verbs=("list",),
    require_read=lambda user, access: roles.require_log_reader(access), ordering=["-at", "-id"],
    operation_ids={"list": "list_role_changes"}, summaries={"list": "Read the log of role changes (leads)"},
    tag="Roles and invitations",
).register(router)


# Invitations ------------------------------------------------------------------------------------


class InvitationIn(Schema):
    given_name: Text = Field(..., min_length=1, max_length=100)
    family_name: Text = Field("", max_length=100)
    email: Text = Field(..., min_length=3, max_length=254, description="Where the invitation is sent.")
    role: ClusterRole.Role
    team_id: RecordId | None = Field(None, description="The team the person joins (needed for a team member).")
    school_id: RecordId | None = Field(None, description="The school where the person works.")


class InvitationOut(Schema):
    id: int
    email: str
    given_name: str
    family_name: str
    role: ClusterRole.Role
    team_id: int | None
    school_id: int | None
    status: str = Field(..., alias="state_label", description="Pending, Expired, Accepted or Withdrawn.")
    invited_by: str | None = Field(None, alias="invited_by.username")
    sent_at: datetime.datetime | None
    times_sent: int
    expires_at: datetime.datetime
    closed_at: datetime.datetime | None


class InvitationFilters(Filters):
    status: Invitation.Status | None = None


class BulkOut(Schema):
    count: int
    items: list[InvitationOut]


class BulkRejected(InputErrors):
    pass


def _mail_refused(error: invitations.MailNotSent):
    return Status(503, {"detail": str(error)})


@router.post(INVITATIONS, response={201: InvitationOut, 503: Error}, operation_id="create_invitation",
             summary="Invite a person by e-mail (the e-mail is sent at once)")
def create_invitation(request, cluster: Text, payload: InvitationIn):
    with acc.in_cluster(request.auth, cluster) as access:
        invitation = Invitation(cluster=access.require_change())
        apply_payload(invitation, payload.dict())
        try:
            invitations.invite(invitation, _actor(request), invitations.link_base(request))
        except invitations.MailNotSent as error:
            return _mail_refused(error)
        return Status(201, invitation)


@router.post(INVITATIONS + "/{invitation_id}/resend", response={200: InvitationOut, 503: Error},
             operation_id="resend_invitation", summary="Send an invitation again, with a new link and expiry")
def resend_invitation(request, cluster: Text, invitation_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        invitation = invitation_for_user(access, invitation_id).obj
        try:
            return invitations.resend(invitation, _actor(request), invitations.link_base(request))
        except invitations.MailNotSent as error:
            return _mail_refused(error)


@router.post(INVITATIONS + "/{invitation_id}/withdraw", response=InvitationOut, operation_id="withdraw_invitation",
             summary="Withdraw a pending invitation: its link stops working")
def withdraw_invitation(request, cluster: Text, invitation_id: RecordId, payload: ReasonIn | None = None):
    with acc.in_cluster(request.auth, cluster) as access:
        invitation = invitation_for_user(access, invitation_id).obj
        return invitations.withdraw(invitation, _actor(request), payload.reason if payload else "")


@router.post(INVITATIONS + "/bulk", response={201: BulkOut, 422: BulkRejected, 503: Error},
             operation_id="invite_from_file",
             summary="Invite from a CSV or XLSX file (name, email, role, team, school): all are sent, or none")
def invite_from_file(request, cluster: Text, file: UploadedFile | None = OPTIONAL_FILE):
    with acc.in_cluster(request.auth, cluster) as access:
        cluster_obj = access.require_change()
        if file is None:
            message = "Send the CSV or XLSX file as the multipart/form-data field “file”."
            return Status(422, {"detail": message, "errors": [{"field": "file", "message": message}]})
        try:
            checked = invitations.check_file(cluster_obj, file.file, file.name or "invitations.csv")
        except UploadFileError as error:
            return Status(422, {"detail": str(error), "errors": [{"field": "file", "message": str(error)}]})
        if not checked.ok:
            errors = [{"field": f"row {problem.row}", "message": problem.message} for problem in checked.problems]
            count = len(errors)
            return Status(422, {"detail": f"Nothing was sent: {count} row{'s' if count != 1 else ''} of the file "
                                          f"{'has a problem' if count == 1 else 'have problems'}.", "errors": errors})
        try:
            invitations.invite_all(checked.invitations, _actor(request), invitations.link_base(request))
        except invitations.MailNotSent as error:
            return _mail_refused(error)
        return Status(201, {"count": len(checked.invitations), "items": checked.invitations})


# Registered after `invitations/bulk`, whose last part the address of one invitation would otherwise take.
ClusterResource(
    path="invitations", label="invitation", model=Invitation, out=InvitationOut, filters=InvitationFilters,
    read=invitation_for_user, id_name="invitation_id", verbs=("list", "read"), select_related=["invited_by"],
    require_read=require_inviter, ordering=["-created_at", "-id"], tag="Roles and invitations",
).register(router)
