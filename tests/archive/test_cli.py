"""`improvenet export` and `improvenet import` as the operator uses them."""

import datetime
import json

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.network.models import Membership, Person
from tests.archive.conftest import members


@pytest.fixture
def run():
    return lambda *args: CliRunner().invoke(app, list(args))


def test_export_writes_the_archive_and_reports_each_table(run, world, tmp_path):
    out = tmp_path / "alpha.zip"
    result = run("export", "--cluster", "alpha", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out}: ")
    assert "rows of Alpha." in result.stdout
    assert "] network.school: 2 rows" in result.stderr
    assert json.loads(members(out.read_bytes())["manifest.json"])["cluster"]["slug"] == "alpha"
    quiet = run("export", "--cluster", "alpha", "--out", str(out), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_export_of_an_unknown_cluster(run, world, tmp_path):
    result = run("export", "--cluster", "gamma", "--out", str(tmp_path / "gamma.zip"))
    assert result.exit_code == 1
    assert result.stderr == "Error: There is no cluster named “gamma”.\n"


def test_a_refused_export_leaves_no_file(run, world, tmp_path):
    with scopes_disabled():
        stranger = Person.objects.create(cluster=world.beta, given_name="Ben", family_name="Beta")
        Membership.objects.create(team=world.team, person=stranger, role="Teacher",
                                  started_on=datetime.date(2026, 1, 5))
    result = run("export", "--cluster", "alpha", "--out", str(tmp_path / "alpha.zip"), "--quiet")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: The cluster “Alpha” cannot be archived as it is:\n")
    assert list(tmp_path.iterdir()) == []


def test_import_refuses_a_broken_archive_without_a_traceback(run, db, tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    result = run("import", str(broken))
    assert result.exit_code == 1
    assert result.stderr == "Error: broken.zip is not a zip archive.\n"


def test_import_refuses_an_archive_the_database_holds(run, world, tmp_path):
    out = tmp_path / "alpha.zip"
    assert run("export", "--cluster", "alpha", "--out", str(out), "--quiet").exit_code == 0
    result = run("import", str(out), "--quiet")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: alpha.zip: this database already holds a network with slug “north”")
