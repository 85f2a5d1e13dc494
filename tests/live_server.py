"""A real improvenet server (the `improvenet` command in a subprocess) with the demo, for the browser and
load tests.

The server gets its own database: a SQLite file, or a fresh database on the PostgreSQL server the
suite runs against, so a test sees exactly what a user of `make demo` sees, served by waitress as in
production.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

COMMAND = [sys.executable, "-m", "improvenet.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_admin_url() -> str | None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return None
    return os.environ["IMPROVENET_DATABASE_URL"]


def _swap_database_name(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def server_database(tmp_path_factory):
    with fresh_database(tmp_path_factory) as url:
        yield url


@contextlib.contextmanager
def fresh_database(tmp_path_factory):
    """The address of a database of a server's own: a SQLite file, or a new database on the suite's PostgreSQL."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('server') / 'improvenet.sqlite3'}"
        return
    import psycopg

    name = f"improvenet_browser_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield _swap_database_name(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_environment(server_database, tmp_path_factory) -> dict:
    return demo_environment(server_database, tmp_path_factory, "--no-student-data")


def demo_environment(database_url: str, tmp_path_factory, *demo_options: str) -> dict:
    """The environment of a server's commands: its own database and folders, the demo loaded."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
    env |= {
        "IMPROVENET_DATABASE_URL": database_url,
        "IMPROVENET_SECRET_KEY": "live-server-tests-only-not-a-real-secret-01234",
        "IMPROVENET_VAR_DIR": str(tmp_path_factory.mktemp("var")),
    }
    subprocess.run([*COMMAND, "demo", *demo_options], env=env, check=True, capture_output=True, timeout=300)
    return env


def run_command(env: dict, *arguments: str) -> str:
    """Run an `improvenet` command against the server's database; its standard output."""
    return subprocess.run([*COMMAND, *arguments], env=env, check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture(scope="session")
def live_server_url(server_environment, tmp_path_factory):
    with served(server_environment, tmp_path_factory.mktemp("log")) as (url, _server):
        yield url


@contextlib.contextmanager
def served(env: dict, folder: Path, *options: str):
    """`improvenet serve OPTIONS` on a free port, its output in `folder`/server.log: its address and process,
    once it answers."""
    port = free_port()
    with open(folder / "server.log", "w+") as log:
        server = subprocess.Popen([*COMMAND, "serve", "--port", str(port), *options], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server, log)
            yield url, server
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"improvenet serve exited early:\n{log.read()}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("improvenet serve did not answer within 60 s")
