"""`improvenet export` and `improvenet import` as the operator uses them."""

import datetime
import hashlib
import json
import shutil
import subprocess
import zipfile

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
    assert quiet.exit_code == 0
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert quiet.stderr.startswith(f"SHA-256 of the whole archive: {digest} (also in alpha.zip.sha256). Send it ")
    assert len(quiet.stderr.splitlines()) == 1
    assert (tmp_path / "alpha.zip.sha256").read_text() == f"{digest}  alpha.zip\n"


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils' sha256sum")
def test_sha256sum_checks_the_archive_with_its_companion_file(run, world, tmp_path):
    assert run("export", "--cluster", "alpha", "--out", str(tmp_path / "alpha.zip"), "--quiet").exit_code == 0
    checked = subprocess.run(["sha256sum", "-c", "alpha.zip.sha256"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout == "alpha.zip: OK\n"


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


@pytest.fixture
def exported(run, world, tmp_path):
    """alpha.zip and its companion file, and the digest of the archive as exported."""
    out = tmp_path / "alpha.zip"
    assert run("export", "--cluster", "alpha", "--out", str(out), "--quiet").exit_code == 0
    return out, hashlib.sha256(out.read_bytes()).hexdigest()


def tamper(archive) -> None:
    """Change a school's name and write the new checksum into the manifest, as someone who means it would."""
    files = members(archive.read_bytes())
    files["tables/network.school.csv"] = files["tables/network.school.csv"].replace(b"High", b"Hjgh", 1)
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive, "w") as written:
        for path, data in files.items():
            written.writestr(path, data)


def test_import_checks_the_digest_given_on_the_command_line(run, exported):
    archive, digest = exported
    archive.with_name("alpha.zip.sha256").unlink()
    tamper(archive)
    result = run("import", str(archive), "--sha256", digest.upper(), "--quiet")
    assert result.exit_code == 1
    assert "Checking the SHA-256 of alpha.zip against the digest given with --sha256." in result.stderr
    assert (f"Error: alpha.zip: the SHA-256 of the whole archive is {hashlib.sha256(archive.read_bytes()).hexdigest()}"
            f", but the expected digest is {digest}.") in result.stderr


def test_import_checks_the_companion_file_beside_the_archive(run, exported):
    archive, digest = exported
    untouched = run("import", str(archive), "--quiet")
    assert "against alpha.zip.sha256 beside it" in untouched.stderr
    assert "this database already holds" in untouched.stderr  # the digest matched, the checks went on
    tamper(archive)
    result = run("import", str(archive), "--quiet")
    assert result.exit_code == 1
    assert f"but the expected digest is {digest}. The archive is not the one that was exported" in result.stderr


def test_import_without_any_digest_warns_that_only_accidents_are_detected(run, exported):
    archive, _ = exported
    archive.with_name("alpha.zip.sha256").unlink()
    result = run("import", str(archive), "--quiet")
    assert result.stderr.startswith("Warning: no SHA-256 for the whole archive (no --sha256 and no alpha.zip.sha256): "
                                    "only accidental damage can be detected, not deliberate changes.")


def test_a_digest_that_is_not_one_is_refused(run, exported):
    archive, _ = exported
    result = run("import", str(archive), "--sha256", "abc123")
    assert result.exit_code == 1
    assert result.stderr == ("Error: --sha256 is not a SHA-256 digest: it must be 64 hexadecimal digits, "
                             "got “abc123”.\n")
    archive.with_name("alpha.zip.sha256").write_text("not a digest  alpha.zip\n")
    result = run("import", str(archive))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: alpha.zip.sha256 is not a SHA-256 digest: it must be 64 hexadecimal")


def test_import_refuses_a_broken_archive_without_a_traceback(run, db, tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    result = run("import", str(broken))
    assert result.exit_code == 1
    assert result.stderr.endswith("\nError: broken.zip is not a zip archive.\n")


def test_import_refuses_an_archive_the_database_holds(run, world, tmp_path):
    out = tmp_path / "alpha.zip"
    assert run("export", "--cluster", "alpha", "--out", str(out), "--quiet").exit_code == 0
    result = run("import", str(out), "--quiet")
    assert result.exit_code == 1
    assert "\nError: alpha.zip: this database already holds a network with slug “north”" in result.stderr
