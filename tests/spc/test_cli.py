"""`improvenet spc`: CSV in; CSV, JSON, SVG or PNG out; clear errors, never a traceback."""

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from improvenet.cli import spc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "qicharts2" / "inputs"
HAI = FIXTURES / "hospital_infections.csv"

app = typer.Typer()
app.command()(spc.spc)
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_points_csv_for_many_series() -> None:
    result = run(HAI, "--chart", "u", "--y", "n", "--n", "days", "--x", "month",
                 "--by", "hospital,infection", "--multiply", "10000")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "hospital,infection,x,y,n,cl,lcl,ucl,part,limits_source,include,baseline,sigma_signal,runs_signal"
    )
    assert len(lines) == 1 + 18 * 24
    assert lines[1].startswith("AHH,BAC,2015-01-01,")


def test_parts_csv_matches_python() -> None:
    result = run(HAI, "--chart", "u", "--y", "n", "--n", "days", "--x", "month", "--by", "infection", "--parts")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "infection,part,n_obs,n_useful,longest_run,longest_run_max,n_crossings,n_crossings_min,"
        "runs_signal,sigma_signals"
    )


def test_json_for_one_series_with_options(tmp_path: Path) -> None:
    source = FIXTURES / "tbl_07_03.csv"
    out = tmp_path / "p.json"
    result = run(source, "--chart", "p", "--y", "count", "--n", "size", "--x", "sample",
                 "--freeze", "30", "--exclude", "15,23", "--format", "json", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["points"][0]["cl"] == pytest.approx(0.215)
    assert data["points"][14]["include"] is False
    assert set(data) == {"chart", "rules", "multiply", "by", "points", "parts", "signals", "episodes", "notes"}


def test_part_column_labels_and_rules(tmp_path: Path) -> None:
    frame = pd.DataFrame({"week": range(1, 21), "score": [5, 6, 5, 7, 6] * 2 + [9, 10, 9, 11, 10] * 2,
                          "phase": ["before"] * 10 + ["after"] * 10})  # fmt: skip
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    result = run(path, "--chart", "i", "--y", "score", "--x", "week", "--part", "phase", "--rules", "nhs",
                 "--screened-mr")  # fmt: skip
    assert result.exit_code == 0, result.output
    points = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert points["part"].tolist() == [1] * 10 + [2] * 10
    assert points["cl"].iloc[0] == pytest.approx(5.8) and points["cl"].iloc[-1] == pytest.approx(9.8)


def test_svg_and_png(tmp_path: Path) -> None:
    args = [HAI, "--chart", "u", "--y", "n", "--n", "days", "--x", "month", "--by", "infection"]
    result = run(*args, "--format", "svg", "--title", "Infections")
    assert result.exit_code == 0 and result.stdout.lstrip().startswith("<svg")
    png = tmp_path / "chart.png"
    assert run(*args, "--format", "png", "--out", png).exit_code == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    missing_out = run(*args, "--format", "png")
    assert missing_out.exit_code == 1 and "give it with --out" in missing_out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--chart", "p", "--y", "days", "--n", "n"],
            "Error: data row 1: the count y (17233.7) is above its denominator n (17)",
        ),
        (["--chart", "u", "--y", "nope"], "Error: the file has no column 'nope'"),
        (
            ["--chart", "u", "--y", "hospital", "--n", "days", "--by", "infection"],
            "Error: data row 1 (series infection='BAC'): y column 'hospital' value 'AHH' is not a number",
        ),
        (["--chart", "i", "--y", "n", "--exclude", "3,x"], "Error: --exclude takes point positions"),
        (["--chart", "i", "--y", "n", "--freeze", "9999"], "Error: the series: freeze=9999 is beyond the data"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message) -> None:
    result = run(HAI, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file() -> None:
    result = run("/no/such/file.csv", "--y", "n")
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot read /no/such/file.csv")


def test_notes_go_to_stderr(tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    pd.DataFrame({"y": [3, 0, 5, 6], "n": [10, 0, 10, 10]}).to_csv(path, index=False)
    result = run(path, "--chart", "p", "--y", "y", "--n", "n")
    assert result.exit_code == 0
    assert "Note: data row 2: the denominator is zero" in result.stderr


def test_error_names_the_data_row_under_the_header(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    pd.DataFrame({"school": ["A", "A", "B", "B"], "score": [5, 6, "oops", 7]}).to_csv(path, index=False)
    for args in ([], ["--by", "school"]):
        result = run(path, "--chart", "i", "--y", "score", *args)
        assert result.exit_code == 1
        # "oops" is on line 4 of the file, the third row under the header.
        assert result.stderr.startswith("Error: data row 3"), result.stderr
    help_text = run("--help").stdout
    assert "data row" in help_text and "first row under the" in help_text


def test_a_short_chart_among_many_gets_a_note_not_an_error() -> None:
    result = run(HAI, "--chart", "i", "--y", "n", "--x", "month", "--by", "hospital", "--freeze", "99")
    assert result.exit_code == 0, result.output
    assert "Note: series hospital='AHH': freeze=99 is beyond the data (only 24 subgroups)" in result.stderr
    points = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert points["y"].notna().all() and points["cl"].isna().all() and points["ucl"].isna().all()


def test_screened_mr_help_names_the_qicharts2_default() -> None:
    help_text = " ".join(run("--help").stdout.split())
    assert "library(qicharts2)" in help_text and "--screened-mr" in help_text


def _weekly(tmp_path: Path, week) -> Path:
    # Ten rising weeks: one run below the centre line, then one above, so too few crossings.
    path = tmp_path / "weeks.csv"
    pd.DataFrame({"week": week, "present": range(90, 100), "enrolled": [100] * 10}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("week", [
    [f"2024-{9 + i // 5:02d}-{1 + (i % 5) * 6:02d}" for i in range(10)],
    [f"2024-{9 + i // 5:02d}-{1 + (i % 5) * 6:02d}T08:30" for i in range(10)],
])  # fmt: skip
def test_dates_in_x_are_time_and_get_a_runs_analysis(tmp_path: Path, week) -> None:
    result = run(_weekly(tmp_path, week), "--chart", "p", "--y", "present", "--n", "enrolled", "--x", "week",
                 "--episodes")  # fmt: skip
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert "1,few_crossings,,1,10,2024-09-01" in result.stdout


def test_text_in_x_is_refused_unless_named_categories(tmp_path: Path) -> None:
    path = _weekly(tmp_path, [f"Week {c}" for c in "ABCDEFGHIJ"])
    args = [path, "--chart", "p", "--y", "present", "--n", "enrolled", "--x", "week", "--parts"]
    refused = run(*args)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: data row 1: --x column 'week' has 'Week A', which is neither")
    assert "add --x-categories" in refused.stderr
    categories = run(*args, "--x-categories")
    assert categories.exit_code == 0, categories.output
    assert "Warning: --x-categories: 'week' is read as categories, not time, so runs analysis is off" in (
        categories.stderr
    )
    assert pd.read_csv(pd.io.common.StringIO(categories.stdout))["runs_signal"].tolist() == [False]
    assert run(path, "--y", "present", "--x-categories").stderr.startswith("Error: --x-categories reads the --x")


def test_freeze_part_and_frozen_limits_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    phase = ["before"] * 20 + ["after"] * 5
    pd.DataFrame({"score": [5, 6, 5, 7, 6] * 4 + [9, 10, 9, 11, 10], "phase": phase}).to_csv(path, index=False)
    result = run(path, "--chart", "i", "--y", "score", "--part", "phase", "--freeze", "10", "--min-part-points", "12")
    assert result.exit_code == 0, result.output
    points = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert points["limits_source"].tolist() == ["computed"] * 20 + ["frozen"] * 5
    assert points["cl"].iloc[-1] == pytest.approx(5.8)
    assert points["baseline"].tolist() == [True] * 10 + [False] * 15
    both = run(path, "--chart", "i", "--y", "score", "--parts", "--episodes")
    assert both.exit_code == 1 and "give one of them" in both.stderr
