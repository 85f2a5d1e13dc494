"""NHSRplotthedots v0.2.2 (tests/fixtures/spc/nhsrplotthedots).

NHSRplotthedots draws XmR limits at mean +/- 2.66 x average moving range (screened by
default), where qicharts2 uses 3 / 1.128 = 2.6596. We therefore take the average moving range
out of our I chart (AMR = (ucl - cl) x 1.128 / 3) and apply NHSRplotthedots' constant."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from improvenet.spc import qic, qic_many
from improvenet.spc.rules import Signals, shifts, trends, two_of_three

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "nhsrplotthedots"
EXPECTED = json.loads((DIR / "expected.json").read_text())
CASES = {case["id"]: case for case in EXPECTED["cases"]}
UNITS = EXPECTED["rule_unit_tests"]


def nhs_limits(result):
    points = result.points
    amr = (points["ucl"] - points["cl"]) * 1.128 / 3
    return points["cl"], points["cl"] - 2.66 * amr, points["cl"] + 2.66 * amr


def data() -> pd.DataFrame:
    return pd.read_csv(DIR / "rnorm20_seed123.csv", parse_dates=["x"])


@pytest.mark.parametrize(
    "case_id, screened", [("r1_default", True), ("r2_outlier_screened", True), ("r3_outlier_unscreened", False)]
)
def test_limits(case_id: str, screened: bool) -> None:
    frame = data()
    if case_id != "r1_default":
        frame.loc[14, "y"] = 10.0
    result = qic(frame["y"], x=frame["x"], chart="i", screened_mr=screened, rules="nhs")
    mean, lpl, upl = nhs_limits(result)
    expected = CASES[case_id]["expected"]
    # NHSRplotthedots' snapshots print 7 significant digits.
    assert mean[0] == pytest.approx(expected["mean"], abs=5e-7)
    assert lpl[0] == pytest.approx(expected["lpl"], abs=5e-6)
    assert upl[0] == pytest.approx(expected["upl"], abs=5e-6)


def test_screening_discriminates() -> None:
    frame = data()
    frame.loc[14, "y"] = 10.0
    screened = qic(frame["y"], chart="i", screened_mr=True).points["ucl"][0]
    unscreened = qic(frame["y"], chart="i").points["ucl"][0]
    assert screened < unscreened - 2


def test_default_case_has_only_common_cause() -> None:
    frame = data()
    result = qic(frame["y"], x=frame["x"], chart="i", screened_mr=True, rules="nhs")
    case = CASES["r1_default"]
    side = np.sign(result.points["y"] - result.points["cl"]).astype(int).tolist()
    assert side[:13] == case["expected_relative_to_mean_first13"]
    assert len(result.signals) == 0
    assert not result.points["sigma_signal"].any() and not result.points["runs_signal"].any()


def test_facets_have_their_own_limits() -> None:
    result = qic_many(data(), by="facet", y="y", x="x", chart="i", screened_mr=True, rules="nhs")
    points = result.points
    for facet, expected in CASES["facet_split"]["expected_rounded_3sf"].items():
        rows = points[points["facet"] == int(facet)]
        amr = (rows["ucl"].iloc[0] - rows["cl"].iloc[0]) * 1.128 / 3
        mean = rows["cl"].iloc[0]
        assert float(f"{mean:.3g}") == expected["mean"]
        assert float(f"{mean - 2.66 * amr:.3g}") == expected["lpl"]
        assert float(f"{mean + 2.66 * amr:.3g}") == expected["upl"]
        assert len(rows) == expected["n"]
    assert len(result.signals) == 0


def test_two_points_near_limits_on_opposite_sides_do_not_signal() -> None:
    y = CASES["two_in_three_opposite_sides"]["input"]["data"]
    result = qic(y, chart="i", rules="nhs")
    last_two = result.points.iloc[-2:]
    assert not last_two["runs_signal"].any()
    assert not last_two["sigma_signal"].any()


def _one_part(size: int):
    return np.zeros(size, dtype=np.int64), np.arange(size)


@pytest.mark.parametrize("unit", UNITS["seven_point_one_side_mean"])
def test_seven_points_one_side(unit) -> None:
    side = np.array(unit["in"], dtype=float)
    seg, rows = _one_part(side.size)
    member = shifts(seg, side, np.zeros(side.size), rows, 7, "shift", Signals())
    # NHSRplotthedots marks the 7th point onwards, then back-fills the whole run.
    out = np.array(unit["out"])
    expected = np.zeros(side.size, dtype=bool)
    if out.any():
        last = np.flatnonzero(out)[-1]
        expected[last - np.count_nonzero(side[: last + 1][::-1] == side[last]) + 1 : last + 1] = True
    assert member.tolist() == expected.tolist()


@pytest.mark.parametrize("unit", UNITS["seven_point_trend (strictly monotone over 7 points; ties break)"])
def test_seven_point_trend(unit) -> None:
    y = np.array(unit["in"], dtype=float)
    seg, rows = _one_part(y.size)
    signals = Signals()
    member = trends(seg, y, rows, 7, False, "trend", signals)
    out = np.array(unit["out"])
    expected = np.zeros(y.size, dtype=bool)
    for i in np.flatnonzero(out):  # back-fill: a flag at i marks i-6..i
        expected[i - 6 : i + 1] = True
    assert member.tolist() == expected.tolist()
    table = signals.arrays()
    assert table["direction"].tolist() == [{1: "up", -1: "down"}[v] for v in out[out != 0]]


@pytest.mark.parametrize("unit", UNITS["two_in_three (args: close_to_limits, relative_to_mean)"])
def test_two_in_three(unit) -> None:
    close, side = np.array(unit["close"]), np.array(unit["rtm"], dtype=float)
    y = side * np.where(close == 1, 2.5, 0.5)  # limits at +/-3, 2 sigma at +/-2
    seg, rows = _one_part(y.size)
    size = y.size
    member = two_of_three(seg, y, np.zeros(size), np.full(size, -3.0), np.full(size, 3.0), rows, "2of3", Signals())
    # Only the points near the limits are marked (part_of_two_in_three).
    expected = (np.array(unit["out"]) == 1) & (close == 1)
    assert member.tolist() == expected.tolist()


@pytest.mark.parametrize("unit", UNITS["part_of_two_in_three (only the close points themselves are flagged)"])
def test_part_of_two_in_three(unit) -> None:
    close, side = np.array(unit["close"]), np.array(unit["rtm"], dtype=float)
    y = side * np.where(close == 1, 2.5, 0.5)
    seg, rows = _one_part(y.size)
    size = y.size
    member = two_of_three(seg, y, np.zeros(size), np.full(size, -3.0), np.full(size, 3.0), rows, "2of3", Signals())
    assert member.astype(int).tolist() == unit["out"]


def test_assurance_is_out_of_scope() -> None:
    assert UNITS["assurance"]
    pytest.skip("NHS assurance icons (limits versus a target) are not part of the SPC engine")
