"""Genuine qicharts2 0.8.1 output (tests/fixtures/spc/qicharts2): every per-point value and
every runs statistic must agree to 1e-9."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from improvenet.spc import qic, qic_many

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "qicharts2"
TOL = 1e-9

# expected file -> (input file, x column, y column, n column, qic options), from cases.json.
CASES = {
    "ex_6.3_1": ("tbl_06_03", "sample", "obs", None, dict(chart="xbar")),
    "ex_6.3_2": ("tbl_06_03", "sample", "obs", None, dict(chart="s")),
    "ex_6.4_1": ("tbl_06_04", "sample", "obs", None, dict(chart="xbar")),
    "ex_6.4_2": ("tbl_06_04", "sample", "obs", None, dict(chart="s")),
    "ex_6.5_3": ("tbl_06_07", "weeks", "cost", None, dict(chart="i", freeze=20)),
    "ex_6.5_4": ("tbl_06_07", "weeks", "cost", None, dict(chart="mr", freeze=20)),
    "ex_7.1_5": ("tbl_07_03", "sample", "count", "size", dict(chart="p", exclude=[15, 23], part=[30])),
    "tbl_7.4_1": ("tbl_07_04", "sample", "count", "size", dict(chart="p")),
    "ex_7.3_3": ("tbl_07_08", "sample", "count", None, dict(chart="c", exclude=[6, 20], freeze=26)),
    "ex_7.4_1": ("tbl_07_10", "sample", "count", "size", dict(chart="u")),
    "ex_7.5_1": ("tbl_07_11", "roll", "count", "meters", dict(chart="u", multiply=50)),
    "ex_7.6_1": ("tbl_07_14", "failure", "hours", None, dict(chart="t")),
    "NA_test": ("NA_test", "sample", "obs", None, dict(chart="xbar")),
}

POINT_COLUMNS = {"y": "y", "cl": "cl", "lcl": "lcl", "ucl": "ucl"}
FLAG_COLUMNS = {
    "sigma.signal": "sigma_signal",
    "runs.signal": "runs_signal",
    "baseline": "baseline",
    "include": "include",
}
PART_COLUMNS = {
    "n.obs": "n_obs",
    "n.useful": "n_useful",
    "longest.run": "longest_run",
    "longest.run.max": "longest_run_max",
    "n.crossings": "n_crossings",
    "n.crossings.min": "n_crossings_min",
}


def assert_close(actual, expected, what: str) -> None:
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), f"{what}: missing values differ"
    both = ~np.isnan(expected)
    diff = np.max(np.abs(actual[both] - expected[both]), initial=0.0)
    assert diff <= TOL, f"{what}: max abs diff {diff:g}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_points_match_qicharts2(name: str) -> None:
    source, x, y, n, options = CASES[name]
    data = pd.read_csv(DIR / "inputs" / f"{source}.csv")
    expected = pd.read_csv(DIR / "expected" / f"{name}.csv")
    result = qic(data[y], None if n is None else data[n], x=data[x], **options)
    points = result.points
    assert len(points) == len(expected)
    assert_close(points["x"], expected["x"], f"{name} x")
    assert_close(points["part"], expected["part"], f"{name} part")
    for theirs, ours in POINT_COLUMNS.items():
        assert_close(points[ours], expected[theirs], f"{name} {ours}")
    for theirs, ours in FLAG_COLUMNS.items():
        assert points[ours].tolist() == expected[theirs].astype(bool).tolist(), f"{name} {ours}"
    # Runs statistics are per part (qicharts2 repeats them on every row).
    parts = result.parts.set_index("part").loc[points["part"]]
    for theirs, ours in PART_COLUMNS.items():
        assert_close(parts[ours], expected[theirs], f"{name} {ours}")


def _hai() -> pd.DataFrame:
    return pd.read_csv(DIR / "inputs" / "hospital_infections.csv", parse_dates=["month"])


def _compare_summary(parts: pd.DataFrame, points: pd.DataFrame, keys: list[str], name: str):
    expected = pd.read_csv(DIR / "expected" / f"{name}.csv")
    summary = points.groupby(keys + ["part"], sort=True).agg(
        aLCL=("lcl", "mean"), CL=("cl", "first"), aUCL=("ucl", "mean"), sig=("sigma_signal", "sum")
    )
    parts = parts.set_index(keys + ["part"]).join(summary).reset_index()
    assert len(parts) == len(expected)
    for theirs, ours in PART_COLUMNS.items():
        assert_close(parts[ours], expected[theirs], f"{name} {ours}")
    for column in ("aLCL", "CL", "aUCL"):
        assert_close(parts[column], expected[column], f"{name} {column}")
    assert_close(parts["sig"], expected["sigma.signal"], f"{name} sigma signals")
    assert_close(parts["sigma_signals"], expected["sigma.signal"], f"{name} sigma_signals")
    assert_close(parts["runs_signal"].astype(int), expected["runs.signal"], f"{name} runs")
    return parts, expected


def test_hai_aggregated_u_chart() -> None:
    data = _hai()
    result = qic(data["n"], data["days"], x=data["month"], chart="u")
    points = result.points.assign(series=1)
    parts = result.parts.assign(series=1)
    _compare_summary(parts, points, ["series"], "hai_1_summary")


def test_hai_faceted_by_infection() -> None:
    result = qic_many(_hai(), by="infection", y="n", n="days", x="month", chart="u")
    parts, expected = _compare_summary(result.parts, result.points, ["infection"], "hai_2_summary")
    assert parts["infection"].tolist() == expected["facet1"].tolist()


def test_hai_faceted_by_hospital_and_infection() -> None:
    result = qic_many(_hai(), by=["hospital", "infection"], y="n", n="days", x="month", chart="u")
    parts, expected = _compare_summary(result.parts, result.points, ["hospital", "infection"], "hai_3_summary")
    assert parts["hospital"].tolist() == expected["facet1"].tolist()
    assert parts["infection"].tolist() == expected["facet2"].tolist()


def test_hai_funnel_plot_with_categorical_x() -> None:
    data = _hai()
    data = data[data["month"] >= "2016-07-01"]
    # qicharts2 orders the hospitals by their mean number of risk days (reorder()); a
    # categorical x keeps the order in which categories first appear.
    order = data.groupby("hospital")["days"].mean().sort_values().index.tolist()
    assert order == ["BOH", "BFH", "AHH", "NOH", "HGH", "RGH"]
    data = data.assign(rank=data["hospital"].map(order.index)).sort_values(["rank", "month"])
    result = qic_many(data, by="infection", y="n", n="days", x="hospital", chart="u", multiply=10000)
    parts, _ = _compare_summary(result.parts, result.points, ["infection"], "hai_4_summary")
    assert not result.points["runs_signal"].any()
