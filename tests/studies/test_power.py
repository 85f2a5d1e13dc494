"""Power and minimum detectable effects agree with PowerUpR 1.1.0 (and PowerUp!'s published examples)."""

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.studies.power import Design, PowerError, mdes, required

REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures/studies/powerupr_reference.json").read_text())
# PowerUpR's argument names → improvenet's (the CLI's, as in the PowerUp! spreadsheet).
NAMES = {"g1": "g", "g2": "g", "g3": "g", "r21": "R1", "r22": "R2", "r23": "R3", "r2t3": "RT3", "p": "P",
         "two.tailed": "two_tailed"}
# The spreadsheet's published examples, as PowerUpR's documentation cross-checks them.
PUBLISHED = {"ira1r1": 0.356, "cra2r2": 0.629, "cra3r3": 0.269, "bcra3r2": 0.246, "bcra3f2": 0.145}
runner = CliRunner()


def _design(entry) -> Design:
    return Design(entry["design"], **{NAMES.get(key, key): value for key, value in entry["args"].items()})


def _label(entry):
    return entry["design"] + "-" + "-".join(f"{key}{value}" for key, value in entry["args"].items())


@pytest.mark.parametrize("entry", REFERENCE["results"], ids=_label)
def test_mdes_and_degrees_of_freedom_agree_with_powerupr(entry):
    detectable = mdes(_design(entry))
    assert detectable.mdes == pytest.approx(entry["mdes"], abs=1e-9)
    assert detectable.df == entry["df"]


def test_the_published_examples():
    firsts = {}
    for entry in REFERENCE["results"]:
        firsts.setdefault(entry["design"], entry)
    assert {design: round(mdes(_design(entry)).mdes, 3) for design, entry in firsts.items()} == PUBLISHED


@pytest.mark.parametrize("entry", REFERENCE["results"], ids=_label)
def test_required_size_solves_with_the_degrees_of_freedom_varying(entry):
    design = _design(entry)
    needed = required(design, entry["target_mdes"])
    assert needed.size == entry["solves"]
    # PowerUpR reports the exact solution rounded to the nearest whole number ...
    assert round(needed.continuous) == entry["required"]
    # ... improvenet the smallest whole number that reaches the target, and says what that one detects.
    assert needed.detectable.mdes <= entry["target_mdes"]
    if needed.required - 1 >= 2:
        assert mdes(replace(design, **{needed.size: needed.required - 1})).mdes > entry["target_mdes"]


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 0.5), st.integers(2, 200), st.integers(4, 300), st.floats(0.0, 0.9))
def test_more_schools_or_better_covariates_never_raise_the_mdes(rho2, n, J, R2):
    base = mdes(Design("cra2r2", n=n, J=J, rho2=rho2, R2=R2)).mdes
    assert mdes(Design("cra2r2", n=n, J=J + 1, rho2=rho2, R2=R2)).mdes <= base
    assert mdes(Design("cra2r2", n=n, J=J, rho2=rho2, R2=min(R2 + 0.05, 0.95))).mdes <= base + 1e-12


@pytest.mark.parametrize(("design", "message"), [
    (Design("cra2r2", n=15, rho2=0.2), "needs --J"),
    (Design("cra2r2", n=15, J=3, rho2=0.2, g=2), "leaves -1 degrees of freedom"),
    (Design("cra2r2", n=15, J=20, rho2=1.2), "--rho2 is 1.2"),
    (Design("cra3r3", n=15, J=3, K=20, rho2=0.6, rho3=0.5), "rho2 + rho3 must be less than 1"),
    (Design("cra2r2", n=15, J=20, rho2=0.2, P=1), "--P is 1"),
    (Design("rct", n=15), "Unknown design “rct”"),
])
def test_impossible_designs_are_refused_naming_the_parameter(design, message):
    with pytest.raises(PowerError, match=re.escape(message)):
        mdes(design)


def test_cli_prints_mdes_and_df_as_json():
    result = runner.invoke(app, ["study", "mdes", "--design", "cra2r2", "--rho2", "0.17", "--n", "15", "--J", "20",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"mdes": pytest.approx(0.629006417691423, abs=1e-9), "df": 18}


def test_cli_with_a_target_prints_the_required_size():
    result = runner.invoke(app, ["study", "mdes", "--design", "bcra3r2", "--rho3", "0.13", "--rho2", "0.10",
                                 "--omega3", "0.4", "--n", "10", "--J", "6", "--target-mdes", "0.25", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["K"] == 24 and figures["mdes"] <= 0.25 and figures["df"] == 23


def test_cli_one_tailed_and_in_words():
    two = runner.invoke(app, ["study", "mdes", "--design", "ira1r1", "--n", "120"])
    one = runner.invoke(app, ["study", "mdes", "--design", "ira1r1", "--n", "120", "--one-tailed"])
    assert "0.516 standard deviations" in two.output and "two-tailed" in two.output
    assert "0.457 standard deviations" in one.output and "one-tailed" in one.output


def test_cli_refuses_an_impossible_design_without_a_traceback():
    result = runner.invoke(app, ["study", "mdes", "--design", "cra2r2", "--n", "15", "--J", "3", "--g", "2"])
    assert result.exit_code == 1
    assert "leaves -1 degrees of freedom" in result.output and "Traceback" not in result.output


def test_the_examples_in_the_docs_print_what_the_docs_show(monkeypatch):
    monkeypatch.chdir(Path(__file__).parents[2])
    docs = (Path(__file__).parents[2] / "docs/studies.md").read_text()
    blocks = re.findall(r"```console\n\$ improvenet (.+?)\n(.*?)```", docs, re.S)
    assert len(blocks) == 3
    for command, shown in blocks:
        result = runner.invoke(app, command.split())
        assert result.exit_code == 0, result.output
        assert result.output.strip() == shown.strip(), command
