from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from improvenet.accounts import invitations, roles
from improvenet.accounts.access import invitation_for_user
from improvenet.accounts.forms import BulkInvitationForm, GrantForm, InvitationForm, PasswordForm, ReasonForm, RoleForm
from improvenet.accounts.models import ApiToken, Invitation, RoleEvent
from improvenet.lib.errors import Conflict
from improvenet.measures.upload import UploadFileError
from improvenet.network.access import NETWORK_ADMIN
from improvenet.pages import cluster_page, form_page, posted, render_cluster


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?", max_length=100,
        help_text="For example “weekly upload notebook”. You can revoke it at any time.",
    )


def token_for_user(user, token_id: int) -> ApiToken:
    """The access helper for tokens: a user reads and revokes only their own."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token


@login_required
def tokens_page(request):
    form = NewTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _, new_secret = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = NewTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    status = 422 if form.errors else 200
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret}, status=status
    )


@require_POST
@login_required
def token_revoke(request, token_id: int):
    token = token_for_user(request.user, token_id)
    token.revoke()
    messages.success(request, f"Revoked the token “{token.name}”. Scripts using it can no longer sign in.")
    return redirect("accounts:tokens")


# Roles of a cluster ----------------------------------------------------------------------------


def _roles_url(access) -> str:
    return reverse("accounts:roles", args=[access.obj.slug])


@cluster_page
def roles_page(request, access):
    cluster = access.obj
    held = list(roles.roles_held(cluster))
    context = {
        "held": held,
        "is_network_admin": access.role == NETWORK_ADMIN,
        "can_grant": access.can_change and roles.grantable_accounts(cluster).exists(),
        "pending": Invitation.objects.filter(status=Invitation.Status.PENDING).count() if access.can_change else 0,
    }
    return render_cluster(request, access, "accounts/roles.html", context)


def _act(request, form, title: str, cancel_url: str, action, done: str, **context):
    """A small form page whose valid post runs `action(cleaned_data)` in one transaction, then goes back."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                action(form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, " ".join(refusal.messages))
        else:
            messages.success(request, done)
            return redirect(cancel_url)
    return form_page(request, form, title=title, cancel_url=cancel_url, **context)


@cluster_page
def role_grant(request, access):
    cluster = access.require_change()
    form = GrantForm(posted(request), accounts=roles.grantable_accounts(cluster))
    actor = roles.Actor(request.user, RoleEvent.Channel.WEB)
    return _act(request, form, "Grant a role", _roles_url(access),
                lambda data: roles.grant(cluster, data["user"], data["role"], actor, data["reason"]),
                "Granted the role.", submit_label="Grant the role")


@cluster_page
def role_change(request, access, role_id: int):
    held = roles.role_for_user(access, role_id).require_change()
    form = RoleForm(posted(request), initial={"role": held.role})
    actor = roles.Actor(request.user, RoleEvent.Channel.WEB)
    return _act(request, form, f"Change the role of {held.user.get_username()}", _roles_url(access),
                lambda data: roles.grant(access.obj, held.user, data["role"], actor, data["reason"]),
                f"Changed the role of {held.user.get_username()}.", submit_label="Change the role")


@cluster_page
def role_revoke(request, access, role_id: int):
    held = roles.role_for_user(access, role_id).require_change()
    actor = roles.Actor(request.user, RoleEvent.Channel.WEB)
    name = held.user.get_username()
    return _act(request, ReasonForm(posted(request)), f"Revoke the role of {name}", _roles_url(access),
                lambda data: roles.revoke(held, actor, data["reason"]),
                f"{name} no longer has access to {access.obj}; their records and history stay.",
                submit_label="Revoke the role",
                intro=f"{name} ({held.get_role_display()}) loses access to this cluster at once, on every device "
                      "and API token. Their person record, team memberships and everything they wrote stay.")


@cluster_page
def account_deactivate(request, access, role_id: int):
    held = roles.role_for_user(access, role_id).obj
    problem = roles.deactivation_problem(access, request.user, held.user)
    if problem:
        raise PermissionDenied(problem)
    actor = roles.Actor(request.user, RoleEvent.Channel.WEB)
    name = held.user.get_username()
    return _act(request, ReasonForm(posted(request)), f"Deactivate the account {name}", _roles_url(access),
                lambda data: roles.deactivate(access, held.user, actor, data["reason"]),
                f"Deactivated the account {name}: it is signed out everywhere and its API tokens are revoked.",
                submit_label="Deactivate the account",
                intro=f"{name} can no longer sign in to any cluster: open sessions end and API tokens stop working "
                      "at once. Their records and history stay.")


def _log_events(access):
    roles.require_log_reader(access)
    return RoleEvent.objects.all()


@cluster_page
def role_log(request, access):
    events = _log_events(access)[:500]
    return render_cluster(request, access, "accounts/role_log.html", {"events": events})


@cluster_page
def role_log_csv(request, access):
    response = HttpResponse(roles.log_csv(_log_events(access)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.obj.slug}-role-log.csv"'
    return response


# Invitations -----------------------------------------------------------------------------------


def _invitations_url(access) -> str:
    return reverse("accounts:invitations", args=[access.obj.slug])


@cluster_page
def invitations_page(request, access):
    access.require_change()
    listed = Invitation.objects.select_related("team", "school", "invited_by")[:300]
    pending = [invitation for invitation in listed if invitation.status == Invitation.Status.PENDING]
    closed = [invitation for invitation in listed if invitation.status != Invitation.Status.PENDING]
    return render_cluster(request, access, "accounts/invitations.html", {"pending": pending, "closed": closed})


@cluster_page
def invitation_new(request, access):
    cluster = access.require_change()
    form = InvitationForm(posted(request), instance=Invitation(cluster=cluster))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite(form.save(commit=False), roles.Actor(request.user, RoleEvent.Channel.WEB),
                                            invitations.link_base(request))
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        except invitations.MailNotSent as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Sent the invitation to {invitation.email}.")
            return redirect(_invitations_url(access))
    return form_page(request, form, title="Invite a person", cancel_url=_invitations_url(access),
                     submit_label="Send the invitation",
                     intro="The person gets an e-mail with a link that works once and expires after "
                           f"{settings.IMPROVENET_INVITATION_DAYS} days.")


@cluster_page
def invitation_bulk(request, access):
    cluster = access.require_change()
    form = BulkInvitationForm(posted(request), request.FILES if request.method == "POST" else None)
    checked, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = invitations.check_file(cluster, upload.file, upload.name)
            if checked.ok:
                invitations.invite_all(checked.invitations, roles.Actor(request.user, RoleEvent.Channel.WEB),
                                       invitations.link_base(request))
        except (UploadFileError, invitations.MailNotSent) as error:
            form.add_error("file", str(error))
        else:
            if checked.ok:
                messages.success(request, f"Sent {len(checked.invitations)} invitations.")
                return redirect(_invitations_url(access))
    if form.errors or (checked and not checked.ok):
        status = 422
    return render_cluster(request, access, "accounts/invitation_bulk.html",
                          {"form": form, "checked": checked}, status=status)


@require_POST
@cluster_page
def invitation_resend(request, access, invitation_id: int):
    invitation = invitation_for_user(access, invitation_id).obj
    try:
        invitations.resend(invitation, roles.Actor(request.user, RoleEvent.Channel.WEB), invitations.link_base(request))
    except (ValidationError, invitations.MailNotSent) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Sent the invitation to {invitation.email} again; the earlier link no longer works.")
    return redirect(_invitations_url(access))


@require_POST
@cluster_page
def invitation_withdraw(request, access, invitation_id: int):
    invitation = invitation_for_user(access, invitation_id).obj
    try:
        invitations.withdraw(invitation, roles.Actor(request.user, RoleEvent.Channel.WEB))
    except ValidationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Withdrew the invitation of {invitation.email}; its link no longer works.")
    return redirect(_invitations_url(access))


# Accepting an invitation (the page anyone with the link opens) --------------------------------

def sso_configured() -> bool:
    """Whether a single sign-on provider is configured (improvenet.signin, docs/sign-in.md)."""
    return settings.SIGNIN_OIDC is not None


def sso_start_url() -> str:
    return reverse("signin:oidc-start")


def _accepted(request, invitation) -> HttpResponse:
    messages.success(request, f"Welcome to {invitation.cluster.name}: you are {invitation.get_role_display().lower()}.")
    return redirect("network:cluster", invitation.cluster.slug)


def invitation_accept(request, secret: str):
    invitation = invitations.open_invitation(secret)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user
    context = {"invitation": invitation, "secret": secret, "sso": sso_configured()}
    if user.is_authenticated:
        if user.email.strip().casefold() != invitation.email.strip().casefold():
            return render(request, "accounts/invitation.html", context | {"mode": "other-account"})
        if request.method == "POST":
            invitations.accept(invitation, user)
            return _accepted(request, invitation)
        return render(request, "accounts/invitation.html", context | {"mode": "accept"})
    if invitations.account_for(invitation.email) is not None:
        login_url = f"{reverse('signin:login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation.html", context | {"mode": "sign-in", "login_url": login_url})
    form = PasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = invitations.new_account(invitation, form.cleaned_data["password"])
                invitations.accept(invitation, user)
        except ValidationError as error:
            form.add_error("password", error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return _accepted(request, invitation)
    status = 422 if form.errors else 200
    return render(request, "accounts/invitation.html", context | {"mode": "password", "form": form}, status=status)


@require_POST
def invitation_sso(request, secret: str):
    """Keep the invitation in the session and go to the identity provider (improvenet.signin claims it after)."""
    if invitations.open_invitation(secret) is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    request.session[invitations.SESSION_KEY] = secret
    return redirect(sso_start_url())
