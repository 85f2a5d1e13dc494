import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from improvenet.cli.docs import reference
from improvenet.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_docs_cli_md_matches_the_commands_help():
    assert (ROOT / "docs" / "cli.md").read_text() == reference(), "run `make docs` to regenerate docs/cli.md"


@pytest.mark.parametrize("command", [[], ["serve"], ["migrate"], ["demo"], ["token"], ["token", "create"], ["spc"]])
def test_every_command_explains_itself(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_token_create_prints_a_working_token(world, client):
    result = runner.invoke(app, ["token", "create", "--user", "lead", "--name", "script"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert client.get("/api/clusters", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    listing = runner.invoke(app, ["token", "list", "--user", "lead"]).output
    assert "script" in listing and token[:12] in listing and token not in listing


def test_token_for_an_unknown_user_is_a_clear_error(world):
    result = runner.invoke(app, ["token", "create", "--user", "nobody"])
    assert result.exit_code == 1
    assert "no active account named “nobody”" in result.output and "Traceback" not in result.output


def test_demo_then_serve_a_real_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVENET_")}
    env |= {"IMPROVENET_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "IMPROVENET_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "improvenet.cli.main"]
    first = subprocess.run([*command, "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    for username in ("alice", "bob", "carol", "dan", "admin"):
        assert f"  {username}" in first.stdout
    assert "improvenet-demo" in first.stdout
    assert "Loading them, pseudonymized, into Riverside's analytics store" in first.stdout
    assert oct((tmp_path / "pseudonym-key").stat().st_mode & 0o777) == "0o600", "the demo's generated key"
    metrics = subprocess.run([*command, "metrics", "on-track", "--cluster", "riverside", "--user", "carol",
                              "--school-year", "2026"], env=env, capture_output=True, text=True, timeout=300)
    assert metrics.returncode == 0, metrics.stderr
    assert metrics.stdout.startswith('"school_id","school_year","group","students","on_track","rate","suppressed"')
    assert '"ALL",2026,"all",' in metrics.stdout, "carol's agreement covers the demo's metrics"
    again = subprocess.run([*command, "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "already holds the demo" in again.stdout
    token = subprocess.run([*command, "token", "create", "--user", "alice"], env=env, capture_output=True, text=True)
    assert token.stdout.startswith("inet_")
