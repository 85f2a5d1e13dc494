"""`improvenet data load|synth|opt-out`, `improvenet metrics` and `improvenet analyze did` on real files."""

import csv
import io

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.analytics.store import Store
from improvenet.cli.main import app
from improvenet.data.models import AuditEvent, DataLoad
from tests.data.conftest import START_YEAR, make_agreement

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(arg) for arg in args])


@pytest.fixture
def loaded(data_world, district):
    result = invoke("data", "load", district, "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 0, result.output
    return data_world


def test_load_reports_rows_per_table_and_progress(loaded):
    with scopes_disabled():
        record = DataLoad.objects.get()
    assert record.status == "loaded" and record.channel == "cli" and record.user.username == "lead"
    again = invoke("data", "load", loaded.store.parent.parent / "missing", "--cluster", "alpha", "--user", "lead")
    assert again.exit_code == 2, "typer refuses a path that does not exist"


def test_a_refused_load_lists_problems_and_exits_1(data_world, district, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in district.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "schools.csv").write_text("school_id,name,lea_id,level\nAH,Alpha High,L1,castle\n")
    result = invoke("data", "load", broken, "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 1
    assert "schools.csv, line 2, column level" in result.output
    assert "nothing was loaded" in result.output
    assert Store(data_world.store).counts()["student"] == 0


def test_an_unknown_format_is_refused_before_anything_runs(data_world, district):
    result = invoke("data", "load", district, "--cluster", "alpha", "--user", "lead", "--format", "excel")
    assert result.exit_code == 1
    assert "“excel” is not a format: choose one of bundle, edfi-xml, oneroster, sdp, parquet." in result.output


def test_metrics_write_csv_with_suppression_columns(loaded, tmp_path):
    out = tmp_path / "chronic.csv"
    result = invoke("metrics", "chronic-absenteeism", "--cluster", "alpha", "--user", "lead",
                    "--school-year", START_YEAR, "--out", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["school_id", "school_year", "group", "students", "chronic", "rate", "suppressed"]
    assert {row["school_year"] for row in rows} == {str(START_YEAR)}
    district_row = next(row for row in rows if row["school_id"] == "ALL" and row["group"] == "all")
    assert int(district_row["students"]) > 1000


def test_metrics_print_csv_and_a_researcher_needs_an_agreement(loaded):
    refused = invoke("metrics", "on-track", "--cluster", "alpha", "--user", "researcher")
    assert refused.exit_code == 1
    assert "no data use agreement" in refused.output
    make_agreement(loaded, fields=("student.*", "student_school_association.*", "course_mark.*"))
    printed = invoke("metrics", "on-track", "--cluster", "alpha", "--user", "researcher")
    assert printed.exit_code == 0, printed.output
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert rows and set(rows[0]) >= {"on_track", "rate", "suppressed"}
    with scopes_disabled():
        event = AuditEvent.objects.get()
    assert (event.username, event.channel, event.action) == ("researcher", "cli", "metric on-track")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graduation-rate", "--threshold", "0.2"], "graduation-rate has no option --threshold."),
        (["attendance"], "There is no metric named “attendance”"),
        (["on-track", "--engine", "excel"], "unknown engine 'excel'"),
    ],
)
def test_metric_mistakes_get_one_clear_line(loaded, args, message):
    result = invoke("metrics", *args, "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_someone_outside_the_cluster_is_told_it_does_not_exist(loaded):
    result = invoke("metrics", "on-track", "--cluster", "alpha", "--user", "outsider")
    assert result.exit_code == 1
    assert "There is no cluster named “alpha” that outsider may read." in result.output


def test_analyze_did_prints_the_estimate_event_study_and_caveats(loaded):
    result = invoke("analyze", "did", "--metric", "chronic-absenteeism", "--start-year", START_YEAR,
                    "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 0, result.output
    assert "3 innovation schools against 3 comparison schools" in result.output
    assert "clustered by school" in result.output
    assert "(reference year)" in result.output
    assert "Caveat: Only 3 schools" in result.output


def test_analyze_did_refuses_a_start_year_outside_the_data(loaded):
    result = invoke("analyze", "did", "--metric", "on-track", "--start-year", 2040,
                    "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_opt_out_removes_the_student_and_says_nothing_about_them(loaded, district):
    first_student = next(csv.DictReader((district / "students.csv").open()))["student_id"]
    result = invoke("data", "opt-out", first_student, "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 0, result.output
    assert "rows of this student were removed" in result.output
    assert first_student not in result.output
    assert len(Store(loaded.store).opted_out()) == 1


def test_synth_writes_a_bundle(tmp_path):
    result = invoke("data", "synth", "--students", 300, "--years", 2, "--seed", 3, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "attendance.csv").stat().st_size > 0
    assert "Wrote a district of" in result.output


def test_keygen_writes_an_owner_only_key_once(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    first = invoke("data", "keygen", path)
    assert first.exit_code == 0, first.output
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = path.read_text()
    again = invoke("data", "keygen", path)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_text() == key


def test_parquet_export_loads_into_another_store_with_the_same_rows(loaded, tmp_path):
    out = tmp_path / "parquet"
    exported = invoke("data", "export-parquet", "--out", out, "--cluster", "alpha", "--user", "lead")
    assert exported.exit_code == 0, exported.output
    assert (out / "student_school_attendance_event.parquet").is_file()
    copy = tmp_path / "copy.duckdb"
    imported = invoke("data", "load", out, "--cluster", "alpha", "--user", "lead", "--store", copy)
    assert imported.exit_code == 0, imported.output
    original = Store(loaded.store).counts()
    assert {name: rows for name, rows in Store(copy).counts().items() if name != "load_log"} == {
        name: rows for name, rows in original.items() if name != "load_log"
    }
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="export parquet", channel="cli").count() == 1
        assert DataLoad.objects.filter(format="parquet", status="loaded").count() == 1


def test_a_researcher_may_not_export_the_stores_rows(loaded, tmp_path):
    make_agreement(loaded)
    result = invoke("data", "export-parquet", "--out", tmp_path / "p", "--cluster", "alpha", "--user", "researcher")
    assert result.exit_code == 1
    assert "for the cluster lead and the longitudinal data team" in result.output
    assert not (tmp_path / "p").exists()


def test_a_load_computes_the_metrics_default_tables_so_the_first_reader_does_not_wait(data_world, district):
    from improvenet.analytics.metrics import METRICS
    from improvenet.analytics.results import results_folder

    result = invoke("data", "load", district, "--cluster", "alpha", "--user", "lead")
    assert result.exit_code == 0, result.output
    assert "computing chronic-absenteeism" in result.output
    assert len(list(results_folder(data_world.store).glob("*.arrow"))) == len(METRICS)
    read = invoke("metrics", "graduation-rate", "--cluster", "alpha", "--user", "lead")
    assert read.exit_code == 0, read.output
    with scopes_disabled():
        assert AuditEvent.objects.get(action="metric graduation-rate").detail["kept_result"] is True
