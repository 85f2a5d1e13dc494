"""Parts that follow adopted changes, frozen and trial limits, freeze with part, and episodes."""

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.spc import MIN_PART_POINTS, plan_parts, qic, qic_many

WEEKS = np.arange(np.datetime64("2024-09-02"), np.datetime64("2024-09-02") + 7 * 60, 7)
# Thirty weeks around 50, then thirty around 60: an improvement that starts at week 31.
BEFORE = [50, 52, 48, 51, 49, 53, 47, 50, 51, 49] * 3
AFTER = [60, 62, 58, 61, 59, 63, 57, 60, 61, 59] * 3
STEP = np.array(BEFORE + AFTER, dtype=float)


def test_a_part_starts_at_the_shift_after_an_adopted_change() -> None:
    adopted = datetime.date(2025, 1, 20)  # week 21: the data moves ten weeks later
    plan = plan_parts(STEP, x=WEEKS, chart="i", changes=[adopted])
    assert [(s.row, s.x, s.cause) for s in plan.starts] == [(30, datetime.date(2025, 3, 31), "change")]
    result = qic(STEP, x=WEEKS, chart="i", part=plan.labels, min_part_points=MIN_PART_POINTS)
    points = result.points
    assert points["cl"].iloc[0] == pytest.approx(50) and points["cl"].iloc[-1] == pytest.approx(60)
    # With limits that follow the change, nothing signals any more.
    assert result.episodes.empty
    # One set of limits over both years calls the improvement itself a signal, point after point.
    assert len(qic(STEP, x=WEEKS, chart="i").signals) >= 5


def test_no_part_before_the_data_shows_a_shift() -> None:
    flat = np.array(BEFORE * 2, dtype=float)
    assert plan_parts(flat, x=WEEKS, chart="i", changes=[datetime.date(2025, 1, 20)]).starts == []
    # A shift that began before the change is not the change's doing.
    late = plan_parts(STEP, x=WEEKS, chart="i", changes=[datetime.date(2025, 6, 2)])
    assert late.starts == []


def test_a_break_by_hand_starts_a_part_at_its_first_point() -> None:
    plan = plan_parts(STEP, x=WEEKS, chart="run", breaks=[datetime.date(2025, 3, 29)])
    assert [(s.row, s.cause, s.index) for s in plan.starts] == [(30, "break", 0)]
    assert plan.labels.tolist() == [1] * 30 + [2] * 30


def test_a_short_later_part_keeps_the_previous_limits() -> None:
    y = STEP[:36]  # the new part has 6 points
    labels = [1] * 30 + [2] * 6
    own = qic(y, chart="i", part=labels).points
    frozen = qic(y, chart="i", part=labels, min_part_points=12).points
    assert own["cl"].iloc[-1] == pytest.approx(60.5)
    assert frozen["cl"].iloc[-1] == pytest.approx(frozen["cl"].iloc[0])
    assert frozen["ucl"].iloc[-1] == pytest.approx(frozen["ucl"].iloc[0])
    assert frozen["limits_source"].tolist() == ["computed"] * 30 + ["frozen"] * 6
    # The frozen points are judged against the old limits, not added to them.
    assert frozen["cl"].iloc[0] == pytest.approx(qic(y[:30], chart="i").points["cl"].iloc[0])
    assert not frozen["baseline"].iloc[30:].any()


def test_a_short_first_part_has_trial_limits() -> None:
    points = qic(STEP[:8], chart="i", min_part_points=12).points
    assert set(points["limits_source"]) == {"trial"}
    assert points["ucl"].notna().all()
    assert set(qic(STEP[:8], chart="i").points["limits_source"]) == {"computed"}


def test_a_one_point_part_after_the_first_is_charted_with_frozen_limits() -> None:
    # Without freezing a part needs 2 points for limits; frozen, it borrows the previous ones.
    points = qic(STEP[:31], chart="i", part=[30], min_part_points=12).points
    assert points["limits_source"].iloc[-1] == "frozen" and np.isfinite(points["ucl"].iloc[-1])


def test_freeze_and_part_together() -> None:
    y = STEP
    result = qic(y, chart="i", freeze=20, part=[30])
    points = result.points
    assert points["cl"].iloc[0] == pytest.approx(np.mean(y[:20]))
    assert points["cl"].iloc[-1] == pytest.approx(np.mean(y[30:]))
    assert points["baseline"].tolist() == [True] * 20 + [False] * 10 + [True] * 30
    frame = pd.DataFrame({"school": ["a"] * 60 + ["b"] * 60, "y": np.r_[y, y], "week": np.r_[WEEKS, WEEKS]})
    many = qic_many(frame, by="school", y="y", x="week", chart="i", freeze=20, part=[30])
    np.testing.assert_allclose(many.points["cl"].to_numpy()[:60], points["cl"].to_numpy())


def test_consecutive_points_beyond_a_limit_are_one_episode() -> None:
    y = np.array(BEFORE + [70] * 5 + BEFORE[:5] + [70, 70], dtype=float)
    result = qic(y, chart="i", freeze=30)
    episodes = result.episodes
    beyond = episodes[episodes["rule"] == "beyond_limits"]
    assert beyond[["first", "last", "n_points", "n_signals", "direction"]].values.tolist() == [
        [31, 35, 5, 5, "above"],
        [41, 42, 2, 2, "above"],
    ]
    assert beyond["points_after"].tolist() == [7, 0]


signal_series = st.lists(st.integers(0, 20), min_size=4, max_size=60)


@settings(max_examples=60, deadline=None)
@given(y=signal_series, breaks=st.lists(st.integers(2, 59), max_size=3), rules=st.sampled_from(["anhoej", "ihi"]))
def test_episodes_partition_the_signals(y, breaks, rules) -> None:
    result = qic(y, chart="i" if len(set(y)) > 1 else "run", part=breaks, rules=rules, min_part_points=12)
    signals, episodes = result.signal_columns, result.episode_columns
    assert int(episodes["n_signals"].sum()) == len(signals["rule"])
    assert int(episodes["n_points"].sum()) == int(signals["n_points"].sum())
    covered = {(int(p), r, d, i) for p, r, d, f, la in zip(
        signals["part"], signals["rule"], signals["direction"], signals["first"], signals["last"], strict=True
    ) for i in range(int(f), int(la) + 1)}  # fmt: skip
    from_episodes = {(int(p), r, d, i) for p, r, d, f, la in zip(
        episodes["part"], episodes["rule"], episodes["direction"], episodes["first"], episodes["last"], strict=True
    ) for i in range(int(f), int(la) + 1)}  # fmt: skip
    # Every signalling point lies in exactly one episode of its rule and direction, and an
    # episode covers only signalling points: consecutive signals merge, separate ones do not.
    assert covered == from_episodes
    kinds = list(zip(episodes["part"], episodes["rule"], episodes["direction"], strict=True))
    for kind in set(kinds):
        spans = sorted((int(f), int(la)) for k, f, la in zip(kinds, episodes["first"], episodes["last"], strict=True)
                       if k == kind)  # fmt: skip
        assert all(later[0] > earlier[1] + 1 for earlier, later in zip(spans, spans[1:], strict=False))


@settings(max_examples=60, deadline=None)
@given(
    y=st.lists(st.floats(0, 100, allow_nan=False), min_size=6, max_size=60).filter(lambda v: len(set(v)) > 2),
    breaks=st.lists(st.integers(2, 59), max_size=5),
)
def test_a_part_shorter_than_the_minimum_never_has_its_own_limits(y, breaks) -> None:
    points = qic(y, chart="i", part=breaks, min_part_points=MIN_PART_POINTS).points
    for number, part in points.groupby("part"):
        source = set(part["limits_source"])
        if len(part) >= MIN_PART_POINTS:
            assert source == {"computed"}
        elif number == 1:
            assert source == {"trial"}
        else:
            assert source == {"frozen"}
            # Its lines are those of the last part before it that has its own.
            before = points[(points["part"] < number) & (points["limits_source"] != "frozen")].iloc[-1]
            np.testing.assert_allclose(part["cl"], before["cl"])


@settings(max_examples=30, deadline=None)
@given(
    shift_at=st.integers(12, 40),
    size=st.floats(5, 20),
    adopted_at=st.integers(0, 50),
)
def test_a_new_part_never_starts_before_the_change(shift_at, size, adopted_at) -> None:
    y = np.r_[np.tile(BEFORE[:10], 6)[:shift_at], np.tile(BEFORE[:10], 6)[shift_at:60] + size]
    plan = plan_parts(y, x=WEEKS, chart="i", changes=[WEEKS[adopted_at].item()])
    assert all(start.x >= WEEKS[adopted_at].item() for start in plan.starts)
    assert len(plan.starts) <= 1
