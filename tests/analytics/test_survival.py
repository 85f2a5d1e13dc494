"""Kaplan–Meier retention at whole years: censoring, the numbers at risk, and hidden small cells."""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from improvenet.analytics.survival import Z_95, kaplan_meier, yearly_retention

# A subject: years followed (whole or not, ties likely) and whether they left then.
SUBJECTS = st.lists(st.tuples(st.one_of(st.integers(0, 6).map(float), st.floats(0, 6).map(lambda x: round(x, 3))),
                              st.booleans()), min_size=1, max_size=40)


def test_those_still_there_are_censored_not_counted_as_leaving():
    # Ten subjects: four left after one year, six are still there after two (censored).
    rows = yearly_retention([1] * 4 + [2] * 6, [1] * 4 + [0] * 6, min_n=1, digits=4)
    points = [(row["years"], row["survival"], row["at_risk"]) for row in rows]
    assert points == [(0, 1.0, 10), (1, 0.6, 10), (2, 0.6, 6)]
    assert all(row["ci_lower"] <= row["survival"] <= row["ci_upper"] for row in rows)


def test_a_point_with_fewer_at_risk_than_the_minimum_is_hidden():
    rows = yearly_retention([1] * 4 + [2] * 6, [1] * 4 + [0] * 6, min_n=7, digits=4)
    assert [row["suppressed"] for row in rows] == [0, 0, 1]
    assert rows[2] | {"years": 2} == {"years": 2, "survival": None, "ci_lower": None, "ci_upper": None,
                                      "at_risk": None, "suppressed": 1}


def test_a_group_smaller_than_the_minimum_is_hidden_entirely():
    rows = yearly_retention([3, 3, 1], [0, 0, 1], min_n=5, digits=4)
    assert len(rows) == 4 and all(row["suppressed"] == 1 and row["survival"] is None for row in rows)


def lifelines_at_whole_years(durations, events):
    """What the page published before: lifelines' fit, read at 0, 1, 2... years as yearly_retention reads it."""
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(durations, events)
    times = list(range(int(max(durations)) + 1))
    bounds = fitter.confidence_interval_survival_function_.reindex(times, method="ffill")
    return times, {"survival": fitter.survival_function_at_times(times).to_numpy(),
                   "ci_lower": bounds.iloc[:, 0].to_numpy(), "ci_upper": bounds.iloc[:, 1].to_numpy()}


@settings(max_examples=60, deadline=None)
@given(SUBJECTS)
@example([(0.0, True), (0.0, True)])  # everyone leaves at once: the estimate drops to 0
@example([(2.0, False), (3.5, False)])  # nobody leaves: the estimate stays 1, its interval too
@example([(0.0, True), (0.0, False), (1.0, True), (1.5, False), (2.0, True), (2.0, False), (3.0, True)])
def test_the_estimate_and_its_interval_are_lifelines_to_the_last_bit(subjects):
    durations, events = [years for years, _ in subjects], [left for _, left in subjects]
    times, expected = lifelines_at_whole_years(durations, events)
    computed = kaplan_meier(durations, events, times)
    for column in ("survival", "ci_lower", "ci_upper"):
        np.testing.assert_array_equal(computed[column], expected[column], err_msg=column)


def test_the_interval_uses_lifelines_normal_quantile():
    from scipy.stats import norm

    assert Z_95 == norm.ppf(0.975)
