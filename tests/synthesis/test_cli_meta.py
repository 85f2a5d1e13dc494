"""`improvenet meta`: figures as metafor gives them, and files that cannot be pooled refused naming the line."""

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from improvenet.cli.main import app
from tests.synthesis.test_meta_reference import REFERENCE

runner = CliRunner()
KEYS = {"estimate", "se", "ci_low", "ci_high", "p_value", "tau2", "i2", "q", "q_p", "pi_low", "pi_high"}


@pytest.fixture
def bcg_file(tmp_path):
    case = REFERENCE["cases"]["bcg"]
    rows = zip(case["yi"], case["vi"], case["ablat"], case["year"], strict=True)
    path = tmp_path / "bcg.csv"
    path.write_text("effect,variance,ablat,year\n" + "".join(f"{y},{v},{a},{t}\n" for y, v, a, t in rows))
    return path


def _expected(case, method, test):
    return next(entry["result"] for entry in REFERENCE["results"]
                if (entry["case"], entry["method"], entry["test"]) == (case, method, test))


@pytest.mark.parametrize(("method", "test"), [("FE", "z"), ("DL", "z"), ("REML", "knha"), ("PM", "knha")])
def test_json_figures_are_metafors(bcg_file, method, test):
    result = runner.invoke(app, ["meta", str(bcg_file), "--yi", "effect", "--vi", "variance", "--method", method,
                                 "--test", test, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) == KEYS
    for name, value in figures.items():
        assert value == pytest.approx(_expected("bcg", method, test)[name], abs=1e-6), name


def test_fixed_effect_has_no_tau2_and_its_prediction_interval_is_the_confidence_interval(bcg_file):
    result = runner.invoke(app, ["meta", str(bcg_file), "--yi", "effect", "--vi", "variance", "--method", "FE",
                                 "--json"])
    figures = json.loads(result.output)
    assert figures["tau2"] == 0
    assert (figures["pi_low"], figures["pi_high"]) == (figures["ci_low"], figures["ci_high"])


def test_moderators_give_a_meta_regression(bcg_file):
    result = runner.invoke(app, ["meta", str(bcg_file), "--yi", "effect", "--vi", "variance", "--method", "REML",
                                 "--test", "knha", "--moderator", "ablat", "--moderator", "year", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    expected = next(e["result"] for e in REFERENCE["moderated"] if (e["method"], e["test"]) == ("REML", "knha"))
    assert [c["term"] for c in figures["coefficients"]] == ["intercept", "ablat", "year"]
    for got, want in zip(figures["coefficients"], expected["coefficients"], strict=True):
        assert got["estimate"] == pytest.approx(want["estimate"], abs=1e-6)
        assert got["se"] == pytest.approx(want["se"], abs=1e-6)
    assert figures["qm"] == pytest.approx(expected["qm"], abs=1e-6)
    assert figures["qe"] == pytest.approx(expected["qe"], abs=1e-6)


def test_plain_words_by_default(bcg_file):
    result = runner.invoke(app, ["meta", str(bcg_file), "--yi", "effect", "--vi", "variance"])
    assert result.exit_code == 0, result.output
    assert "13 estimates pooled: random effects, restricted maximum likelihood, Hartung–Knapp (t)." in result.output
    assert "In a new site like these, the effect is likely (95% prediction interval) between" in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("yi,vi\n0.2,0.01\n", "has 1 usable row; pooling needs at least 2 estimates"),
    ("yi,vi\n0.2,0.01\n0.3,-0.02\n", "line 3: the variance (vi) is -0.02; a variance must be greater than 0"),
    ("yi,vi\n0.2,0.01\n0.3,0\n", "line 3: the variance (vi) is 0; a variance must be greater than 0"),
    ("yi,vi\n0.2,0.01\nabout half,0.02\n", "line 3: yi is “about half”, which is not a number"),
    ("yi,vi\n0.2,0.01\n0.4,\n", "line 3: vi is empty"),
    ("effect,vi\n0.2,0.01\n0.4,0.02\n", "has no column yi; its columns are effect, vi"),
    ("", "is empty"),
])
def test_files_that_cannot_be_pooled_are_refused_naming_the_line(tmp_path, content, message):
    path = tmp_path / "estimates.csv"
    path.write_text(content)
    result = runner.invoke(app, ["meta", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "estimates.csv"
    path.write_text("yi,vi\n0.2,0.01\n\n,\n0.4,0.02\n")
    result = runner.invoke(app, ["meta", str(path), "--method", "FE", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["estimate"] == pytest.approx((0.2 / 0.01 + 0.4 / 0.02) / (1 / 0.01 + 1 / 0.02))


def test_knapp_hartung_with_a_fixed_effect_is_refused(bcg_file):
    result = runner.invoke(app, ["meta", str(bcg_file), "--yi", "effect", "--vi", "variance", "--method", "FE",
                                 "--test", "knha"])
    assert result.exit_code == 1 and "use the z test with FE" in result.output


def test_the_worked_example_in_the_docs_prints_what_the_docs_show(monkeypatch):
    """Every `$ improvenet meta ...` block of docs/synthesis.md, run from the project's root."""
    root = Path(__file__).parents[2]
    monkeypatch.chdir(root)
    blocks = re.findall(r"```console\n\$ improvenet (.+?)\n(.*?)```", (root / "docs/synthesis.md").read_text(), re.S)
    assert len(blocks) == 3
    for command, shown in blocks:
        result = runner.invoke(app, shlex.split(command))
        assert result.exit_code == 0, result.output
        assert result.output.strip() == shown.strip(), command
