"""Invitations to a cluster: sending, sending again, withdrawing, accepting, and inviting from a file.

A lead (or network admin) invites a person by e-mail with a role and, for a team member, a team. The
e-mail holds a single-use link with a random secret (only its SHA-256 digest is stored) that expires
after `IMPROVENET_INVITATION_DAYS` days. Opening it, the person sets a password, signs in to an account
they already have, or signs in with single sign-on (`claim`, called by improvenet.signin once the
identity provider has vouched for the e-mail address). Accepting links the account to the person's
record in the cluster (made when there is none), grants the role and the team membership, and closes
the invitation. Every step is written to the cluster's log of role changes.

A file of invitations (CSV or XLSX, read like a file of measure data) is checked whole: either every
row is good and every invitation is sent, or nothing is saved and each bad row is named by its line.
"""

import datetime
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.accounts import tokens
from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.accounts.roles import Actor, RoleRefusal, grant, log
from improvenet.measures.upload import RowProblem, UploadFileError, read_table, school_keys
from improvenet.network.models import Cluster, ClusterRole, Membership, Person, School, Team, current_on

# Where the acceptance page keeps the invitation's secret while the person signs in with single sign-on.
SESSION_KEY = "improvenet.invitation"
SECRET_BYTES = 32
Role = ClusterRole.Role


class MailNotSent(Exception):
    """The SMTP server did not take the e-mail; nothing was saved."""


def link_base(request=None) -> str:
    """The site's address for links in e-mails: IMPROVENET_SITE_URL, else the address of the request."""
    if settings.IMPROVENET_SITE_URL or request is None:
        return settings.IMPROVENET_SITE_URL
    return request.build_absolute_uri("/").rstrip("/")


def _new_secret(invitation: Invitation) -> str:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    invitation.digest = tokens.digest(secret)
    invitation.expires_at = timezone.now() + datetime.timedelta(days=settings.IMPROVENET_INVITATION_DAYS)
    return secret


def acceptance_url(secret: str, base: str) -> str:
    return base + reverse("accounts:invitation", args=[secret])


def _message(invitation: Invitation, secret: str, base: str) -> EmailMessage:
    inviter = invitation.invited_by
    by = (inviter.get_full_name() or inviter.get_username()) if inviter else "The cluster's lead"
    team = f", on the team “{invitation.team}”" if invitation.team_id else ""
    body = "\n".join([
        f"Hello {invitation.given_name},",
        "",
        f"{by} invites you to the {invitation.cluster.name} cluster on improvenet, as "
        f"{invitation.get_role_display().lower()}{team}.",
        "",
        "Open this link to accept: you set a password (or sign in with your organization's account) and "
        "arrive in the cluster.",
        "",
        acceptance_url(secret, base),
        "",
        f"The link works once and expires on {timezone.localtime(invitation.expires_at):%B %-d, %Y at %H:%M}. "
        "If you did not expect this invitation, ignore this e-mail.",
    ])
    # One line whatever the names hold: a line break in a header would let a name add headers.
    subject = " ".join(f"Invitation to {invitation.cluster.name} on improvenet".split())
    return EmailMessage(subject, body, to=[invitation.email])


def _refused(error: Exception, email: str) -> MailNotSent:
    return MailNotSent(f"The e-mail to {email} could not be sent ({error}); nothing was saved. Check the e-mail "
                       "settings (IMPROVENET_EMAIL_HOST, docs/settings.md) or try again later.")


def _send(invitation: Invitation, secret: str, base: str, connection=None) -> None:
    message = _message(invitation, secret, base)
    message.connection = connection
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        raise _refused(error, invitation.email) from error
    invitation.sent_at = timezone.now()
    invitation.times_sent += 1


def invite(invitation: Invitation, actor: Actor, base: str, connection=None) -> Invitation:
    """Check, save and e-mail a new invitation (its cluster, names, e-mail, role, team and school set).

    ValidationError names a field that is wrong, Conflict an invitation or a role the address already
    has, MailNotSent a refusal of the SMTP server; in each case nothing is saved.
    """
    with transaction.atomic():
        invitation.email = invitation.email.strip()
        invitation.invited_by = actor.user
        secret = _new_secret(invitation)
        invitation.full_clean(exclude=["digest", "invited_by"], validate_unique=False, validate_constraints=False)
        invitation.check_conflicts()
        _send(invitation, secret, base, connection)
        invitation.save()
        log(invitation.cluster, actor, RoleEvent.Action.INVITED, subject_name=invitation.email,
            after=invitation.role, reason=f"Invited {invitation.full_name}" + (
                f" to the team “{invitation.team}”" if invitation.team_id else ""))
    return invitation


def _require_pending(invitation: Invitation, step: str) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise RoleRefusal("status", f"This invitation was {invitation.get_status_display().lower()}; it cannot be "
                                    f"{step}.")


def resend(invitation: Invitation, actor: Actor, base: str) -> Invitation:
    """Send a pending (or expired) invitation again with a new link and a new expiry; the old link stops working."""
    _require_pending(invitation, "sent again")
    with transaction.atomic():
        secret = _new_secret(invitation)
        _send(invitation, secret, base)
        invitation.save()
        log(invitation.cluster, actor, RoleEvent.Action.RESENT, subject_name=invitation.email, after=invitation.role)
    return invitation


def withdraw(invitation: Invitation, actor: Actor, reason: str = "") -> Invitation:
    _require_pending(invitation, "withdrawn")
    invitation.status = Invitation.Status.WITHDRAWN
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "closed_at"])
    log(invitation.cluster, actor, RoleEvent.Action.WITHDRAWN, subject_name=invitation.email,
        before=invitation.role, reason=reason)
    return invitation


# Accepting ------------------------------------------------------------------------------------


def open_invitation(secret: str) -> Invitation | None:
    """The pending, unexpired invitation a link's secret opens, or None (unknown, used, withdrawn or expired)."""
    if not isinstance(secret, str) or not 20 <= len(secret) <= 100:
        return None
    with scopes_disabled():
        invitation = (Invitation.objects.select_related("cluster", "team", "school", "invited_by")
                      .filter(digest=tokens.digest(secret)).first())
    return invitation if invitation is not None and invitation.is_open else None


def account_for(email: str):
    """The active account that has this e-mail address, if any."""
    return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()


def new_account(invitation: Invitation, password: str | None):
    """An account for the invited address: the e-mail is its username; no usable password when None.

    ValidationError lists what is wrong with the password (the site's password rules).
    """
    users = get_user_model()
    username = invitation.email.lower()
    taken = users.objects.filter(username__iexact=username).exists()
    user = users(username=f"{username}-{secrets.token_hex(3)}" if taken else username, email=invitation.email,
                 first_name=invitation.given_name[:150], last_name=invitation.family_name[:150])
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    return user


def _person_for(invitation: Invitation, user) -> Person:
    people = Person.objects.filter(current_on(), cluster=invitation.cluster, email__iexact=invitation.email)
    person = people.filter(Q(user__isnull=True) | Q(user=user)).order_by("pk").first()
    if person is None:
        person = Person(cluster=invitation.cluster, given_name=invitation.given_name,
                        family_name=invitation.family_name, email=invitation.email)
    person.user = user
    if invitation.school_id and not person.home_organization_id:
        person.home_organization = invitation.school
    person.full_clean()
    person.save()
    return person


def accept(invitation: Invitation, user, channel: str = RoleEvent.Channel.WEB) -> Person:
    """Link the account to its person record, grant the role and the team membership, close the invitation."""
    with transaction.atomic(), scope(cluster=invitation.cluster):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise RoleRefusal("invitation", "This invitation has already been used, withdrawn or has expired.")
        person = _person_for(invitation, user)
        by = invitation.invited_by.get_username() if invitation.invited_by else "the cluster's lead"
        try:
            grant(invitation.cluster, user, invitation.role, Actor(user, channel),
                  reason=f"Accepted the invitation sent by {by}.", action=RoleEvent.Action.ACCEPTED)
        except RoleRefusal:
            pass  # the last lead invited again keeps leading; the invitation still links the person
        if invitation.team_id and not Membership.objects.filter(current_on(), team=invitation.team,
                                                                person=person).exists():
            Membership.objects.create(team=invitation.team, person=person, role="Member",
                                      started_on=timezone.localdate(),
                                      home_organization=invitation.school or person.home_organization)
        invitation.status = Invitation.Status.ACCEPTED
        invitation.closed_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "closed_at", "accepted_by"])
    return person


def claim(request, email: str):
    """Accept the invitation kept in the session for an account signed in with single sign-on.

    improvenet.signin calls it once the identity provider has vouched for `email`. When the invitation
    in `request.session[SESSION_KEY]` is pending, unexpired and for that address (case does not
    matter), it uses the active account with that e-mail or makes one without a usable password,
    accepts the invitation with it (person record, role, team, log) and returns the account; the
    session key is removed either way. Otherwise it returns None.
    """
    secret = request.session.pop(SESSION_KEY, None)
    invitation = open_invitation(secret) if secret else None
    if invitation is None or invitation.email.strip().casefold() != (email or "").strip().casefold():
        return None
    with transaction.atomic():
        user = account_for(invitation.email) or new_account(invitation, None)
        accept(invitation, user, RoleEvent.Channel.WEB)
    return user


# Inviting from a file -------------------------------------------------------------------------

NAME_COLUMNS = ("name", "full_name")
GIVEN_COLUMNS = ("given_name", "first_name")
FAMILY_COLUMNS = ("family_name", "last_name", "surname")
EMAIL_COLUMNS = ("email", "e-mail", "email_address", "e-mail_address")
ROLE_NAMES = {**{value: value for value in Role.values}, **{label.casefold(): value for value, label in Role.choices},
              "member": Role.MEMBER, "team member": Role.MEMBER}
MAX_INVITATIONS = 500


@dataclass
class CheckedInvitations:
    invitations: list[Invitation] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell(cells: dict, names: Iterable[str]) -> str:
    for name in names:
        value = cells.get(name)
        if value is not None and str(value).strip():
            return " ".join(str(value).split())
    return ""


def _names(cells: dict) -> tuple[str, str]:
    given, family = _cell(cells, GIVEN_COLUMNS), _cell(cells, FAMILY_COLUMNS)
    if given or family:
        return given, family
    whole = _cell(cells, NAME_COLUMNS)
    given, _, family = whole.rpartition(" ")
    return (given, family) if given else (whole, "")


def check_file(cluster: Cluster, content: bytes, filename: str) -> CheckedInvitations:
    """Read a file of invitations and check every row, in the cluster's scope; nothing is saved.

    UploadFileError says why the file as a whole cannot be read.
    """
    table = read_table(content, filename, what="a file of invitations")
    if not table:
        raise UploadFileError("The file has a header but no rows of people.")
    if len(table) > MAX_INVITATIONS:
        raise UploadFileError(f"The file has {len(table):,} rows; invite at most {MAX_INVITATIONS} people at once.")
    columns = table[0][1].keys()
    missing = [label for label, names in (("e-mail", EMAIL_COLUMNS), ("role", ("role",))) if not set(names) & columns]
    if not set(NAME_COLUMNS + GIVEN_COLUMNS + FAMILY_COLUMNS) & columns:
        missing.insert(0, "name")
    if missing:
        raise UploadFileError(f"The file has no {' and no '.join(missing)} column; the header row must name "
                              "name, email, role and, where it applies, team and school.")
    teams = {team.name.casefold(): team for team in Team.objects.filter(current_on(), cluster=cluster)}
    schools = School.objects.filter(current_on(), cluster=cluster)
    school_ids = school_keys(schools.values_list("pk", "name", "nces_id", "state_id"))
    school_by_id = {school.pk: school for school in schools}
    pending = set(Invitation.objects.filter(cluster=cluster, status=Invitation.Status.PENDING,
                                            expires_at__gt=timezone.now()).values_list("email", flat=True))
    pending = {email.casefold() for email in pending}
    holders = {email.casefold() for email in ClusterRole.objects.filter(cluster=cluster)
               .values_list("user__email", flat=True) if email}
    checked, first_line = CheckedInvitations(), {}
    for line, cells in table:
        problems = []
        given, family = _names(cells)
        if not given:
            problems.append("the name is missing")
        email = _cell(cells, EMAIL_COLUMNS)
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{email}” is not an e-mail address" if email else "the e-mail address is missing")
        key = email.casefold()
        if key in pending:
            problems.append(f"{email} already has a pending invitation; send it again instead")
        elif key in holders:
            problems.append(f"{email} already holds a role in this cluster")
        elif email and first_line.setdefault(key, line) != line:
            problems.append(f"{email} is invited on line {first_line[key]} already")
        role_text = _cell(cells, ("role",))
        role = ROLE_NAMES.get(role_text.casefold())
        if role is None:
            problems.append(f"the role “{role_text}” is not one of lead, member, researcher, viewer"
                            if role_text else "the role is missing")
        team_text = _cell(cells, ("team",))
        team = teams.get(team_text.casefold()) if team_text else None
        if team_text and team is None:
            problems.append(f"there is no current team “{team_text}” in this cluster")
        elif role == Role.MEMBER and team is None:
            problems.append("a team member needs the team they join (column team)")
        school_text = _cell(cells, ("school",))
        school_id = school_ids.get(school_text.casefold()) if school_text else None
        if school_text and school_id is None:
            problems.append(f"there is no school “{school_text}” in this cluster")
        if problems:
            checked.problems.append(RowProblem(line, "; ".join(problems)))
        else:
            checked.invitations.append(Invitation(
                cluster=cluster, email=email, given_name=given[:100], family_name=family[:100], role=role, team=team,
                school=school_by_id.get(school_id)))
    return checked


def invite_all(invitations: list[Invitation], actor: Actor, base: str) -> None:
    """Save and send every invitation, or none: a refusal of the SMTP server undoes them all."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        raise _refused(error, ", ".join(invitation.email for invitation in invitations[:3])) from error
    try:
        with transaction.atomic():
            for invitation in invitations:
                invite(invitation, actor, base, connection)
    finally:
        connection.close()
