"""Invariants that hold for any data (Hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.spc import qic

values = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40).filter(lambda v: len(set(v)) > 1)


@settings(max_examples=60, deadline=None)
@given(y=values, shift=st.floats(-1e3, 1e3), scale=st.floats(0.01, 100))
def test_i_chart_moves_with_a_shift_and_scales_with_the_data(y, shift, scale) -> None:
    base = qic(y, chart="i").points
    moved = qic(np.array(y) + shift, chart="i").points
    scaled = qic(np.array(y) * scale, chart="i").points
    spread = np.ptp(y) + abs(shift) + 1
    for column in ("cl", "lcl", "ucl"):
        np.testing.assert_allclose(moved[column], base[column] + shift, atol=1e-9 * spread)
        np.testing.assert_allclose(scaled[column], base[column] * scale, rtol=1e-9, atol=1e-9)
    # Signals do not depend on the unit or the origin (up to rounding at the limits).
    assert moved["runs_signal"].tolist() == base["runs_signal"].tolist()


@settings(max_examples=40, deadline=None)
@given(y=values)
def test_i_chart_limits_are_symmetric_about_the_centre(y) -> None:
    points = qic(y, chart="i").points
    np.testing.assert_allclose(points["ucl"] - points["cl"], points["cl"] - points["lcl"], atol=1e-9 * (np.ptp(y) + 1))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 200)), min_size=3, max_size=40),
    multiply=st.sampled_from([1, 100]),
)
def test_p_chart_limits_symmetric_unless_clipped_and_within_0_1(rows, multiply) -> None:
    y = np.array([min(c, n) for c, n in rows], dtype=float)
    n = np.array([n for _, n in rows], dtype=float)
    points = qic(y, n, chart="p", multiply=multiply).points
    lcl, cl, ucl = (points[c].to_numpy() / multiply for c in ("lcl", "cl", "ucl"))
    assert np.all((lcl >= 0) & (ucl <= 1) & (lcl <= cl) & (cl <= ucl))
    unclipped = (lcl > 0) & (ucl < 1)
    np.testing.assert_allclose((ucl - cl)[unclipped], (cl - lcl)[unclipped], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(y=st.lists(st.integers(0, 50), min_size=3, max_size=40))
def test_runs_statistics_are_consistent(y) -> None:
    part = qic(y).parts.iloc[0]
    if part["n_useful"] == 0:
        assert not part["runs_signal"]
        return
    assert 1 <= part["longest_run"] <= part["n_useful"] <= part["n_obs"]
    assert 0 <= part["n_crossings"] <= part["n_useful"] - 1
    expected = part["longest_run"] > part["longest_run_max"] or part["n_crossings"] < part["n_crossings_min"]
    assert part["runs_signal"] == expected
