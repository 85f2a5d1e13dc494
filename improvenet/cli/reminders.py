"""`improvenet reminders`: e-mail reminders that a scheduler runs."""

import typer

app = typer.Typer(help="E-mail reminders, for a scheduler (cron, a systemd timer) to run.", no_args_is_help=True)
