"""Anhøj, IHI and NHS rules: which points and parts signal, and the signals table."""

import numpy as np
import pytest

from improvenet.spc import SPCInputError, qic


def test_anhoej_long_run() -> None:
    # Eight points below the median (4), then eight above: two runs of 8 > round(log2(16)) + 3.
    y = [1, 3, 1, 3, 1, 3, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    result = qic(y)
    part = result.parts.iloc[0]
    assert part["n_useful"] == 16
    assert part["longest_run"] == 8
    assert part["longest_run_max"] == 7
    assert part["n_crossings"] == 1
    assert part["runs_signal"]
    assert result.points["runs_signal"].all()  # qicharts2 marks the whole part
    runs = result.signals[result.signals["rule"] == "longest_run"]
    assert runs[["first", "last", "n_points", "direction"]].values.tolist() == [
        [1, 8, 8, "below"],
        [9, 16, 8, "above"],
    ]


def test_anhoej_too_few_crossings() -> None:
    y = [1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 2, 3, 4, 5, 6, 7, 10, 11]
    part = qic(y).parts.iloc[0]
    # Median 6 (two points on it are not useful): runs of 5 below, 6 above, 4 below (2..5),
    # then 7, 10, 11 above -> 3 crossings among 18 useful points.
    assert part["n_useful"] == 18
    assert part["n_crossings"] == 3
    assert part["n_crossings_min"] == 5  # qbinom(0.05, 17, 0.5)
    assert part["runs_signal"]
    rules = qic(y).signals["rule"].tolist()
    assert "few_crossings" in rules


def test_anhoej_random_looking_series_has_no_signal() -> None:
    y = [5, 7, 4, 8, 6, 3, 7, 5, 6, 8, 4, 6, 7, 5, 3, 8]
    result = qic(y)
    assert not result.parts["runs_signal"][0]
    assert len(result.signals) == 0


def test_points_on_the_centre_line_are_not_useful() -> None:
    y = [1, 5, 5, 5, 9, 1, 9, 1, 9]
    part = qic(y).parts.iloc[0]  # median 5
    assert part["n_obs"] == 9 and part["n_useful"] == 6
    assert part["longest_run"] == 1 and part["n_crossings"] == 5


def test_sigma_signal_names_the_point() -> None:
    y = [10, 11, 10, 11, 10, 11, 10, 30, 10, 11]
    result = qic(y, chart="i")
    assert result.points["sigma_signal"].tolist() == [False] * 7 + [True, False, False]
    row = result.signals[result.signals["rule"] == "beyond_limits"].iloc[0]
    assert (row["first"], row["last"], row["direction"]) == (8, 8, "above")


def test_ihi_shift_skips_points_on_the_median() -> None:
    # Median 3: six points above it with one on the median in between.
    y = [1, 2, 3, 1, 2, 6, 7, 3, 8, 6, 7, 9, 1, 2, 3]
    result = qic(y, rules="ihi")
    shift = result.signals[result.signals["rule"] == "shift"]
    assert shift[["first", "last", "n_points", "direction"]].values.tolist() == [[6, 12, 6, "above"]]
    flags = result.points["runs_signal"].tolist()
    assert flags[5:12] == [True, True, False, True, True, True, True]  # 8th is on the median


def test_ihi_five_point_shift_is_not_a_signal() -> None:
    y = [1, 2, 3, 1, 2, 6, 7, 8, 6, 7, 1, 2]
    assert "shift" not in qic(y, rules="ihi").signals["rule"].tolist()


def test_ihi_trend_ignores_ties() -> None:
    y = [5, 3, 4, 4, 6, 7, 8, 2, 5]
    result = qic(y, rules="ihi")
    trend = result.signals[result.signals["rule"] == "trend"]
    # 3, 4, 4, 6, 7, 8: the repeated 4 counts once -> 5 points going up.
    assert trend[["first", "last", "n_points", "direction"]].values.tolist() == [[2, 7, 5, "up"]]
    assert qic([5, 3, 4, 4, 6, 7, 2, 5], rules="ihi").signals["rule"].tolist().count("trend") == 0


def test_ihi_astronomical_point_on_a_run_chart() -> None:
    y = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 40, 11]
    result = qic(y, rules="ihi")
    row = result.signals[result.signals["rule"] == "astronomical_point"]
    assert row["first"].tolist() == [11]
    assert result.points["sigma_signal"].tolist().index(True) == 10
    assert result.points["ucl"].isna().all()  # a run chart still has no limits


def test_nhs_rules() -> None:
    base = [10, 12, 11, 9, 10, 12, 8, 11, 10, 9]
    shift = [12, 12.5, 11, 13, 12.2, 11.5, 12.8]  # 7 above the mean
    result = qic(base + shift, chart="i", rules="nhs", freeze=10)
    rules = result.signals["rule"].tolist()
    assert "shift" in rules
    row = result.signals[result.signals["rule"] == "shift"].iloc[0]
    assert (row["first"], row["last"], row["direction"]) == (11, 17, "above")
    trend = qic(base + [8, 9, 10, 11, 12, 13, 14] + base, chart="i", rules="nhs").signals
    # base ends with 9, then 8 (a fall): the rise runs from the 11th point (8) to the 17th (14).
    rise = trend[trend["rule"] == "trend"]
    assert rise[["first", "last", "n_points", "direction"]].values.tolist() == [[11, 17, 7, "up"]]


def test_nhs_two_of_three_near_the_limit() -> None:
    y = [0.1, -0.2, 0.3, -0.1, 0.2, 0.0, -0.3, 0.1, 2.6, 0.5, 2.7, -0.2, 0.1]
    result = qic(y, chart="i", rules="nhs")
    points = result.points
    sigma = (points["ucl"][0] - points["cl"][0]) / 3
    assert 2 * sigma < 2.6 - points["cl"][0] < 3 * sigma  # both points are near the limit
    assert points["runs_signal"].tolist()[8:11] == [True, False, True]
    row = result.signals[result.signals["rule"] == "two_of_three"].iloc[0]
    assert (row["first"], row["last"], row["n_points"]) == (9, 11, 2)


def test_nhs_needs_limits() -> None:
    with pytest.raises(SPCInputError, match="need control limits"):
        qic([1, 2, 3, 4], rules="nhs")


def test_unknown_rules() -> None:
    with pytest.raises(SPCInputError, match="rules must be one of"):
        qic([1, 2, 3], rules="westgard")


def test_signals_are_per_part() -> None:
    y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 2
    result = qic(y, rules="ihi", part=[10])
    trends = result.signals[result.signals["rule"] == "trend"]
    assert trends["part"].tolist() == [1, 2]
    assert trends["first"].tolist() == [1, 11]
    assert result.parts["runs_signal"].tolist() == [True, True]


def test_parts_table_counts_sigma_signals() -> None:
    y = [10, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10, 11, 10, -9, 10, 11]
    parts = qic(y, chart="i", part=[8]).parts
    assert parts["sigma_signals"].tolist() == [1, 1]
    assert np.all(parts["n_obs"] == 8)
