"""qic_many: many series at once, equal to qic series by series, whatever the input library
or row order."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.spc import SPCInputError, qic, qic_many

POINT_COLUMNS = ["x", "y", "n", "cl", "lcl", "ucl", "part", "include", "baseline",
                 "sigma_signal", "runs_signal"]  # fmt: skip
PART_COLUMNS = ["part", "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings",
                "n_crossings_min", "runs_signal", "sigma_signals"]  # fmt: skip


def long_table(seed: int = 7, schools: int = 5, weeks: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    week = np.datetime64("2024-09-02") + 7 * np.arange(weeks).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "school": np.repeat([f"S{i}" for i in range(schools)], weeks),
            "week": np.tile(week, schools),
            "enrolled": rng.integers(200, 600, schools * weeks).astype(float),
        }
    )
    frame["present"] = rng.binomial(frame["enrolled"].astype(int), 0.92).astype(float)
    return frame


def assert_same(many: pd.DataFrame, single: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        a, b = many[column].to_numpy(), single[column].to_numpy()
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=0, atol=0, err_msg=column)
        else:
            assert a.tolist() == b.tolist(), column


@pytest.mark.parametrize("chart", ["run", "i", "p", "pp", "u", "c", "g"])
@pytest.mark.parametrize("rules", ["anhoej", "ihi", "nhs"])
def test_many_equals_single(chart: str, rules: str) -> None:
    if rules == "nhs" and chart == "run":
        pytest.skip("nhs rules need limits")
    frame = long_table()
    options = dict(chart=chart, rules=rules, freeze=20, exclude=[3])
    n = None if chart in ("run", "i", "c", "g") else "enrolled"
    many = qic_many(frame, by="school", y="present", n=n, x="week", **options)
    for school, rows in frame.groupby("school"):
        single = qic(rows["present"], None if n is None else rows[n], x=rows["week"], **options)
        points = many.points[many.points["school"] == school].reset_index(drop=True)
        assert_same(points, single.points, POINT_COLUMNS)
        parts = many.parts[many.parts["school"] == school].reset_index(drop=True)
        assert_same(parts, single.parts, PART_COLUMNS)
        signals = many.signals[many.signals["school"] == school].reset_index(drop=True)
        assert_same(signals, single.signals, ["rule", "first", "last", "n_points", "direction"])


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(40, 80)),
        min_size=4,
        max_size=60,
    ),
    chart=st.sampled_from(["i", "p", "u", "c", "run"]),
    rules=st.sampled_from(["anhoej", "ihi"]),
    seed=st.integers(0, 1000),
)
def test_property_many_equals_single_and_ignores_row_order(data, chart, rules, seed) -> None:
    frame = pd.DataFrame(data, columns=["series", "y", "n"]).astype({"y": float, "n": float})
    frame["t"] = frame.groupby("series").cumcount()
    sizes = frame.groupby("series").size()
    frame = frame[frame["series"].isin(sizes[sizes >= 3].index)]
    if frame.empty:
        return
    n = "n" if chart in ("p", "u") else None
    many = qic_many(frame, by="series", y="y", n=n, x="t", chart=chart, rules=rules)
    shuffled = frame.sample(frac=1, random_state=seed)
    again = qic_many(shuffled, by="series", y="y", n=n, x="t", chart=chart, rules=rules)
    pd.testing.assert_frame_equal(many.points, again.points)
    pd.testing.assert_frame_equal(many.parts, again.parts)
    pd.testing.assert_frame_equal(many.signals, again.signals)
    for key, rows in frame.groupby("series"):
        single = qic(rows["y"], None if n is None else rows["n"], x=rows["t"], chart=chart, rules=rules)
        points = many.points[many.points["series"] == key].reset_index(drop=True)
        assert_same(points, single.points, POINT_COLUMNS)
        parts = many.parts[many.parts["series"] == key].reset_index(drop=True)
        assert_same(parts, single.parts, PART_COLUMNS)


def test_polars_and_arrow_input_give_frames_of_the_same_library() -> None:
    frame = long_table(schools=2, weeks=12)
    expected = qic_many(frame, by="school", y="present", n="enrolled", x="week", chart="p")
    for native, kind in ((pl.from_pandas(frame), pl.DataFrame), (pa.Table.from_pandas(frame), pa.Table)):
        result = qic_many(native, by="school", y="present", n="enrolled", x="week", chart="p")
        assert isinstance(result.points, kind) and isinstance(result.parts, kind)
        np.testing.assert_array_equal(np.asarray(result.points["ucl"]), expected.points["ucl"].to_numpy())
        assert list(result.points.columns if kind is pl.DataFrame else result.points.column_names) == [
            "school",
            *POINT_COLUMNS,
        ]
    assert isinstance(expected.to_frame(backend="polars"), pl.DataFrame)


def test_two_key_columns_and_part_column() -> None:
    frame = long_table(schools=2, weeks=16)
    frame["grade"] = np.where(np.arange(len(frame)) % 2, "5", "6")
    frame["phase"] = np.where(frame["week"] >= np.datetime64("2024-10-14"), "after", "before")
    result = qic_many(frame, by=["school", "grade"], y="present", n="enrolled", x="week", chart="p", part="phase")
    assert result.parts[["school", "grade", "part"]].values.tolist() == [
        ["S0", "5", 1], ["S0", "5", 2], ["S0", "6", 1], ["S0", "6", 2],
        ["S1", "5", 1], ["S1", "5", 2], ["S1", "6", 1], ["S1", "6", 2],
    ]  # fmt: skip


def test_by_is_required_and_named_columns_must_exist() -> None:
    frame = long_table(schools=1, weeks=5)
    with pytest.raises(SPCInputError, match="by must name"):
        qic_many(frame, by=[], y="present")
    with pytest.raises(SPCInputError, match="no column 'attendance'"):
        qic_many(frame, by="school", y="attendance")
    with pytest.raises(SPCInputError, match="pandas, Polars or Arrow"):
        qic_many([[1, 2]], by="school", y="present")


def test_error_names_row_and_series() -> None:
    frame = long_table(schools=2, weeks=5)
    frame.loc[7, "present"] = frame.loc[7, "enrolled"] + 1
    with pytest.raises(SPCInputError, match=r"row 8 \(series school='S1'\): the count y .* above"):
        qic_many(frame, by="school", y="present", n="enrolled", x="week", chart="p")


def test_freeze_beyond_a_short_series_names_it() -> None:
    frame = pd.concat([long_table(schools=1, weeks=10), long_table(schools=2, weeks=4).iloc[4:]])
    with pytest.raises(SPCInputError, match=r"series school='S1': freeze=6 is beyond the data"):
        qic_many(frame, by="school", y="present", x="week", chart="i", freeze=6)
