"""Archives to work on, and empty improvenet databases for the `improvenet` command to import into.

An empty database is a copy of one migrated once per session: a SQLite file, or on PostgreSQL a new
database on the server the suite runs against, created from a migrated template database.
"""

import io
import os
import shutil
import subprocess
import sys
import uuid
import zipfile

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from improvenet.archive.export import export_cluster
from improvenet.demo import load_demo
from improvenet.network.models import Cluster
from tests.live_server import _postgres_admin_url, _swap_database_name

COMMAND = [sys.executable, "-m", "improvenet.cli.main"]


def export_bytes(slug: str) -> bytes:
    with scopes_disabled():
        cluster = Cluster.objects.select_related("network").get(slug=slug)
    out = io.BytesIO()
    export_cluster(cluster, out)
    return out.getvalue()


def members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def command_env(database_url: str, var_dir) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
    return env | {
        "IMPROVENET_DATABASE_URL": database_url,
        "IMPROVENET_SECRET_KEY": "archive-tests-only-not-a-real-secret-0123456789",
        "IMPROVENET_VAR_DIR": str(var_dir),
    }


@pytest.fixture(scope="session")
def demo_archive(django_db_setup, django_db_blocker) -> bytes:
    """Riverside's archive from the loaded demo; the demo is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        archive = export_bytes("riverside")
        transaction.set_rollback(True)
    return archive


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory):
    """`empty_database()` gives the URL of a new, migrated, empty improvenet database."""
    folder = tmp_path_factory.mktemp("archive-databases")
    admin_url = _postgres_admin_url() if connection.vendor == "postgresql" else None
    template_name = f"improvenet_archive_{uuid.uuid4().hex[:8]}"
    template_url = (_swap_database_name(admin_url, template_name) if admin_url
                    else f"sqlite:///{folder / 'template.sqlite3'}")
    created = []
    if admin_url:
        _postgres(admin_url, f'CREATE DATABASE "{template_name}"')
        created.append(template_name)
    subprocess.run([*COMMAND, "migrate"], env=command_env(template_url, folder), check=True,
                   capture_output=True, timeout=600)

    def make() -> str:
        name = f"improvenet_archive_{uuid.uuid4().hex[:8]}"
        if admin_url:
            _postgres(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
            created.append(name)
            return _swap_database_name(admin_url, name)
        shutil.copy(folder / "template.sqlite3", folder / f"{name}.sqlite3")
        return f"sqlite:///{folder / name}.sqlite3"

    yield make
    for name in reversed(created):
        _postgres(admin_url, f'DROP DATABASE "{name}" WITH (FORCE)')


def _postgres(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture
def improvenet(tmp_path):
    """`improvenet(database_url, *args)` runs the command against that database; the finished process."""

    def run(database_url: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*COMMAND, *args], env=command_env(database_url, tmp_path), capture_output=True,
                              text=True, timeout=600)

    return run
