"""Centre lines and limits per chart type, against hand-worked numbers and the formulas."""

import math

import numpy as np
import pandas as pd
import pytest

from improvenet.spc import qic

D2 = 1.128


def c4(n: float) -> float:
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def test_i_chart_hand_worked() -> None:
    points = qic([1, 3, 2, 4], chart="i").points
    amr = (2 + 1 + 2) / 3
    assert points["cl"].tolist() == [2.5] * 4
    assert points["ucl"][0] == pytest.approx(2.5 + 3 * amr / D2, abs=1e-12)
    assert points["lcl"][0] == pytest.approx(2.5 - 3 * amr / D2, abs=1e-12)


def test_screened_moving_ranges_drop_large_jumps_once() -> None:
    y = [10, 11, 10, 11, 10, 11, 30, 11, 10, 11]
    plain = qic(y, chart="i").points
    screened = qic(y, chart="i", screened_mr=True).points
    mean = np.mean(y)
    # Moving ranges: seven of 1 and two of 19; 19 >= 3.267 x 45/9, so only the 1s remain.
    assert plain["ucl"][0] == pytest.approx(mean + 3 * (45 / 9) / D2, abs=1e-12)
    assert screened["ucl"][0] == pytest.approx(mean + 3 * 1 / D2, abs=1e-12)
    assert screened["sigma_signal"].tolist().count(True) == 1


def test_mr_chart() -> None:
    points = qic([5, 7, 4, 4, 9], chart="mr").points
    assert np.isnan(points["y"][0])
    assert points["y"][1:].tolist() == [2, 3, 0, 5]
    assert points["cl"][0] == pytest.approx(2.5)
    assert points["ucl"][0] == pytest.approx(3.267 * 2.5)
    assert points["lcl"][0] == 0
    assert not qic([5, 7, 4, 4, 9] * 4, chart="mr").points["runs_signal"].any()


def test_p_chart_clips_to_zero_and_one() -> None:
    points = qic([9, 10, 9, 1], [10, 10, 10, 10], chart="p").points
    cl = 29 / 40
    sigma = math.sqrt(cl * (1 - cl) / 10)
    assert points["cl"][0] == pytest.approx(cl)
    assert points["ucl"][0] == 1.0  # cl + 3 sigma = 1.148
    assert points["lcl"][0] == pytest.approx(cl - 3 * sigma)
    low = qic([1, 0, 1, 2], [10, 10, 10, 10], chart="p").points
    assert low["lcl"].tolist() == [0.0] * 4


def test_p_chart_limits_vary_with_n_and_multiply() -> None:
    points = qic([20, 30], [100, 200], chart="p", multiply=100).points
    cl = 50 / 300
    assert points["y"].tolist() == pytest.approx([20.0, 15.0])
    for i, n in enumerate([100, 200]):
        assert points["ucl"][i] == pytest.approx(100 * (cl + 3 * math.sqrt(cl * (1 - cl) / n)))


def test_c_chart() -> None:
    points = qic([1, 2, 0, 3], chart="c").points
    assert points["cl"][0] == 1.5
    assert points["ucl"][0] == pytest.approx(1.5 + 3 * math.sqrt(1.5))
    assert points["lcl"][0] == 0.0


def test_u_chart() -> None:
    points = qic([4, 6, 5], [100, 200, 50], chart="u").points
    cl = 15 / 350
    assert points["y"].tolist() == pytest.approx([0.04, 0.03, 0.1])
    assert points["ucl"][2] == pytest.approx(cl + 3 * math.sqrt(cl / 50))
    assert points["lcl"].tolist() == [0.0] * 3


def test_g_chart_uses_median_centre_and_geometric_limits() -> None:
    points = qic([3, 10, 5, 20, 7], chart="g").points
    mean = 9
    assert points["cl"][0] == 7  # the median
    assert points["ucl"][0] == pytest.approx(mean + 3 * math.sqrt(mean * (mean + 1)))
    assert points["lcl"][0] == 0.0


def test_t_chart_is_i_chart_of_transformed_times() -> None:
    y = np.array([12.0, 30, 7, 45, 22, 18, 60, 9])
    points = qic(y, chart="t").points
    transformed = qic(y ** (1 / 3.6), chart="i").points
    np.testing.assert_allclose(points["cl"], transformed["cl"] ** 3.6)
    np.testing.assert_allclose(points["ucl"], transformed["ucl"] ** 3.6)
    np.testing.assert_allclose(points["y"], y)
    expected_lcl = np.where(transformed["lcl"] < 0, 0, transformed["lcl"].clip(0) ** 3.6)
    np.testing.assert_allclose(points["lcl"], expected_lcl)


def _laney(y, n, cl, binomial: bool, by_sd: bool):
    p = y / n
    sigma = np.sqrt(cl * (1 - cl) / n) if binomial else np.sqrt(cl / n)
    z = (p - cl) / sigma
    sigma_z = np.std(z, ddof=1) if by_sd else np.mean(np.abs(np.diff(z))) / D2
    return cl - 3 * sigma * sigma_z, cl + 3 * sigma * sigma_z


def test_pp_and_up_charts_follow_laney() -> None:
    y = np.array([1200.0, 1350, 1100, 1420, 1260, 1300, 1180])
    n = np.array([10000.0, 11000, 9800, 12000, 10500, 10800, 10100])
    cl = y.sum() / n.sum()
    for chart, binomial in (("pp", True), ("up", False)):
        points = qic(y, n, chart=chart).points
        lcl, ucl = _laney(y, n, cl, binomial, by_sd=False)
        np.testing.assert_allclose(points["cl"], cl, rtol=1e-12)
        np.testing.assert_allclose(points["ucl"], ucl, rtol=1e-12)
        np.testing.assert_allclose(points["lcl"], lcl, rtol=1e-12)


def test_laney_with_categorical_x_uses_sd_of_z() -> None:
    y = np.array([1200.0, 1350, 1100, 1420, 1260])
    n = np.array([10000.0, 11000, 9800, 12000, 10500])
    schools = ["Adams", "Baker", "Clark", "Diaz", "Evans"]
    points = qic(y, n, x=schools, chart="pp").points
    lcl, ucl = _laney(y, n, y.sum() / n.sum(), True, by_sd=True)
    np.testing.assert_allclose(points["ucl"], ucl, rtol=1e-12)
    assert points["x"].tolist() == schools
    assert not points["runs_signal"].any()


def test_xbar_and_s_with_equal_subgroups() -> None:
    rng = np.random.default_rng(4)
    obs = rng.normal(50, 5, size=(8, 5))
    x = np.repeat(np.arange(8), 5)
    xbar = qic(obs.ravel(), x=x, chart="xbar").points
    s = qic(obs.ravel(), x=x, chart="s").points
    s_bar = obs.std(axis=1, ddof=1).mean()
    a3 = 3 / (c4(5) * math.sqrt(5))
    assert xbar["cl"][0] == pytest.approx(obs.mean())
    assert xbar["ucl"][0] == pytest.approx(obs.mean() + a3 * s_bar)
    assert xbar["n"].tolist() == [5] * 8
    b4 = 1 + 3 * math.sqrt(1 - c4(5) ** 2) / c4(5)
    assert s["cl"][0] == pytest.approx(s_bar)
    assert s["ucl"][0] == pytest.approx(b4 * s_bar)
    assert s["lcl"][0] == 0


def test_run_chart_median_and_no_limits() -> None:
    points = qic([3, 1, 4, 1, 5, 9, 2, 6]).points
    assert points["cl"][0] == 3.5
    assert points["ucl"].isna().all() and points["lcl"].isna().all()


def test_freeze_uses_only_the_baseline() -> None:
    y = [10, 12, 11, 13, 12, 20, 21, 22]
    points = qic(y, chart="i", freeze=5).points
    assert points["cl"][0] == pytest.approx(np.mean(y[:5]))
    assert points["baseline"].tolist() == [True] * 5 + [False] * 3
    amr = np.mean(np.abs(np.diff(y[:5])))
    assert points["ucl"][7] == pytest.approx(np.mean(y[:5]) + 3 * amr / D2)
    assert points["sigma_signal"].tolist()[5:] == [True, True, True]


def test_excluded_points_are_left_out_of_limits_but_shown() -> None:
    y = [10, 12, 11, 40, 12, 11, 13]
    points = qic(y, chart="i", exclude=[4]).points
    kept = [10, 12, 11, 12, 11, 13]
    assert points["cl"][0] == pytest.approx(np.mean(kept))
    # The moving range spans the excluded point (11 -> 12), as in qicharts2.
    amr = np.mean(np.abs(np.diff(kept)))
    assert points["ucl"][0] == pytest.approx(np.mean(kept) + 3 * amr / D2)
    assert points["include"].tolist() == [True] * 3 + [False] + [True] * 3
    assert points["y"][3] == 40 and points["sigma_signal"][3]


def test_parts_from_labels_and_from_break_positions() -> None:
    y = [10, 11, 12, 11, 20, 21, 22, 21]
    by_label = qic(y, chart="i", part=["before"] * 4 + ["after"] * 4).points
    by_break = qic(y, chart="i", part=[4]).points
    for points in (by_label, by_break):
        assert points["part"].tolist() == [1] * 4 + [2] * 4
        assert points["cl"].tolist() == [11] * 4 + [21] * 4
    assert qic(y, part=[4]).parts["part"].tolist() == [1, 2]


def test_whole_number_labels_one_per_row_are_labels_not_break_positions() -> None:
    y = [3, 4, 5, 6, 7, 8]
    expected = [1, 1, 1, 2, 2, 2]
    for part in (
        [1, 1, 1, 2, 2, 2],
        np.array([1, 1, 1, 2, 2, 2]),
        pd.Series([7, 7, 7, 3, 3, 3]),
        [2.0] * 3 + [1.0] * 3,
    ):
        assert qic(y, chart="run", part=part).points["part"].tolist() == expected, part
    # A label that comes back starts a new part, as with text labels.
    assert qic(y, part=[1, 1, 2, 2, 1, 1]).points["part"].tolist() == [1, 1, 2, 2, 3, 3]
    # A shorter list of whole numbers is break positions: the points before each new part.
    assert qic(y, chart="run", part=[3]).points["part"].tolist() == expected
    assert qic(y, chart="run", part=[2, 4]).points["part"].tolist() == [1, 1, 2, 2, 3, 3]
    assert qic(y, chart="run", part=np.array([3])).points["part"].tolist() == expected
    # Labels count rows, not subgroups: two rows per x, one label each.
    two_per_week = qic([1, 2, 3, 4, 5, 6, 7, 8], x=[1, 1, 2, 2, 3, 3, 4, 4], chart="xbar", part=[5] * 4 + [6] * 4)
    assert two_per_week.points["part"].tolist() == [1, 1, 2, 2]


def test_break_positions_beyond_the_data_are_ignored_as_in_qicharts2() -> None:
    assert qic([1, 2, 3, 4], chart="i", part=[0, 2, 10]).points["part"].tolist() == [1, 1, 2, 2]


def test_missing_values_are_carried_through() -> None:
    y = [10, 12, None, 13, 12, 11, 14]
    points = qic(y, chart="i").points
    assert np.isnan(points["y"][2])
    kept = [10, 12, 13, 12, 11, 14]
    assert points["cl"][0] == pytest.approx(np.mean(kept))
    # Moving ranges next to the missing value are missing, not bridged (12->13 is not used).
    amr = np.mean([2, 1, 1, 3])
    assert points["ucl"][0] == pytest.approx(np.mean(kept) + 3 * amr / D2)
    # Useful points: not missing and not on the centre line (12): 10, 13, 11, 14.
    assert qic(y, chart="i").parts["n_useful"][0] == 4


def test_missing_denominator_makes_the_row_missing() -> None:
    points = qic([3, 4, 5, 6], [10, None, 10, 10], chart="p").points
    assert np.isnan(points["y"][1]) and np.isnan(points["ucl"][1])
    assert points["cl"][0] == pytest.approx(14 / 30)


def test_zero_denominator_is_shown_without_limits_and_left_out() -> None:
    result = qic([3, 0, 5, 6], [10, 0, 10, 10], chart="p")
    points = result.points
    assert np.isnan(points["y"][1])
    assert np.isnan(points["ucl"][1]) and np.isnan(points["lcl"][1])
    assert not points["include"][1]
    assert points["cl"][0] == pytest.approx(14 / 30)
    assert len(result.notes) == 1 and "row 2" in result.notes[0] and "zero" in result.notes[0]


def test_rows_with_the_same_x_are_one_subgroup() -> None:
    points = qic([3, 4, 5], [10, 10, 20], x=[1, 1, 2], chart="p").points
    assert points["y"].tolist() == pytest.approx([7 / 20, 5 / 20])
    assert points["n"].tolist() == [20, 20]
    # Without a denominator, the mean of the rows (qicharts2's default aggregate).
    assert qic([3, 5, 10], x=[1, 1, 2]).points["y"].tolist() == [4, 10]


def test_points_are_sorted_by_x() -> None:
    dates = np.array(["2024-01-15", "2024-01-01", "2024-01-08"], dtype="datetime64[D]")
    points = qic([3, 1, 2], x=dates).points
    assert points["y"].tolist() == [1, 2, 3]
