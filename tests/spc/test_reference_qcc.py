"""qcc v3.0 vignette results (tests/fixtures/spc/qcc).

qcc prints 7 significant digits. Where qcc's definition is qicharts2's (p, c, u, I from
MR / 1.128, S-bar based S chart, phase I/II = freeze, removed points = exclude) we must agree
to that precision. qcc's default xbar chart estimates sigma from R-bar with tabulated d2; we only
compare its centre line. R, np, I-from-SD charts and the Western Electric / Nelson rule tests
have no counterpart here and are skipped with the reason."""

import json
from pathlib import Path

import pandas as pd
import pytest

from improvenet.spc import qic

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "qcc"
EXPECTED = {case["id"]: case["expected"] for case in json.loads((DIR / "expected.json").read_text())["vignette_cases"]}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DIR / "data" / f"{name}.csv")


def check(result, case_id: str, row: int = 0, centre_only: bool = False) -> None:
    expected = EXPECTED[case_id]
    points = result.points.iloc[row]
    assert points["cl"] == pytest.approx(expected["center"], rel=5e-7)
    if not centre_only:
        assert points["lcl"] == pytest.approx(expected["LCL"], rel=5e-7, abs=1e-12)
        assert points["ucl"] == pytest.approx(expected["UCL"], rel=5e-7)


def test_pistonrings_xbar_centre() -> None:
    rings = read("pistonrings").query("trial")
    check(qic(rings["diameter"], x=rings["sample"], chart="xbar"), "pistonrings_xbar", centre_only=True)


def test_pistonrings_s_chart() -> None:
    rings = read("pistonrings").query("trial")
    check(qic(rings["diameter"], x=rings["sample"], chart="s"), "pistonrings_S")


def test_orangejuice_p_trial() -> None:
    juice = read("orangejuice").query("trial")
    check(qic(juice["D"], juice["size"], x=juice["sample"], chart="p"), "orangejuice_p")


def test_orangejuice_p_revised_is_freeze_plus_exclude() -> None:
    juice = read("orangejuice")
    result = qic(juice["D"], juice["size"], x=juice["sample"], chart="p", freeze=30, exclude=[15, 23])
    check(result, "orangejuice_p_revised")
    check(result, "orangejuice_p_revised", row=40)  # phase II keeps the phase I limits


def test_orangejuice2_p_with_clipped_lower_limit() -> None:
    juice = read("orangejuice2")
    check(qic(juice["D"], juice["size"], x=juice["sample"], chart="p", freeze=24), "orangejuice2_p")


def test_circuit_c() -> None:
    boards = read("circuit").query("trial")
    check(qic(boards["x"], x=boards["sample"], chart="c"), "circuit_c")


def test_circuit_c_and_u_revised() -> None:
    boards = read("circuit")
    options = dict(x=boards["sample"], freeze=26, exclude=[6, 20])
    check(qic(boards["x"], chart="c", **options), "circuit_c_revised")
    check(qic(boards["x"], boards["size"], chart="u", **options), "circuit_u_revised")


def test_pcmanufact_u() -> None:
    pcs = read("pcmanufact")
    check(qic(pcs["x"], pcs["size"], chart="u"), "pcmanufact_u")


def test_viscosity_i_chart() -> None:
    batches = read("viscosity").query("trial")
    result = qic(batches["viscosity"], x=batches["batch"], chart="i")
    check(result, "viscosity_I_MR")
    assert result.points["sigma_signal"].sum() == 1  # qcc: exactly one point beyond the limits


def test_viscosity_i_chart_without_row_4() -> None:
    batches = read("viscosity").drop(index=3)
    check(qic(batches["viscosity"], chart="i", freeze=int(batches["trial"].sum())), "viscosity_I_MR_drop4")


@pytest.mark.parametrize(
    "case_id, reason",
    [
        ("pistonrings_R", "R chart: not a qicharts2 chart type"),
        ("orangejuice_np", "np chart: not a qicharts2 chart type"),
        ("viscosity_I_SD", "I chart with sigma from the overall SD: qicharts2 uses the moving range"),
        ("western_electric_and_nelson_rules", "WE/Nelson rules are not offered; see rules=anhoej|ihi|nhs"),
    ],
)
def test_out_of_scope(case_id: str, reason: str) -> None:
    pytest.skip(reason)
