"""Start Django only for commands that need it, so `--help` and `spc` stay fast."""

import os

import typer


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
    import django

    from improvenet.conf import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as error:
        fail(str(error))


def fail(message: str) -> None:
    """Print a message for the person at the terminal and stop, without a traceback."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def database_label() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings['NAME']}"
    return f"PostgreSQL database {settings['NAME']} on {settings.get('HOST') or 'localhost'}"

