"""Anhøj's critical values: the published table (qicharts2 vignette) and the same formulas for
n = 1..200."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from improvenet.spc import qic
from improvenet.spc.rules import anhoej_thresholds, fewest_crossings_expected

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc"


@pytest.mark.parametrize(
    "name", ["anhoej_critical_values_qicharts2_vignette.csv", "anhoej_critical_values_formula_n1_200.csv"]
)
def test_thresholds_match_table(name: str) -> None:
    table = pd.read_csv(DIR / name)
    longest_max, crossings_min = anhoej_thresholds(table["n_useful"].to_numpy())
    np.testing.assert_array_equal(longest_max, table["longest_run_max"].to_numpy(dtype=float))
    np.testing.assert_array_equal(crossings_min, table["n_crossings_min"].to_numpy(dtype=float))


def test_vignette_table_covers_10_to_100() -> None:
    table = pd.read_csv(DIR / "anhoej_critical_values_qicharts2_vignette.csv")
    assert table["n_useful"].tolist() == list(range(10, 101))


def test_chart_reports_the_thresholds_for_its_useful_points() -> None:
    # 24 alternating points, two of them on the median: 22 useful points.
    y = [1, 3] * 12
    y[0] = y[1] = 2
    result = qic(y)
    part = result.parts.iloc[0]
    assert part["n_useful"] == 22
    assert part["longest_run_max"] == 7  # round(log2(22)) + 3
    assert part["n_crossings_min"] == 7  # qbinom(0.05, 21, 0.5)


def test_bestbox_and_cutbox_are_out_of_scope() -> None:
    assert (DIR / "anhoej_bestbox_cutbox_bounds_qicharts2.csv").exists()
    pytest.skip("qicharts2's experimental bestbox/cutbox methods are not offered (rules=anhoej only)")


def test_fewest_crossings_is_scipys_binomial_quantile() -> None:
    # The quantile is counted in integers so that charts need no SciPy statistics; it must agree with SciPy.
    from scipy.stats import binom

    chances = np.arange(0, 1501)
    counted = [fewest_crossings_expected(int(each)) for each in chances]
    np.testing.assert_array_equal(counted, binom.ppf(0.05, chances, 0.5))
