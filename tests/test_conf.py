"""Settings: every one documented, the secret handled safely, the server refusing a missing secret."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from improvenet import conf

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_read_anywhere_is_declared_and_documented():
    documented = (ROOT / "docs" / "settings.md").read_text()
    declared = {setting.name for setting in conf.SETTINGS}
    used = set()
    for path in [*(ROOT / "improvenet").rglob("*.py"), ROOT / "Makefile", *(ROOT / "scripts").glob("*")]:
        used |= set(re.findall(r"IMPROVENET_[A-Z_]+[A-Z]", path.read_text()))
    assert used - declared == set(), "read but not declared in improvenet/conf.py"
    for name in declared:
        assert re.search(rf"^\| `{name}` \| .+ \| .+ \|$", documented, re.M), f"{name} missing from docs/settings.md"


def test_reading_an_undeclared_setting_is_a_programming_error():
    with pytest.raises(KeyError):
        conf.read("IMPROVENET_NOT_A_SETTING")


def test_secret_comes_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPROVENET_SECRET_KEY", raising=False)
    monkeypatch.delenv("IMPROVENET_DEMO", raising=False)
    assert conf.secret_key() == conf.UNSET_SECRET_KEY
    secret_file = tmp_path / "secret"
    secret_file.write_text("  from-a-file\n")
    monkeypatch.setenv("IMPROVENET_SECRET_KEY_FILE", str(secret_file))
    assert conf.secret_key() == "from-a-file"
    monkeypatch.setenv("IMPROVENET_SECRET_KEY", "direct")
    assert conf.secret_key() == "direct"


def test_unreadable_secret_file_is_named_in_the_error(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPROVENET_SECRET_KEY", raising=False)
    monkeypatch.setenv("IMPROVENET_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(conf.ConfigurationError, match="missing"):
        conf.secret_key()


def test_demo_mode_generates_a_private_secret_once(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPROVENET_SECRET_KEY", raising=False)
    monkeypatch.delenv("IMPROVENET_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IMPROVENET_DEMO", "1")
    monkeypatch.setenv("IMPROVENET_VAR_DIR", str(tmp_path))
    first = conf.secret_key()
    assert len(first) > 40 and conf.secret_key() == first
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o777 == 0o600


def run_serve(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVENET_")}
    env.update(extra_env)
    command = [sys.executable, "-m", "improvenet.cli.main", "serve", "--port", "1"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_server_refuses_to_start_without_a_secret_and_says_what_to_set(tmp_path):
    result = run_serve({"IMPROVENET_VAR_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "IMPROVENET_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_wsgi_application_refuses_to_load_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVENET_")}
    env["IMPROVENET_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", "import improvenet.wsgi"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "No secret key is set" in result.stderr


def test_server_refuses_a_short_secret(tmp_path):
    result = run_serve({"IMPROVENET_VAR_DIR": str(tmp_path), "IMPROVENET_SECRET_KEY": "abc"})
    assert result.returncode == 1 and "3 characters long" in result.stderr


def test_a_bad_database_address_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVENET_")}
    env |= {"IMPROVENET_VAR_DIR": str(tmp_path), "IMPROVENET_DATABASE_URL": "mysqlx://nowhere/db"}
    command = [sys.executable, "-m", "improvenet.cli.main", "token", "list", "--user", "alice"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "IMPROVENET_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_commands_on_an_empty_database_say_to_migrate(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVENET_")}
    env |= {"IMPROVENET_VAR_DIR": str(tmp_path), "IMPROVENET_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    command = [sys.executable, "-m", "improvenet.cli.main", "token", "list", "--user", "alice"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "improvenet migrate" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "unit", "bounds", "value", "allowed"), [
    ("IMPROVENET_HSTS_SECONDS", "seconds", {}, "one year", "0 or more"),
    ("IMPROVENET_DECISION_REOPEN_DAYS", "days", {}, "-3", "0 or more"),
    ("IMPROVENET_IDLE_TIMEOUT_MINUTES", "minutes", {}, "1.5", "0 or more"),
    ("IMPROVENET_INVITATION_DAYS", "days", {"low": 1, "high": 90}, "91", "from 1 to 90"),
    ("IMPROVENET_INVITATION_DAYS", "days", {"low": 1, "high": 90}, "0", "from 1 to 90"),
])
def test_a_whole_number_setting_out_of_range_is_refused_naming_setting_value_and_range(
        monkeypatch, name, unit, bounds, value, allowed):
    monkeypatch.setenv(name, value)
    with pytest.raises(conf.ConfigurationError) as refused:
        conf.whole_number(name, unit, **bounds)
    assert str(refused.value).startswith(f"{name} is “{value}”; it must be a whole number of {unit} {allowed}")


def test_a_whole_number_setting_reads_its_value_or_its_declared_default(monkeypatch):
    monkeypatch.setenv("IMPROVENET_INVITATION_DAYS", " 90 ")
    assert conf.whole_number("IMPROVENET_INVITATION_DAYS", "days", low=1, high=90) == 90
    monkeypatch.delenv("IMPROVENET_INVITATION_DAYS")
    assert conf.whole_number("IMPROVENET_INVITATION_DAYS", "days", low=1, high=90) == 7
    monkeypatch.delenv("IMPROVENET_DECISION_REOPEN_DAYS", raising=False)
    assert conf.whole_number("IMPROVENET_DECISION_REOPEN_DAYS", "days") == 14
