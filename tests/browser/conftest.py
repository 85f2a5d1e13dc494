"""A real improvenet server (the `improvenet` command in a subprocess) with the demo, and Chromium.

The server gets its own database: a SQLite file, or a fresh database on the PostgreSQL server the
suite runs against, so the browser sees exactly what a user of `make demo` sees.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


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
    admin_url = _postgres_admin_url()
    if admin_url is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser') / 'improvenet.sqlite3'}"
        return
    import psycopg

    name = f"improvenet_browser_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield _swap_database_name(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live_server_url(server_database, tmp_path_factory):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
    env |= {
        "IMPROVENET_DATABASE_URL": server_database,
        "IMPROVENET_SECRET_KEY": "browser-tests-only-not-a-real-secret-0123456789",
        "IMPROVENET_VAR_DIR": str(tmp_path_factory.mktemp("var")),
    }
    command = [sys.executable, "-m", "improvenet.cli.main"]
    subprocess.run([*command, "demo", "--no-student-data"], env=env, check=True, capture_output=True, timeout=300)
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w+")
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


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


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's event loop must not outlive the browser tests into database tests."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
