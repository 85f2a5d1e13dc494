"""`improvenet measures import FILE --measure SLUG --cluster SLUG` with real files."""

import io

import pytest
from django_scopes import scopes_disabled
from openpyxl import Workbook
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.measures.models import ImportLog, MeasureValue
from tests.measures.conftest import build_measured

runner = CliRunner()


@pytest.fixture
def measured(world):
    return build_measured(world)


def run(path, measure="on-track", cluster="alpha"):
    return runner.invoke(app, ["measures", "import", str(path), "--measure", measure, "--cluster", cluster])


def test_import_then_import_again_changes_nothing(measured, tmp_path):
    path = tmp_path / "week.csv"
    path.write_text("school,period,numerator,denominator\n"
                    "Alpha High,2025-06-23,70,100\n170000100001,2025-06-30,72,100\n")
    first = run(path)
    assert first.exit_code == 0, first.output
    assert "week.csv: 2 rows read; 2 new, 0 changed, 0 unchanged." in first.output
    again = run(path)
    assert "0 new, 0 changed, 2 unchanged" in again.output
    with scopes_disabled():
        assert MeasureValue.objects.filter(measure=measured.measure, period__gte="2025-06-23").count() == 2
        log = ImportLog.objects.filter(measure=measured.measure).first()
    assert log.user is None and log.source == "cli" and log.filename == "week.csv"


def test_xlsx_import(measured, tmp_path):
    workbook = Workbook()
    workbook.active.append(["school", "period", "numerator", "denominator"])
    workbook.active.append(["Alpha Middle", "2025-06-23", 1, 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "week.xlsx"
    path.write_bytes(buffer.getvalue())
    assert "1 new" in run(path).output


def test_bad_rows_save_nothing_and_exit_1(measured, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("school,period,numerator,denominator\n"
                    "Alpha High,2025-06-23,70,100\nAlpha High,2025-06-23,101,100\n")
    result = run(path)
    assert result.exit_code == 1
    assert "row 3: the count 101 is above the denominator 100; duplicate period: row 2" in result.output
    assert "Nothing was saved" in result.output and "Traceback" not in result.output
    with scopes_disabled():
        assert not MeasureValue.objects.filter(measure=measured.measure, period="2025-06-23").exists()


def test_unknown_cluster_measure_or_unreadable_file(measured, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("foo\n1\n")
    assert "no cluster named “nowhere”" in run(path, cluster="nowhere").output
    assert "has no measure named “nothing”" in run(path, measure="nothing").output
    result = run(path)
    assert result.exit_code == 1 and "The file has no school" in result.output
    assert run(tmp_path / "missing.csv").exit_code == 2


def test_the_command_explains_itself():
    result = runner.invoke(app, ["measures", "import", "--help"])
    assert result.exit_code == 0 and "--measure" in result.output and "all of them or none" in result.output
