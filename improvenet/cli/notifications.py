"""`improvenet notifications`: the weekly e-mail digest of notifications, for a scheduler to run."""

from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="Notifications: the weekly e-mail digest, for a scheduler (cron, a systemd timer) to run.",
                  no_args_is_help=True)


@app.command("send")
def send(
    agreement_days: Annotated[int, typer.Option(
        "--agreement-days", min=0, max=730,
        help="Notify the cluster leads of agreement renewal and expiry dates up to this many days ahead.")] = 30,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the digests it would send; send and record "
                                                            "nothing.")] = False,
) -> None:
    """Notify expiring agreements, then e-mail each person who chose the weekly digest what is new for them.

    Run it once a week (a person is sent at most one digest in six and a half days, however often it
    runs). A digest carries the notifications not yet read nor e-mailed, each once: the notifications it
    carries are marked when the mail server accepts it. People without an e-mail address, or with nothing
    new, are skipped. Exits with status 1 when e-mail is not configured or a digest could not be sent
    (those notifications are carried by the next run).
    """
    setup_django()
    from django.core.mail import get_connection
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scope

    from improvenet.network.models import Cluster, current_on
    from improvenet.notifications import digest, events
    from improvenet.partners.reminders import mail_problem

    problem = mail_problem()
    if problem and not dry_run:
        fail(problem)
    now, today = timezone.now(), timezone.localdate()
    sent = skipped = failed = 0
    # A dry run does everything in a transaction it rolls back: the list is what a real run would send.
    with transaction.atomic():
        for cluster in Cluster.objects.filter(current_on()).order_by("name"):
            with scope(cluster=cluster):
                added = events.agreements_expiring(cluster, today, agreement_days)
            if added:
                typer.echo(f"{cluster.name}: {added} new notification{'s' if added != 1 else ''} of expiring "
                           "agreements.")
        connection = None if dry_run else get_connection(fail_silently=False)
        for each in digest.due(now):
            line = f"  {each.user.get_username()} <{each.user.email}>: {len(each.notifications)} notification" \
                   f"{'s' if len(each.notifications) != 1 else ''}"
            if dry_run:
                typer.echo(f"{line} (dry run: not sent)")
                sent += 1
                continue
            try:
                with transaction.atomic():
                    carried = digest.send(each, now, connection)
            except OSError as error:  # smtplib's errors are OSErrors, as are refused connections
                typer.echo(f"{line}: could not be sent: {error}", err=True)
                failed += 1
            else:
                if carried:
                    typer.echo(line)
                    sent += 1
                else:
                    typer.echo(f"{line}: sent by another run at the same time; not sent again.")
                    skipped += 1
        if dry_run:
            transaction.set_rollback(True)
    verb = "Would send" if dry_run else "Sent"
    typer.echo(f"{verb} {sent} digest{'' if sent == 1 else 's'}; {skipped} sent by another run; "
               f"{failed} could not be sent.")
    if failed:
        raise typer.Exit(code=1)
