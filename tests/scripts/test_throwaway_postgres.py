"""scripts/throwaway_postgres.py against a real PostgreSQL server (no mocks, no Django)."""

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "throwaway_postgres.py"
URL_VARIABLE = "IMPROVENET_TEST_POSTGRES_URL"
TIMEOUT_SECONDS = 120


def load_script_module():
    spec = importlib.util.spec_from_file_location("throwaway_postgres", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def can_provide_server() -> bool:
    """Binaries are present, or we are root and the script can apt-get them."""
    has_binaries = load_script_module().find_server_binaries() is not None
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    return has_binaries or can_install


needs_server = pytest.mark.skipif(
    not can_provide_server(),
    reason="no PostgreSQL server binaries and not root (cannot apt-get install postgresql)",
)

# Runs inside the wrapped command: talks to the database and reports where it lives.
INSPECT_DATABASE = textwrap.dedent(
    """
    import json, os, sys
    import psycopg

    url = os.environ["IMPROVENET_TEST_POSTGRES_URL"]
    with psycopg.connect(url) as connection:
        version = connection.execute("select version()").fetchone()[0]
        data_directory = connection.execute("show data_directory").fetchone()[0]
        connection.execute("create table probe (id integer primary key)")
        connection.execute("insert into probe values (1)")
    print(json.dumps({"url": url, "version": version, "data_directory": data_directory}))
    sys.stdout.flush()
    """
)


def run_script(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--", *command],
        env=env if env is not None else environment_without_url(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def environment_without_url() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != URL_VARIABLE}


def assert_server_gone(report: dict) -> None:
    assert not Path(report["data_directory"]).exists()
    assert not Path(report["data_directory"]).parent.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", urlsplit(report["url"]).port), timeout=5)


@needs_server
def test_command_uses_a_fresh_database_that_is_removed_afterwards():
    result = run_script(sys.executable, "-c", INSPECT_DATABASE)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["version"].startswith("PostgreSQL")
    assert urlsplit(report["url"]).hostname == "127.0.0.1"
    assert urlsplit(report["url"]).path == "/improvenet"
    assert "throwaway-postgres: started in" in result.stderr
    assert "throwaway-postgres: stopped" in result.stderr
    assert_server_gone(report)


@needs_server
def test_failing_command_exit_code_is_passed_through():
    result = run_script(sys.executable, "-c", INSPECT_DATABASE + "sys.exit(7)")

    assert result.returncode == 7, result.stderr
    assert_server_gone(json.loads(result.stdout))


@needs_server
@pytest.mark.parametrize(
    ("signum", "expected_exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)]
)
def test_server_is_cleaned_up_when_interrupted(signum, expected_exit_code):
    waits_forever = INSPECT_DATABASE + "import time; time.sleep(600)"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--", sys.executable, "-c", waits_forever],
        env=environment_without_url(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        report = json.loads(process.stdout.readline())
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    finally:
        process.kill()

    assert process.returncode == expected_exit_code, stderr
    assert "throwaway-postgres: stopped" in stderr
    assert_server_gone(report)


def test_preset_url_is_used_unchanged_without_starting_a_server():
    preset_url = "postgres://someone:s3cret@db.example.invalid:6543/elsewhere"
    env = {**environment_without_url(), URL_VARIABLE: preset_url}

    result = run_script(
        sys.executable, "-c", f"import os; print(os.environ['{URL_VARIABLE}'])", env=env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == preset_url
    assert "s3cret" not in result.stderr
    assert "someone:***@db.example.invalid:6543" in result.stderr
    assert "started in" not in result.stderr
