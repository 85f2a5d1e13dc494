"""Exporting a cluster: the files, what is in them and what is not, and refusals."""

import csv
import datetime
import hashlib
import io
import json

import pytest
from django_scopes import scopes_disabled

from improvenet.accounts.models import ApiToken
from improvenet.archive.export import FORMAT, FORMAT_VERSION, ExportRefused, archive_schema
from improvenet.archive.tables import archive_tables
from improvenet.data.models import DataUseAgreement
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Membership, Person
from improvenet.sharing.models import Adoption, Publication
from tests.archive.conftest import export_bytes, members


def rows(files: dict[str, bytes], table: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"tables/{table}.csv"].decode("utf-8"), newline="")))


def manifest_of(files: dict[str, bytes]) -> dict:
    return json.loads(files["manifest.json"])


def test_the_archive_has_a_manifest_a_schema_a_readme_and_a_table_per_model(world):
    files = members(export_bytes("alpha"))
    manifest = manifest_of(files)
    assert manifest["format"] == FORMAT and manifest["format_version"] == FORMAT_VERSION
    assert manifest["cluster"] == {"id": world.alpha.pk, "slug": "alpha", "name": "Alpha"}
    assert manifest["network"] == {"id": world.network.pk, "slug": "north", "name": "North Network"}
    assert datetime.datetime.fromisoformat(manifest["exported_at"]).tzinfo is not None
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    assert {f"tables/{table.name}.csv" for table in archive_tables()} <= set(listed)
    for path, entry in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == entry["sha256"], path
        if "table" in entry:
            assert entry["rows"] == len(rows(files, entry["table"])), path
    assert json.loads(files["schema.json"]) == archive_schema()
    readme = files["README.txt"].decode()
    assert "“Alpha”" in readme and "tables/network.school.csv" in readme and "password" in readme


def test_only_the_clusters_own_rows_are_archived(world):
    files = members(export_bytes("alpha"))
    schools = rows(files, "network.school")
    assert {int(row["organization_ptr_id"]) for row in schools} == {world.high.pk, world.middle.pk}
    middle = next(row for row in schools if int(row["organization_ptr_id"]) == world.middle.pk)
    assert middle["feeds_into_id"] == str(world.high.pk) and middle["level"] == "middle"
    organizations = {row["name"] for row in rows(files, "network.organization")}
    assert organizations == {"Alpha USD", "Alpha High", "Alpha Middle"}
    assert [row["slug"] for row in rows(files, "network.cluster")] == ["alpha"]
    assert len(rows(files, "network.clusterrole")) == 4
    assert rows(files, "network.network_admins") == [
        {"id": rows(files, "network.network_admins")[0]["id"], "network_id": str(world.network.pk),
         "user_id": str(world.users.admin.pk)}
    ]


def test_accounts_keep_their_names_and_never_their_secrets(world):
    world.users.lead.first_name, world.users.lead.last_name = "Lena", "Lead"
    world.users.lead.save()
    _, secret = ApiToken.issue(world.users.lead, "notebook")
    with scopes_disabled():
        Person.objects.filter(pk=world.person.pk).update(user=world.users.member)
    files = members(export_bytes("alpha"))
    accounts = rows(files, "auth.user")
    assert list(accounts[0]) == ["id", "username", "first_name", "last_name"]
    assert {row["username"] for row in accounts} == {"net-admin", "lead", "member", "researcher", "viewer"}
    assert {"username": "lead", "first_name": "Lena", "last_name": "Lead"}.items() <= next(
        row for row in accounts if row["username"] == "lead").items()
    token = ApiToken.objects.get(user=world.users.lead)
    everything = b"".join(files.values())
    for secret_text in (world.users.lead.password, token.digest, secret, "md5$"):
        assert secret_text.encode() not in everything


def test_two_exports_of_the_same_data_differ_only_in_exported_at(world):
    first, second = members(export_bytes("alpha")), members(export_bytes("alpha"))
    assert {path: data for path, data in first.items() if path != "manifest.json"} == {
        path: data for path, data in second.items() if path != "manifest.json"}
    manifests = [manifest_of(files) for files in (first, second)]
    for manifest in manifests:
        manifest.pop("exported_at")
    assert manifests[0] == manifests[1]


def test_a_reference_to_another_clusters_record_is_left_empty_and_counted(world):
    with scopes_disabled():
        beta_idea = ChangeIdea.objects.create(cluster=world.beta, title="Advisory twice a week")
        publication = Publication.objects.create(cluster=world.beta, change_idea=beta_idea, title=beta_idea.title,
                                                 snapshot={"description": "Advisory"})
        alpha_idea = ChangeIdea.objects.create(cluster=world.alpha, title="Advisory, adopted")
        Adoption.objects.create(publication=publication, cluster=world.alpha, change_idea=alpha_idea,
                                source_cluster_name="Beta", source_idea_title=beta_idea.title,
                                source_published_on=datetime.date(2026, 3, 2))
        agreement = DataUseAgreement.objects.create(
            cluster=world.alpha, project="Attendance study", purpose="Study attendance",
            permitted_fields=["attendance.*"], starts_on=datetime.date(2026, 1, 1),
            expires_on=datetime.date(2027, 1, 1),
        )
        agreement.schools.add(world.high, world.beta_school)
    files = members(export_bytes("alpha"))
    adoption = rows(files, "sharing.adoption")
    assert [(row["publication_id"], row["source_cluster_name"]) for row in adoption] == [("", "Beta")]
    assert [row["school_id"] for row in rows(files, "data.datauseagreement_schools")] == [str(world.high.pk)]
    assert rows(files, "sharing.publication") == []
    assert manifest_of(files)["external_references"] == [
        {"table": "data.datauseagreement_schools", "column": None, "references": None, "rows": 1,
         "kept_as": "row left out"},
        {"table": "sharing.adoption", "column": "publication_id", "references": "sharing.publication", "rows": 1,
         "kept_as": "empty"},
    ]


def test_a_required_reference_to_another_cluster_refuses_the_export_naming_the_row(world):
    with scopes_disabled():
        beta_person = Person.objects.create(cluster=world.beta, given_name="Ben", family_name="Beta")
        # Written around the model's own checks, as a damaged database would hold it.
        membership = Membership.objects.create(team=world.team, person=beta_person, role="Teacher",
                                               started_on=datetime.date(2026, 1, 5))
    with pytest.raises(ExportRefused) as refusal:
        export_bytes("alpha")
    message = str(refusal.value)
    assert "“Alpha” cannot be archived" in message
    assert (f"tables/network.membership.csv row with id {membership.pk}: person_id points to network.person "
            f"id {beta_person.pk}, which is not part of this cluster, and it cannot be left empty.") in message
