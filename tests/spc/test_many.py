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

POINT_COLUMNS = ["x", "y", "n", "cl", "lcl", "ucl", "part", "limits_source", "include", "baseline",
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


def test_a_series_shorter_than_freeze_is_shown_without_lines_and_named_in_a_note() -> None:
    frame = pd.concat([long_table(schools=1, weeks=10), long_table(schools=2, weeks=4).iloc[4:]])
    result = qic_many(frame, by="school", y="present", x="week", chart="i", freeze=6)
    assert result.notes == [
        "series school='S1': freeze=6 is beyond the data (only 4 subgroups), "
        "so it is shown without centre line or limits"
    ]
    short = result.points[result.points["school"] == "S1"]
    assert short["y"].tolist() == frame[frame["school"] == "S1"]["present"].tolist()
    assert short[["cl", "lcl", "ucl"]].isna().all().all()
    assert not short["sigma_signal"].any() and not short["runs_signal"].any()
    assert (result.signals["school"] != "S1").all()
    s0 = frame[frame["school"] == "S0"]
    single = qic(s0["present"], x=s0["week"], chart="i", freeze=6)
    assert_same(result.points[result.points["school"] == "S0"].reset_index(drop=True), single.points, POINT_COLUMNS)
    with pytest.raises(SPCInputError, match=r"the series: freeze=6 is beyond the data \(only 4 subgroups\)"):
        qic(frame[frame["school"] == "S1"]["present"], chart="i", freeze=6)


@pytest.mark.parametrize("chart", ["i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"])
@pytest.mark.parametrize("rules", ["anhoej", "ihi", "nhs"])
def test_one_new_school_does_not_blank_the_dashboard(chart: str, rules: str) -> None:
    frame = long_table(schools=3, weeks=20)
    frame = frame[(frame["school"] != "S1") | (frame["week"] == frame["week"].min())]  # S1: one week
    frame = frame.assign(present=frame["present"] + 1.0)  # T chart: times above zero
    n = "enrolled" if chart in ("p", "pp", "u", "up") else None
    result = qic_many(frame, by="school", y="present", n=n, x="week", chart=chart, rules=rules)
    article = "an" if chart in ("i", "mr", "xbar", "s", "up") else "a"
    usable = "1 usable point"
    assert result.notes == [
        f"series school='S1': only {usable}; at least 2 are needed for the limits of {article} {chart} chart, "
        "so it is shown without centre line or limits"
    ]
    new = result.points[result.points["school"] == "S1"]
    assert len(new) == 1 and new["x"].tolist() == [frame["week"].min()]
    if chart not in ("mr", "s"):
        assert new["y"].notna().all()
    assert new[["cl", "lcl", "ucl"]].isna().all().all()
    assert not new["sigma_signal"].any() and not new["runs_signal"].any()
    assert (result.signals["school"] != "S1").all()
    parts = result.parts[result.parts["school"] == "S1"].iloc[0]
    assert not parts["runs_signal"] and parts["sigma_signals"] == 0
    for school in ("S0", "S2"):
        rows = frame[frame["school"] == school]
        single = qic(rows["present"], None if n is None else rows[n], x=rows["week"], chart=chart, rules=rules)
        points = result.points[result.points["school"] == school].reset_index(drop=True)
        assert_same(points, single.points, POINT_COLUMNS)
        signals = result.signals[result.signals["school"] == school].reset_index(drop=True)
        assert_same(signals, single.signals, ["rule", "first", "last", "n_points", "direction"])
    rows = frame[frame["school"] == "S1"]
    with pytest.raises(SPCInputError, match=rf"only {usable}"):
        qic(rows["present"], None if n is None else rows[n], x=rows["week"], chart=chart, rules=rules)


def test_a_short_part_is_blank_and_the_other_parts_keep_their_limits() -> None:
    frame = long_table(schools=2, weeks=12)
    frame["phase"] = np.where(frame["week"] >= frame["week"].max(), "after", "before")  # "after": one week
    frame.loc[frame["school"] == "S0", "phase"] = "before"
    result = qic_many(frame, by="school", y="present", n="enrolled", x="week", chart="p", part="phase")
    assert result.notes == [
        "series school='S1', part 2: only 1 usable point; at least 2 are needed for the limits of a p chart, "
        "so it is shown without centre line or limits"
    ]
    s1 = result.points[result.points["school"] == "S1"]
    assert s1[["cl", "lcl", "ucl"]].iloc[:11].notna().all().all()
    assert s1[["cl", "lcl", "ucl"]].iloc[11:].isna().all().all()
    before = frame[(frame["school"] == "S1") & (frame["phase"] == "before")]
    alone = qic(before["present"], before["enrolled"], x=before["week"], chart="p")
    assert_same(s1.iloc[:11].reset_index(drop=True), alone.points, ["y", "cl", "lcl", "ucl", "sigma_signal"])
    rows = frame[frame["school"] == "S0"]
    single = qic(rows["present"], rows["enrolled"], x=rows["week"], chart="p", part=rows["phase"].tolist())
    assert_same(result.points[result.points["school"] == "S0"].reset_index(drop=True), single.points, POINT_COLUMNS)


def test_a_run_chart_needs_no_limits_so_one_point_series_have_no_note() -> None:
    frame = long_table(schools=2, weeks=1)
    result = qic_many(frame, by="school", y="present", x="week")
    assert result.notes == [] and result.points["cl"].notna().all()


def check_short_series(many, key, rows, points, signals, n, chart, rules) -> None:
    """A series qic refuses: a note names it (and the part, when it has several); the points
    of a named part (all points, without a part) keep their values but have no lines and no
    signal; every other part equals qic of that part's rows alone."""
    prefix = f"series series={key!r}"
    notes = [note for note in many.notes if note.startswith(prefix + ":") or note.startswith(prefix + ", part ")]
    assert notes, many.notes
    whole = any(note.startswith(prefix + ":") for note in notes)
    blank_parts = {int(note.split(", part ")[1].split(":")[0]) for note in notes if ", part " in note}
    if chart not in ("mr", "c"):
        ratio = rows["y"] / (rows["n"] if n else 1)
        assert points["y"].tolist() == pytest.approx(ratio.tolist(), nan_ok=True)
    for part, in_part in points.groupby("part"):
        if whole or part in blank_parts:
            assert in_part[["cl", "lcl", "ucl"]].isna().all().all()
            assert not in_part["sigma_signal"].any() and not in_part["runs_signal"].any()
            assert (signals["part"] != part).all()
        else:
            alone = rows.iloc[in_part.index]
            single = qic(alone["y"], None if n is None else alone["n"], x=alone["t"], chart=chart, rules=rules)
            assert_same(in_part.reset_index(drop=True), single.points, ["y", "cl", "lcl", "ucl", "sigma_signal"])


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(1, 40)), st.integers(40, 80)),
        min_size=1,
        max_size=50,
    ),
    chart=st.sampled_from(["i", "p", "u", "c", "t", "g", "mr", "run"]),
    rules=st.sampled_from(["anhoej", "ihi", "nhs"]),
    freeze=st.one_of(st.none(), st.integers(1, 6)),
    breaks=st.one_of(st.none(), st.lists(st.integers(0, 8), min_size=1, max_size=2)),
)
def test_property_many_equals_single_wherever_single_does_not_raise(data, chart, rules, freeze, breaks) -> None:
    """Series of any length, with missing values: qic_many equals qic for every series qic can
    chart; a series qic refuses comes back from qic_many with its points, no lines where it is
    too short, no signals there, and a note naming it."""
    if rules == "nhs" and chart == "run":
        rules = "ihi"
    frame = pd.DataFrame(data, columns=["series", "y", "n"]).astype({"y": float, "n": float})
    frame["t"] = frame.groupby("series").cumcount()
    if freeze is not None or (breaks is not None and len(breaks) >= frame.groupby("series").size().min()):
        breaks = None  # as many whole numbers as a series has rows would be labels for qic
    n = "n" if chart in ("p", "u") else None
    options = dict(chart=chart, rules=rules, freeze=freeze, part=breaks)
    many = qic_many(frame, by="series", y="y", n=n, x="t", **options)
    for key, rows in frame.groupby("series"):
        points = many.points[many.points["series"] == key].reset_index(drop=True)
        signals = many.signals[many.signals["series"] == key].reset_index(drop=True)
        try:
            single = qic(rows["y"], None if n is None else rows["n"], x=rows["t"], **options)
        except SPCInputError:
            check_short_series(many, key, rows, points, signals, n, chart, rules)
            continue
        assert_same(points, single.points, POINT_COLUMNS)
        parts = many.parts[many.parts["series"] == key].reset_index(drop=True)
        assert_same(parts, single.parts, PART_COLUMNS)
        assert_same(signals, single.signals, ["part", "rule", "first", "last", "n_points", "direction"])


def test_part_labels_and_break_positions_mean_the_same_in_qic_and_qic_many() -> None:
    frame = long_table(schools=3, weeks=12)
    frame["phase"] = np.where(frame["week"] >= np.datetime64("2024-10-14"), 2, 1)  # whole numbers, one per row
    shuffled = frame.sample(frac=1, random_state=3)
    options = dict(by="school", y="present", n="enrolled", x="week", chart="p")
    by_column = qic_many(shuffled, part="phase", **options)
    by_list = qic_many(shuffled, part=shuffled["phase"].tolist(), **options)
    by_breaks = qic_many(shuffled, part=[6], **options)
    for result in (by_column, by_list, by_breaks):
        assert result.points["part"].tolist() == ([1] * 6 + [2] * 6) * 3
    for school, rows in frame.groupby("school"):
        for part in (rows["phase"].tolist(), [6]):
            single = qic(rows["present"], rows["enrolled"], x=rows["week"], chart="p", part=part)
            for result in (by_column, by_list, by_breaks):
                points = result.points[result.points["school"] == school].reset_index(drop=True)
                assert_same(points, single.points, POINT_COLUMNS)
    with pytest.raises(SPCInputError, match=r"one label per row \(36 labels, got 37\)"):
        qic_many(frame, by="school", y="present", part=[1] * 37)


def test_many_high_cardinality_key_columns_never_merge_series() -> None:
    """Five key columns of 65,536 values each: their codes combined in one integer would need
    80 bits; rows differing only in the first column must stay separate series."""
    size = 2**16
    codes = np.arange(size)
    frame = pd.DataFrame({f"k{i}": codes for i in range(5)})
    frame = pd.concat([frame, pd.DataFrame({"k0": [1], "k1": [0], "k2": [0], "k3": [0], "k4": [0]})])
    frame["k0"] = frame["k0"].map("school {:05d}".format)  # text keys, coded in sorted order
    frame["y"] = np.arange(len(frame), dtype=float)
    by = [f"k{i}" for i in range(5)]
    result = qic_many(frame, by=by, y="y")
    assert len(result.parts) == len(frame) == size + 1
    first = result.points[(result.points["k1"] == 0) & (result.points["k4"] == 0)]
    assert first[["k0", "y"]].values.tolist() == [["school 00000", 0.0], ["school 00001", float(size)]]
    keys = result.points[by]
    assert not keys.duplicated().any()
    assert keys.equals(keys.sort_values(by).reset_index(drop=True))


def test_integer_keys_far_apart_sort_without_overflow() -> None:
    """Hashed ids span most of int64: packing them with x must not wrap around."""
    ids = np.array([2**63 - 7, -(2**63) + 5], dtype=np.int64)
    frame = pd.DataFrame({"id": np.repeat(ids, 6), "week": np.tile(np.arange(6), 2)})
    frame["y"] = np.arange(len(frame), dtype=float) % 5
    shuffled = frame.sample(frac=1, random_state=1)
    result = qic_many(shuffled, by="id", y="y", x="week", chart="i")
    assert result.parts["id"].tolist() == sorted(ids.tolist())
    for key, rows in frame.groupby("id"):
        points = result.points[result.points["id"] == key].reset_index(drop=True)
        assert_same(points, qic(rows["y"], x=rows["week"], chart="i").points, POINT_COLUMNS)
    big = np.array([2**64 - 1, 1, 2**63], dtype=np.uint64)
    unsigned = qic_many(pd.DataFrame({"id": np.repeat(big, 3), "y": np.arange(9.0)}), by="id", y="y", chart="i")
    assert unsigned.parts["id"].tolist() == sorted(big.tolist())
