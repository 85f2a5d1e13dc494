"""Export → import into an empty database → export again gives the same archive, apart from exported_at.

The `improvenet` command runs in a subprocess against a new empty database (a SQLite file, or a new
database on the PostgreSQL server of the test run), as an operator would restore an archive.
"""

import hashlib
import io
import json

from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from improvenet.archive.restore import import_archive
from improvenet.network.models import Cluster, Network
from improvenet.partners.models import AgreementDocument
from improvenet.search.models import SearchDocument
from tests.archive.conftest import export_bytes, members


def assert_same_archive(first: bytes, second: bytes) -> None:
    """Every file byte for byte, and the manifest apart from exported_at and the references to other clusters.

    The first export left out its links to other clusters' records (the demo's study shared with Lakeside)
    and counted them; the database it is restored into holds no other cluster, so the second export has
    nothing of the kind to leave out, and counts at most what the first did."""
    one, two = members(first), members(second)
    assert sorted(one) == sorted(two)
    for path in one:
        if path != "manifest.json":
            assert one[path] == two[path], f"{path} differs"
    manifests = [json.loads(files["manifest.json"]) for files in (one, two)]
    for manifest in manifests:
        manifest.pop("exported_at")
    left_out = [manifest.pop("external_references") for manifest in manifests]
    assert all(reference in left_out[0] for reference in left_out[1])
    assert manifests[0] == manifests[1]


def restore_and_export_again(improvenet, empty_database, tmp_path, archive: bytes, slug: str) -> bytes:
    source, again = tmp_path / "first.zip", tmp_path / "again.zip"
    source.write_bytes(archive)
    database = empty_database()
    imported = improvenet(database, "import", str(source), "--sha256", hashlib.sha256(archive).hexdigest())
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("Imported ")
    assert "against the digest given with --sha256" in imported.stderr
    assert "[1/" in imported.stderr  # the steps, for a long import
    exported = improvenet(database, "export", "--cluster", slug, "--out", str(again))
    assert exported.returncode == 0, exported.stderr
    digest = hashlib.sha256(again.read_bytes()).hexdigest()
    assert (tmp_path / "again.zip.sha256").read_text() == f"{digest}  again.zip\n"
    return again.read_bytes()


def test_the_world_fixture_survives_a_round_trip(world, improvenet, empty_database, tmp_path):
    archive = export_bytes("alpha")
    assert_same_archive(archive, restore_and_export_again(improvenet, empty_database, tmp_path, archive, "alpha"))


def test_the_demo_survives_a_round_trip(demo_archive, improvenet, empty_database, tmp_path):
    again = restore_and_export_again(improvenet, empty_database, tmp_path, demo_archive, "riverside")
    assert_same_archive(demo_archive, again)
    # Riverside's one link to another cluster: its study shared with Lakeside, left out and counted.
    left_out = json.loads(members(demo_archive)["manifest.json"])["external_references"]
    assert [(r["table"], r["rows"], r["kept_as"]) for r in left_out] == [
        ("studies.study_shared_with", 1, "row left out")]


def test_an_import_keeps_the_ids_and_later_records_get_new_ones(db, demo_archive):
    summary = import_archive(io.BytesIO(demo_archive), "riverside.zip")
    assert summary.cluster == "Riverside" and summary.rows["measures.measurevalue"] > 1000
    manifest = json.loads(members(demo_archive)["manifest.json"])
    with scopes_disabled():
        cluster = Cluster.objects.get(slug="riverside")
        assert cluster.pk == manifest["cluster"]["id"]
        assert cluster.network.pk == manifest["network"]["id"]
        # The sequences were moved past the archive's ids (PostgreSQL), so new records fit in.
        newer = Network.objects.create(slug="south", name="South")
        assert newer.pk > cluster.network.pk
        assert SearchDocument.objects.filter(cluster=cluster).exists(), "the search index was not rebuilt"
        # A binary column comes back as the same bytes, not as its base64 text.
        document = AgreementDocument.objects.get(agreement__cluster=cluster)
        assert bytes(document.content).startswith(b"%PDF-") and len(document.content) == document.size
        assert hashlib.sha256(document.content).hexdigest() == document.sha256
    accounts = get_user_model().objects.all()
    assert {user.username for user in accounts} >= {"alice", "bob", "carol", "vera", "admin"}
    assert not any(user.has_usable_password() for user in accounts)
    assert not any(user.is_superuser or user.is_staff for user in accounts)
    newer_account = get_user_model().objects.create_user("newcomer")
    assert newer_account.pk > max(user.pk for user in accounts if user.username != "newcomer")
    assert_same_archive(demo_archive, export_bytes("riverside"))
