"""Start Django only for commands that need it, so `--help` and `spc` stay fast."""

import os

import typer


def setup_django(needs_tables: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
    import django
    from django.apps import apps

    from improvenet.conf import ConfigurationError

    # Once only: django.setup() also configures logging again, which would bind the console handler to
    # whatever sys.stderr is at that moment (a test runner's captured stream, closed after the command).
    if not apps.ready:
        try:
            django.setup()
        except ConfigurationError as error:
            fail(str(error))
    if needs_tables:
        _require_migrated_database()


def _require_migrated_database() -> None:
    """Say that the tables are missing, instead of failing on the first query that needs one."""
    from django.db import DatabaseError, connection

    try:
        tables = connection.introspection.table_names()
    except DatabaseError as error:
        fail(f"Cannot open the {database_label()}: {error}".rstrip())
    if "django_migrations" not in tables:
        fail(f"The {database_label()} has no tables yet. Run `improvenet migrate` first.")


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

