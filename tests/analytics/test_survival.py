"""Kaplan–Meier retention at whole years: censoring, the numbers at risk, and hidden small cells."""

from improvenet.analytics.survival import yearly_retention


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
