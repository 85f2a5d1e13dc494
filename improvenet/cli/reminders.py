"""`improvenet reminders`: e-mail reminders that a scheduler runs."""

from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="E-mail reminders, for a scheduler (cron, a systemd timer) to run.", no_args_is_help=True)


@app.command("send")
def send(
    days: Annotated[int, typer.Option("--days", min=0, max=730,
                                      help="Remind of renewal and expiry dates up to this many days ahead.")] = 90,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Only this cluster (its short name); "
                                                                  "all current clusters when left out.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the e-mails it would send; send and record "
                                                            "nothing.")] = False,
) -> None:
    """E-mail the cluster leads about agreements due for renewal or expiring soon, each date once.

    Covers the partner agreements and the data use agreements of every current cluster. A reminder
    sent once (recorded in the database) is never sent again for the same date. Exits with status 1
    when e-mail is not configured, when an e-mail could not be sent, or when an agreement due has no
    one to send it to; the reminders that could not be sent are tried again on the next run.
    """
    setup_django()
    from django.core.mail import get_connection
    from django.db import IntegrityError
    from django.utils import timezone
    from django_scopes import scope

    from improvenet.network.models import Cluster, current_on
    from improvenet.partners import reminders

    problem = reminders.mail_problem()
    if problem and not dry_run:
        fail(problem)
    clusters = list(Cluster.objects.filter(slug=cluster) if cluster else
                    Cluster.objects.filter(current_on()).order_by("name"))
    if cluster and not clusters:
        fail(f"There is no cluster named “{cluster}”.")
    today = timezone.localdate()
    sent = skipped = failed = 0
    connection = None if dry_run else get_connection(fail_silently=False)
    for each in clusters:
        with scope(cluster=each):
            pending, sent_before = reminders.due(each, today, days)
            skipped += sent_before
            typer.echo(f"{each.name}: {len(pending)} reminder{'' if len(pending) == 1 else 's'} to send, "
                       f"{sent_before} sent before.")
            for due in pending:
                line = f"  {due.subject(today)}"
                if not due.recipients:
                    typer.echo(f"{line}: no cluster lead has an e-mail address; nothing sent.", err=True)
                    failed += 1
                elif dry_run:
                    typer.echo(f"{line} → {', '.join(due.recipients)} (dry run: not sent)")
                    sent += 1
                else:
                    try:
                        reminders.send(due, today, connection)
                    except IntegrityError:  # another run, started at the same time, recorded it first
                        typer.echo(f"{line}: sent by another run at the same time; not sent again.")
                        skipped += 1
                    except OSError as error:  # smtplib's errors are OSErrors, as are refused connections
                        typer.echo(f"{line}: could not be sent: {error}", err=True)
                        failed += 1
                    else:
                        typer.echo(f"{line} → {', '.join(due.recipients)}")
                        sent += 1
    verb = "Would send" if dry_run else "Sent"
    typer.echo(f"{verb} {sent} reminder{'' if sent == 1 else 's'}; {skipped} sent before; {failed} could not be sent.")
    if failed:
        raise typer.Exit(code=1)
