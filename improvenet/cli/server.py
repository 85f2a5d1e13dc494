"""Commands that run the site: serve, migrate, demo, and a pass-through to Django's commands."""

import contextlib
import os
import signal
import socket
import time
import traceback
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
    processes: Annotated[int | None, typer.Option(
        min=1, help="Server processes, sharing the port: each uses one core. The default is the number of cores "
                    "the server may use.")] = None,
    threads: Annotated[int, typer.Option(min=1, help="Requests each process handles at once.")] = 8,
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
    from django.db import connection, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.urls import get_resolver

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail(f"The {database_label()} is not up to date. Run `improvenet migrate` first.")
    application = get_wsgi_application()
    # Every app's pages and the API, loaded now rather than on the first request.
    for pattern in get_resolver().url_patterns:
        getattr(pattern, "url_patterns", None)
    # Each process opens its own connections: one opened here would be shared by the processes forked below.
    connections.close_all()
    # Without a trusted proxy, waitress ignores X-Forwarded-For: anyone could send one.
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for"}} if trusted_proxy else {}
    options = {"threads": threads, "ident": "improvenet", **proxy}
    processes = processes or _cores()
    if processes > 1 and not hasattr(os, "fork"):
        fail("Several server processes need a system that can fork them (Linux, macOS): use --processes 1.")
    try:
        listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as error:
        fail(f"Cannot listen on {host}:{port}: {error.strerror or error}.")
    count = f"{processes} processes × {threads} threads" if processes > 1 else f"{threads} threads"
    typer.echo(f"Serving improvenet at http://{host}:{port}/ from the {database_label()} with {count} "
               "(Ctrl-C stops it)")
    if processes == 1:
        waitress.serve(application, sockets=[listener], **options)
    else:
        _serve_in_processes(processes, lambda: waitress.serve(application, sockets=[listener], **options))


def _serve_in_processes(count: int, serve_one) -> None:
    """Fork `count` processes that each run `serve_one()`, and keep that many running until stopped.

    The processes are forked once the application is loaded, so each starts ready; they accept
    connections from one listening socket, and the kernel hands each connection to one of them.
    SIGTERM or Ctrl-C stops them all; a process that ends on its own is replaced.
    """
    children: set[int] = set()
    stopping = False

    def start() -> int:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            code = 0
            try:
                serve_one()
            except BaseException:  # noqa: BLE001  (the child never returns into the parent's code)
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        if stopping:  # stopped while it was being forked
            os.kill(pid, signal.SIGTERM)
        return pid

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children.update(start() for _ in range(count))
    while children:
        pid, status = os.wait()
        children.discard(pid)
        if not stopping:
            typer.echo(f"Server process {pid} ended ({_how(status)}); starting another.", err=True)
            time.sleep(1)  # a process that cannot start must not be restarted in a tight loop
            children.add(start())


def _cores() -> int:
    """The cores this process may run on (a container's share, where the system says it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def manage(ctx: typer.Context) -> None:
    """Run any of Django's management commands, for example `improvenet manage createsuperuser`."""
    setup_django(needs_tables=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["improvenet manage", *ctx.args])
