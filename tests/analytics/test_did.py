"""Difference-in-differences and event study on synthetic school-by-year data with a known effect."""

import numpy as np
import pandas as pd
import pytest
import vl_convert

from improvenet.analytics.did import DidInputError, difference_in_differences

START = 2019
YEARS = range(2015, 2023)


def panel(treated=20, comparison=20, effect=0.05, pre_trend=0.0, noise=0.01, seed=7, weights=None, effects=None):
    """One row per school and year: school level + common year trend + effect from START in treated schools.

    `pre_trend` adds a yearly drift to the treated schools before START (the parallel-trends breach);
    `effects`/`weights` give each treated school its own effect and size.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for school in range(treated + comparison):
        is_treated = school < treated
        level = rng.normal(0.85, 0.05)
        school_effect = effects[school] if effects is not None and is_treated else effect
        size = weights[school] if weights is not None else int(rng.integers(100, 600))
        for year in YEARS:
            rate = level + 0.01 * (year - YEARS[0]) + rng.normal(0, noise)
            if is_treated and year >= START:
                rate += school_effect
            if is_treated and year < START:
                rate += pre_trend * (year - START)
            rows.append({"school_id": f"S{school:02d}", "school_year": year, "rate": rate, "students": size})
    return pd.DataFrame(rows), [f"S{school:02d}" for school in range(treated)]


def test_recovers_the_true_effect_with_a_covering_interval():
    frame, treated = panel(effect=0.05)
    result = difference_in_differences(frame, treated, START)
    assert result.effect.coefficient == pytest.approx(0.05, abs=0.006)
    assert result.effect.ci_low < 0.05 < result.effect.ci_high
    assert result.effect.ci_low > 0
    assert (result.treated_schools, result.comparison_schools) == (20, 20)
    assert result.school_years == list(YEARS)
    assert not result.weighted


def test_event_study_is_flat_before_and_at_the_effect_after():
    frame, treated = panel(effect=0.05)
    result = difference_in_differences(frame, treated, START)
    assert [p.relative_year for p in result.event_study] == [-4, -3, -2, -1, 0, 1, 2, 3]
    reference = result.event_study[3]
    assert reference.reference and reference.school_year == 2018 and reference.coefficient == 0
    for point in result.event_study:
        truth = 0.05 if point.relative_year >= 0 else 0.0
        assert point.coefficient == pytest.approx(truth, abs=0.015)
        assert point.reference or point.ci_low < truth < point.ci_high
    assert result.pre_trend_p_value > 0.05
    # Enough schools on both sides and parallel before the start: only the selection caveat remains.
    assert result.caveats == ["The schools that started the change were chosen, not assigned at random: they may "
                              "differ from the comparison schools in ways this comparison cannot remove."]


def test_no_effect_gives_an_interval_around_zero():
    frame, treated = panel(effect=0.0, seed=11)
    result = difference_in_differences(frame, treated, START)
    assert result.effect.ci_low < 0 < result.effect.ci_high


def test_weights_favour_the_larger_schools():
    effects = [0.10] * 10 + [0.0] * 10
    weights = [900] * 10 + [100] * 30
    frame, treated = panel(effects=effects, weights=weights, noise=0.002)
    unweighted = difference_in_differences(frame, treated, START)
    weighted = difference_in_differences(frame, treated, START, weight="students")
    assert unweighted.effect.coefficient == pytest.approx(0.05, abs=0.005)
    assert weighted.effect.coefficient == pytest.approx(0.09, abs=0.005)
    assert weighted.weighted


def test_a_pre_trend_is_flagged():
    frame, treated = panel(effect=0.05, pre_trend=0.02)
    result = difference_in_differences(frame, treated, START)
    leads = [p for p in result.event_study if p.relative_year < -1]
    assert leads[0].coefficient == pytest.approx(-0.06, abs=0.015)  # 2015: three years of 0.02 drift below 2018
    assert result.pre_trend_p_value < 0.05
    assert any("already drifting apart" in caveat and "2015" in caveat and "parallel" in caveat
               for caveat in result.caveats)


def test_few_treated_schools_warn_about_wide_intervals_and_clustered_errors():
    frame, treated = panel(treated=3, comparison=30)
    result = difference_in_differences(frame, treated, START)
    assert result.caveats[0].startswith("Only 3 schools started the change: the intervals are wide")
    assert "fewer than about 10 schools" in result.caveats[0]


def test_only_one_year_before_the_start_says_trends_cannot_be_checked():
    frame, treated = panel()
    frame = frame[frame["school_year"] >= START - 1]
    result = difference_in_differences(frame, treated, START)
    assert result.pre_trend_p_value is None
    assert any("only one year before the start" in caveat for caveat in result.caveats)


@pytest.mark.parametrize(("treated", "start", "message"), [
    ([], START, "No school is marked as having started the change"),
    ([f"S{n:02d}" for n in range(40)], START, "Every school started the change"),
    (["S01", "X99"], START, "The schools X99 that started the change have no data"),
    (["S01"], 2015, "The start year 2015 is outside the data's years 2015 to 2022"),
    (["S01"], 2023, "The start year 2023 is outside the data's years 2015 to 2022"),
])
def test_validation_errors(treated, start, message):
    frame, _ = panel()
    with pytest.raises(DidInputError, match=message):
        difference_in_differences(frame, treated, start)


def test_bad_frames_are_refused_with_the_reason():
    frame, treated = panel()
    with pytest.raises(DidInputError, match="lack the column"):
        difference_in_differences(frame.drop(columns="rate"), treated, START)
    with pytest.raises(DidInputError, match="School S00 has more than one row for 2015"):
        difference_in_differences(pd.concat([frame, frame.head(1)]), treated, START)
    with pytest.raises(DidInputError, match="Every students must be a positive number"):
        difference_in_differences(frame.assign(students=0), treated, START, weight="students")
    missing_reference = frame[~(frame["school_id"].isin(treated) & (frame["school_year"] == START - 1))]
    with pytest.raises(DidInputError, match="no data for 2018, the year before the start"):
        difference_in_differences(missing_reference, treated, START)


def test_event_study_chart_spec_renders():
    frame, treated = panel()
    result = difference_in_differences(frame, treated, START)
    spec = result.chart_spec("attendance rate")
    rules, start_rule, bars, points = spec["layer"]
    assert rules["encoding"]["y"]["field"] == "y" and rules["data"]["values"] == [{"y": 0}]
    assert start_rule["data"]["values"][0]["x"] == 0
    assert bars["encoding"]["y2"] == {"field": "ci_high"}
    assert points["encoding"]["x"]["title"] == "Years since the start (2019 = 0)"
    # In percentage points, as the page's text and table: 100 times the estimated shares.
    assert points["encoding"]["y"]["title"] == (
        "Difference (percentage points)")
    assert len(points["data"]["values"]) == 8
    drawn = [value["coefficient"] for value in points["data"]["values"]]
    assert drawn == pytest.approx([point.coefficient * 100 for point in result.event_study])
    assert max(abs(value) for value in drawn) > 1
    assert "20 schools that started the change" in spec["description"]
    assert "<svg" in vl_convert.vegalite_to_svg(spec)
