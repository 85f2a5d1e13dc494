"""The security review's findings: one store per cluster, no district id in the web database, no 500 on odd input."""

import csv
import io
import shutil
import zipfile

import duckdb
import pytest
from django_scopes import scope, scopes_disabled

from improvenet.analytics.store import Store
from improvenet.analytics.synth import SchoolSpec, synthesize
from improvenet.data import services
from improvenet.data.models import AuditEvent, DataLoad, DataUseAgreement
from improvenet.data.unzip import UnsafeArchive, unpack
from improvenet.network.access import cluster_for_user
from improvenet.network.models import School
from tests.data.conftest import bundle_with
from tests.data.stores import district_store_fixture, loaded_fixture  # noqa: F401  (fixtures)

BETA_SCHOOLS = (
    SchoolSpec("BH", "Beta High", "high", None, "comparison"),
    SchoolSpec("BM", "Beta Middle", "middle", "BH", "feeder"),
    SchoolSpec("BE", "Beta Elementary", "elementary", "BH", "feeder"),
)


def as_lead(user, cluster, call, *args, **kwargs):
    with scope(cluster=cluster):
        return call(user, cluster_for_user(user, cluster.slug), *args, **kwargs)


def rows_by_school(table) -> dict[str, int]:
    rows = [row for row in table.to_pylist() if row["group"] == "all"]
    return {row["school_id"]: row["students"] for row in rows if row["school_year"] == max(r["school_year"]
                                                                                        for r in rows)}


# 1. One store per cluster ----------------------------------------------------------------------------


@pytest.fixture
def beta_loaded(loaded, tmp_path):
    """Alpha's store holds the synthetic district; beta's lead has loaded beta's own small district."""
    world = loaded.world
    with scopes_disabled():
        School.objects.filter(pk=world.beta_school.pk).update(state_id="BH")
    folder = tmp_path / "beta-bundle"
    synthesize(120, 2, 11, folder, first_year=2022, schools=BETA_SCHOOLS, lea_id="BETA")
    outcome = as_lead(world.users.outsider, world.beta, services.load, folder, channel="web")
    assert outcome.record.status == DataLoad.Status.LOADED, outcome.lines
    return loaded


def test_each_cluster_loads_into_and_reads_from_its_own_store(beta_loaded):
    world = beta_loaded.world
    beta_store = beta_loaded.store.parent / "beta.duckdb"
    beta_students = Store(beta_store).counts()["student"]
    assert beta_students < 400 < Store(beta_loaded.store).counts()["student"]

    read = as_lead(world.users.outsider, world.beta, services.read_metric, "chronic-absenteeism", {}, channel="web")

    latest = rows_by_school(read.table)
    assert set(latest) == {"BH", services.DISTRICT_ROW}
    # The district row counts beta's students only: alpha's ~1500 are in another file.
    assert latest["BH"] < latest[services.DISTRICT_ROW] <= beta_students


def test_a_school_id_copied_from_another_cluster_reads_nothing(beta_loaded):
    world = beta_loaded.world
    with scopes_disabled():
        School.objects.filter(pk=world.beta_school.pk).update(state_id="AH")

    read = as_lead(world.users.outsider, world.beta, services.read_metric, "chronic-absenteeism", {}, channel="web")

    assert set(read.table.column("school_id").to_pylist()) == {services.DISTRICT_ROW}


def test_the_data_home_counts_only_the_clusters_own_store(client, beta_loaded):
    client.force_login(beta_loaded.world.users.outsider)
    answer = client.get("/clusters/beta/data/")
    assert answer.status_code == 200
    text = answer.content.decode()
    beta_students = Store(beta_loaded.store.parent / "beta.duckdb").counts()["student"]
    alpha_students = Store(beta_loaded.store).counts()["student"]
    assert f'<th scope="row">student</th><td>{beta_students}</td>' in text
    assert f"<td>{alpha_students}</td>" not in text


def test_an_opt_out_in_one_cluster_leaves_the_others_store_alone(beta_loaded):
    world = beta_loaded.world
    as_lead(world.users.outsider, world.beta, services.opt_out, "ANY-ID", channel="web")
    assert len(Store(beta_loaded.store.parent / "beta.duckdb").opted_out()) == 1
    assert len(Store(beta_loaded.store).opted_out()) == 0


# 2. No district id in the web database ----------------------------------------------------------------


def test_a_refused_load_stores_no_district_id(data_world, district, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(district, broken)
    with (broken / "course_marks.csv").open("a", encoding="utf-8") as marks:
        marks.write("SECRET-4711,AH,2023,S1,math,0,B\n")
    lead = data_world.world.users.lead

    outcome = as_lead(lead, data_world.world.alpha, services.load, broken, channel="web")

    assert outcome.record.status == DataLoad.Status.REFUSED
    with scopes_disabled():
        stored = DataLoad.objects.get(pk=outcome.record.pk)
    assert any("column student_id: this student_id is not in students.csv" in error for error in stored.errors)
    assert "SECRET-4711" not in repr((stored.errors, stored.notes, stored.source))


# 3. Zips that cannot be unpacked -----------------------------------------------------------------------


def test_a_zip_with_a_file_where_a_folder_must_go_is_refused_clearly(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x", b"a file")
        archive.writestr("x/y", b"under the file")
    folder = tmp_path / "unpacked"
    folder.mkdir()
    with pytest.raises(UnsafeArchive, match="“x/y” cannot be unpacked"):
        unpack(io.BytesIO(buffer.getvalue()), folder)


def test_the_load_page_refuses_that_zip_with_a_form_error(client, data_world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x", b"a file")
        archive.writestr("x/y", b"under the file")
    buffer.seek(0)
    buffer.name = "clash.zip"
    client.force_login(data_world.world.users.lead)
    answer = client.post("/clusters/alpha/data/load/", {"file": buffer, "format": "detect"})
    assert answer.status_code == 422
    assert "cannot be unpacked" in answer.content.decode()


# 4. Busy stores and numbers too large ------------------------------------------------------------------


def test_a_huge_number_in_a_bundle_is_a_refused_load(data_world, district, tmp_path):
    broken = tmp_path / "huge"
    bundle_with(district, broken, "course_marks.csv", 2, "credits_earned", "9" * 400)

    outcome = as_lead(data_world.world.users.lead, data_world.world.alpha, services.load, broken, channel="web")

    assert outcome.record.status == DataLoad.Status.REFUSED
    assert outcome.record.errors == ["course_marks.csv, line 2, column credits_earned: is too large a number"]


def test_a_store_locked_by_another_process_is_a_refused_load_and_a_clear_opt_out_error(client, data_world, district,
                                                                                       monkeypatch):
    def locked(*args, **kwargs):
        raise duckdb.IOException("Could not set lock on file: Conflicting lock is held")

    monkeypatch.setattr(Store, "load", locked)
    monkeypatch.setattr(Store, "add_opt_out", locked)
    lead = data_world.world.users.lead

    outcome = as_lead(lead, data_world.world.alpha, services.load, district, channel="web")
    assert outcome.record.status == DataLoad.Status.REFUSED
    assert "a load from the command line may be running" in outcome.record.errors[0]

    client.force_login(lead)
    answer = client.post("/clusters/alpha/data/opt-out/", {"student_id": "ANY-ID"})
    assert answer.status_code == 422
    assert "a load from the command line may be running" in answer.content.decode()


# 5. The audit log's filters and its CSV -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "csv/"])
def test_an_invalid_date_filter_is_answered_422_not_the_whole_log(client, data_world, suffix):
    world = data_world.world
    with scopes_disabled():
        AuditEvent.objects.create(cluster=world.alpha, user=world.users.lead, username="lead", channel="web",
                                  action="metric on-track", detail={})
    client.force_login(world.users.lead)
    answer = client.get(f"/clusters/alpha/data/audit/{suffix}", {"since": "yesterday", "user": "nobody"})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "metric on-track" not in text
    assert "Enter a valid date" in text


def test_the_audit_csv_neutralizes_formulas(client, data_world):
    world = data_world.world
    with scopes_disabled():
        agreement = DataUseAgreement.objects.create(
            cluster=world.alpha, project='=HYPERLINK("http://evil.example","x")', purpose="p",
            permitted_fields=["student.*"], starts_on="2025-01-01", expires_on="2025-12-31")
        AuditEvent.objects.create(cluster=world.alpha, user=world.users.lead, username="@lead", channel="web",
                                  action="-2+3", detail={}, agreement=agreement)
    client.force_login(world.users.lead)
    answer = client.get("/clusters/alpha/data/audit/csv/")
    assert answer.status_code == 200
    row = list(csv.DictReader(io.StringIO(answer.content.decode())))[0]
    assert (row["user"], row["action"]) == ("'@lead", "'-2+3")
    assert row["agreement"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"


def test_an_opt_out_under_another_pseudonym_key_is_a_form_error(client, loaded, monkeypatch):
    monkeypatch.setenv("IMPROVENET_PSEUDONYM_KEY", "cd" * 32)
    client.force_login(loaded.world.users.lead)
    answer = client.post("/clusters/alpha/data/opt-out/", {"student_id": "ANY-ID"})
    assert answer.status_code == 422
    assert len(Store(loaded.store).opted_out()) == 0
