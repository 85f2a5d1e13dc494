"""`improvenet invite`: invite a person, or everyone in a file, to a cluster by e-mail.

Only Typer is imported when the command line starts; Django and the invitations are imported when the
command runs, so that `improvenet --help` and the other commands stay fast.
"""

from pathlib import Path
from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

ROLES = ("lead", "member", "researcher", "viewer")


def invite(
    email: Annotated[str | None, typer.Argument(help="The person's e-mail address (leave out with --file).")] = None,
    cluster: Annotated[str, typer.Option("--cluster", "-c", help="The cluster's short name, e.g. riverside.")] = "",
    by: Annotated[str, typer.Option("--by", help="Username of the lead or network admin who invites (in the log "
                                                 "and the e-mail).")] = "",
    name: Annotated[str, typer.Option("--name", help="The person's name, e.g. “Maria Lopez”.")] = "",
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")] = "viewer",
    team: Annotated[str, typer.Option("--team", help="The team a member joins (its name).")] = "",
    school: Annotated[str, typer.Option("--school", help="Where the person works: a school's name, NCES id or "
                                                         "state id.")] = "",
    file: Annotated[Path | None, typer.Option("--file", "-f", exists=True, dir_okay=False, readable=True,
                                              help="A CSV or XLSX file: name, email, role, team, school.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only: send and save nothing.")] = False,
) -> None:
    """Invite people to a cluster: each gets an e-mail with a single-use link that expires (IMPROVENET_INVITATION_DAYS).

    One person: `improvenet invite maria@rusd.example.org --name "Maria Lopez" --role viewer -c riverside --by alice`.
    A file: `improvenet invite --file people.csv -c riverside --by alice`. The file is checked whole first:
    every invitation is sent, or none, and each bad row is named by its line. Exits with status 1 when
    something is refused.
    """
    if (email is None) == (file is None):
        fail("Give one e-mail address, or --file with a CSV or XLSX file of people, not both.")
    if not cluster or not by:
        fail("Say which cluster (--cluster) and who invites (--by, a lead's or network admin's username).")
    if file is None:
        rows = f"name,email,role,team,school\n{_csv_row(name, email, role, team, school)}\n".encode()
        source, filename = rows, "command line"
    else:
        source, filename = file.read_bytes(), file.name
    setup_django()
    _invite(cluster, by, source, filename if file else "command-line.csv", dry_run)


def _csv_row(*cells: str) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue().strip()


def _invite(cluster: str, by: str, source: bytes, filename: str, dry_run: bool) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.http import Http404

    from improvenet.accounts import invitations
    from improvenet.accounts.models import RoleEvent
    from improvenet.accounts.roles import Actor
    from improvenet.measures.upload import UploadFileError
    from improvenet.network.access import in_cluster

    if not settings.IMPROVENET_SITE_URL and not dry_run:
        fail("Set IMPROVENET_SITE_URL (e.g. https://improve.example.org) so that the e-mail's link names the site.")
    user = get_user_model().objects.filter(username=by, is_active=True).first()
    if user is None:
        fail(f"There is no active account named “{by}”.")
    try:
        with in_cluster(user, cluster) as access:
            if not access.can_change:
                fail(f"{by} is not a lead of {access.obj.name} nor an admin of its network: they cannot invite.")
            try:
                checked = invitations.check_file(access.obj, source, filename)
            except UploadFileError as error:
                fail(str(error))
            if not checked.ok:
                for problem in checked.problems:
                    where = f"line {problem.row}: " if filename != "command-line.csv" else ""
                    typer.echo(f"{where}{problem.message}", err=True)
                fail("Nothing was sent." if len(checked.invitations) + len(checked.problems) > 1 else "Nothing sent.")
            if dry_run:
                typer.echo(f"{len(checked.invitations)} invitation(s) checked; nothing sent (dry run).")
                return
            try:
                invitations.invite_all(checked.invitations, Actor(user, RoleEvent.Channel.CLI), invitations.link_base())
            except invitations.MailNotSent as error:
                fail(str(error))
    except Http404:
        fail(f"There is no cluster “{cluster}” that {by} can open.")
    for invitation in checked.invitations:
        typer.echo(f"Sent the invitation to {invitation.email} ({invitation.get_role_display().lower()}), valid until "
                   f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.")
