"""Commands that run the site: serve, migrate, demo, and a pass-through to Django's commands."""

from typing import Annotated

import typer

from improvenet.cli.django_setup import database_label, fail, setup_django


def migrate(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when all goes well.")] = False,
) -> None:
    """Create or update the database tables (safe to run again)."""
    setup_django(needs_tables=False)
    from django.core.management import call_command

    if not quiet:
        typer.echo(f"Migrating the {database_label()}")
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the generator: the same seed gives the same demo.")] = 2026,
    student_data: Annotated[bool, typer.Option(
        help="Also load six synthetic school years of Riverside's students into Riverside's analytics store "
             "(in the folder IMPROVENET_ANALYTICS_STORE); takes about half a minute.")] = True,
) -> None:
    """Load the demo network (two clusters, schools, teams, people and accounts) into the database."""
    setup_django(needs_tables=False)
    from django.core.management import call_command

    from improvenet.data.services import DataSetupError, store_folder
    from improvenet.demo import DEMO_PASSWORD, DemoAlreadyLoaded, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    try:
        summary = load_demo(seed=seed, progress=lambda message: typer.echo(f"  {message}"),
                            student_data_stores=store_folder() if student_data else None)
    except DemoAlreadyLoaded as loaded:
        typer.echo(f"{loaded} Keeping the data that is there.")
        return
    except DataSetupError as error:
        fail(f"{error} Or leave the student data out: improvenet demo --no-student-data.")
    typer.echo(f"Loaded the demo into the {database_label()}.")
    typer.echo(f"Demo accounts (password “{DEMO_PASSWORD}”):")
    for username, description, cluster in summary.accounts:
        typer.echo(f"  {username:<8} {description} ({cluster})")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Requests handled at once.")] = 8,
    trusted_proxy: Annotated[str | None, typer.Option(
        help="The address of the reverse proxy in front of the server, e.g. 127.0.0.1: the client's address is "
             "then read from the X-Forwarded-For header the proxy adds (the family pages' rate limits count "
             "by it).")] = None,
) -> None:
    """Serve the site and the HTTP API (refuses to start without a secret key outside demo mode)."""
    from improvenet.conf import ConfigurationError, ensure_secret_for_serving

    try:
        ensure_secret_for_serving()
    except ConfigurationError as error:
        fail(str(error))
    setup_django()
    import waitress
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail(f"The {database_label()} is not up to date. Run `improvenet migrate` first.")
    typer.echo(f"Serving improvenet at http://{host}:{port}/ from the {database_label()} (Ctrl-C stops it)")
    # Without a trusted proxy, waitress ignores X-Forwarded-For: anyone could send one.
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for"}} if trusted_proxy else {}
    waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="improvenet", **proxy)


def manage(ctx: typer.Context) -> None:
    """Run any of Django's management commands, for example `improvenet manage createsuperuser`."""
    setup_django(needs_tables=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["improvenet manage", *ctx.args])
