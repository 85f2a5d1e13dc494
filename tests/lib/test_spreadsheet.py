"""The one rule for CSV cells a spreadsheet would run as formulas (OWASP's CSV injection guidance)."""

import io

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.lib.spreadsheet import escape, safe_cell, safe_frame, safe_table, unescape


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1",
                                  "\r=1", "-", "=", "-0.5x"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.5", "+3", "-1e-9", "-.5", "12", "Alpha High", "", "a=b", "'quoted"])
def test_numbers_and_plain_text_are_left_as_they_are(cell):
    assert safe_cell(cell) == cell


@pytest.mark.parametrize("value", [-0.5, -3, None, True])
def test_values_that_are_not_text_pass(value):
    assert safe_cell(value) is value


def test_tables_and_frames_escape_their_text_columns_only():
    table = safe_table(pa.table({"school": ["=1+1", "A"], "rate": [-0.5, 0.25]}))
    assert table.column("school").to_pylist() == ["'=1+1", "A"] and table.column("rate").to_pylist() == [-0.5, 0.25]
    frame = safe_frame(pd.DataFrame({"x": ["@x", "-1"], "y": [-1.0, 2.0]}))
    assert frame.to_csv(index=False) == "x,y\n'@x,-1.0\n-1,2.0\n"


@given(st.text())
def test_the_archive_escape_is_reversible_and_safe(text):
    escaped = escape(text)
    assert unescape(escaped) == text
    assert safe_cell(escaped) == escaped, "an escaped cell runs nothing"


def test_the_spc_command_escapes_its_labels(tmp_path):
    data = tmp_path / "weeks.csv"
    data.write_text("week,present\n=HYPERLINK(1),5\n@B2,7\n-3+1,6\n2025-01-20,8\n")
    result = CliRunner().invoke(app, ["spc", str(data), "--chart", "run", "--y", "present", "--x", "week",
                                      "--x-categories"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str)
    assert list(frame["x"]) == ["'=HYPERLINK(1)", "'@B2", "'-3+1", "2025-01-20"]
