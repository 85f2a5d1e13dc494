"""Granting, changing and revoking roles in a cluster, and deactivating accounts: every step logged.

The pages, the API and the command line all go through these functions, so that each grant, change
and revocation lands in the cluster's append-only log (`RoleEvent`) with who, when, what and why, and
so that the rule that a cluster keeps at least one lead holds whichever way the change comes.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from improvenet.accounts.models import ApiToken, RoleEvent
from improvenet.lib.errors import FieldRefusal
from improvenet.lib.spreadsheet import safe_row
from improvenet.network.access import NETWORK_ADMIN, Access
from improvenet.network.models import Cluster, ClusterRole, Person, current_on

Role = ClusterRole.Role


class RoleRefusal(FieldRefusal, ValidationError):
    """A role change refused for one reason (the last lead, a deactivation not allowed)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: [message]})
        self.field = field
        self.message_text = message

    def __str__(self) -> str:
        return self.message_text


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and through which channel (web, api, cli)."""

    user: object
    channel: str

    @property
    def name(self) -> str:
        return self.user.get_username() if self.user is not None else "(system)"


def log(cluster: Cluster, actor: Actor, action: str, *, subject=None, subject_name: str = "", before: str = "",
        after: str = "", reason: str = "") -> RoleEvent:
    return RoleEvent.objects.create(
        cluster=cluster, actor=actor.user, actor_name=actor.name, subject=subject,
        subject_name=subject_name or (subject.get_username() if subject is not None else ""),
        action=action, role_before=before, role_after=after, reason=reason.strip(), channel=actor.channel,
    )


def _lock(cluster: Cluster) -> None:
    # Two leads removing each other at once must not both pass the last-lead check.
    Cluster.objects.select_for_update().filter(pk=cluster.pk).first()


def _refuse_last_lead(held: ClusterRole, new_role: str | None) -> None:
    if held.role != Role.LEAD or new_role == Role.LEAD:
        return
    others = ClusterRole.objects.filter(cluster_id=held.cluster_id, role=Role.LEAD, user__is_active=True)
    if not others.exclude(pk=held.pk).exists():
        raise RoleRefusal("role", f"{held.user.get_username()} is the cluster's last lead: make someone else lead "
                                  "first, so that someone can still manage the cluster.")


def roles_held(cluster: Cluster):
    return ClusterRole.objects.filter(cluster=cluster).select_related("user").order_by("role", "user__username")


def role_for_user(access: Access[Cluster], role_id: int) -> Access[ClusterRole]:
    """The access helper for the roles of a cluster: everyone who reads the cluster sees who holds which role."""
    held = roles_held(access.obj).filter(pk=role_id).first() if 0 < role_id < 2**63 else None
    if held is None:
        raise Http404("No such role in this cluster.")
    return Access(held, access.role, access.can_change)


def grantable_accounts(cluster: Cluster):
    """Accounts linked to a current person of the cluster who hold no role in it yet."""
    with_person = Person.objects.filter(current_on(), cluster=cluster, user__isnull=False).values("user_id")
    return get_user_model().objects.filter(pk__in=with_person, is_active=True).exclude(
        cluster_roles__cluster=cluster).order_by("username")


def grant(cluster: Cluster, user, role: str, actor: Actor, reason: str = "",
          action: str = RoleEvent.Action.GRANTED) -> ClusterRole:
    """Give an account a role in the cluster (logged as `action`), or change the one it holds; logged."""
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role; the roles are {', '.join(Role.values)}."})
    if not user.is_active:
        raise RoleRefusal("user", f"The account {user.get_username()} is deactivated.")
    _lock(cluster)
    held = ClusterRole.objects.filter(cluster=cluster, user=user).select_related("user").first()
    if held is None:
        held = ClusterRole.objects.create(cluster=cluster, user=user, role=role)
        log(cluster, actor, action, subject=user, after=role, reason=reason)
        return held
    if held.role != role:
        _refuse_last_lead(held, role)
        before, held.role = held.role, role
        held.save(update_fields=["role"])
        log(cluster, actor, RoleEvent.Action.CHANGED, subject=user, before=before, after=role, reason=reason)
    return held


def revoke(held: ClusterRole, actor: Actor, reason: str = "") -> None:
    """End an account's access to the cluster; its person record, memberships and history stay."""
    _lock(held.cluster)
    _refuse_last_lead(held, None)
    held.delete()
    log(held.cluster, actor, RoleEvent.Action.REVOKED, subject=held.user, before=held.role, reason=reason)


def deactivation_problem(access: Access[Cluster], actor_user, account) -> str | None:
    """Why this network admin may not deactivate the account, or None when they may.

    Only a network admin deactivates an account, only one that belongs to networks they administer alone
    (never their own, never the platform operator's), so that no admin can lock out another network's people.
    """
    if access.role != NETWORK_ADMIN:
        return "Only a network admin deactivates an account; a lead revokes the role in this cluster instead."
    if account.pk == actor_user.pk:
        return "You cannot deactivate your own account."
    if account.is_superuser:
        return "The platform operator's account is deactivated in the admin only."
    if not account.is_active:
        return f"The account {account.get_username()} is already deactivated."
    administered = actor_user.administered_networks.values("pk")
    elsewhere = ClusterRole.objects.filter(user=account).exclude(cluster__network__in=administered)
    if elsewhere.exists() or account.administered_networks.exclude(pk__in=administered).exists():
        return (f"{account.get_username()} also works in a network you do not administer; revoke the role in "
                "this cluster instead.")
    return None


def deactivate(access: Access[Cluster], account, actor: Actor, reason: str = "") -> None:
    """Deactivate an account at once: its sessions and API tokens stop working; its records stay."""
    problem = deactivation_problem(access, actor.user, account)
    if problem:
        raise PermissionDenied(problem)
    account.is_active = False
    account.save(update_fields=["is_active"])
    # Sessions end by themselves (an inactive account is signed out on its next request); tokens are
    # revoked too, so that turning the account on again does not bring old scripts back.
    for token in ApiToken.objects.filter(user=account, revoked_at__isnull=True):
        token.revoke()
    clusters = Cluster.objects.filter(Q(roles__user=account) | Q(pk=access.obj.pk)).distinct()
    for cluster in clusters:
        held = ClusterRole.objects.filter(cluster=cluster, user=account).values_list("role", flat=True).first()
        log(cluster, actor, RoleEvent.Action.DEACTIVATED, subject=account, before=held or "", reason=reason)


LOG_COLUMNS = ["at", "by", "channel", "action", "account", "role_before", "role_after", "reason"]


def log_csv(events) -> str:
    """The log as CSV, every cell formula-safe (improvenet.lib.spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LOG_COLUMNS)
    for event in events:
        writer.writerow(safe_row((event.at.isoformat(), event.actor_name, event.channel, event.action,
                                  event.subject_name, event.role_before, event.role_after, event.reason)))
    return out.getvalue()


def require_log_reader(access: Access[Cluster]) -> None:
    if not access.can_change:
        raise PermissionDenied("The log of role changes is for the cluster's leads and network admins.")
