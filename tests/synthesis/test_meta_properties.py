"""Properties every estimator keeps, whatever the estimates (Hypothesis)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.synthesis import meta

effects = st.floats(min_value=-3, max_value=3, allow_nan=False)
variances = st.floats(min_value=1e-3, max_value=2, allow_nan=False)
sites = st.integers(min_value=2, max_value=25).flatmap(
    lambda k: st.tuples(st.lists(effects, min_size=k, max_size=k), st.lists(variances, min_size=k, max_size=k))
)
random_methods = st.sampled_from(["DL", "REML", "PM"])


@settings(max_examples=60, deadline=None)
@given(sites, random_methods)
def test_tau2_is_never_negative_and_i2_is_a_percentage(data, method):
    pooled = meta.pool(*data, method=method, test="z")
    assert pooled.tau2 >= 0
    assert 0 <= pooled.i2 <= 100
    assert pooled.ci_low <= pooled.estimate <= pooled.ci_high
    assert pooled.pi_low <= pooled.ci_low and pooled.ci_high <= pooled.pi_high


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=20), effects, st.lists(variances, min_size=20, max_size=20), random_methods)
def test_identical_estimates_have_no_heterogeneity(k, effect, all_variances, method):
    vi = all_variances[:k]
    random_effects = meta.pool([effect] * k, vi, method=method, test="z")
    fixed = meta.pool([effect] * k, vi, method="FE")
    assert random_effects.tau2 == 0
    assert random_effects.estimate == pytest.approx(fixed.estimate, abs=1e-12)
    assert random_effects.se == pytest.approx(fixed.se, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(sites, st.sampled_from(["FE", "DL", "REML", "PM"]), st.floats(min_value=-5, max_value=5))
def test_adding_a_constant_shifts_the_estimate_and_keeps_tau2(data, method, shift):
    yi, vi = data
    before = meta.pool(yi, vi, method=method, test="z")
    after = meta.pool([y + shift for y in yi], vi, method=method, test="z")
    assert after.estimate == pytest.approx(before.estimate + shift, abs=1e-7)
    assert after.tau2 == pytest.approx(before.tau2, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(sites, random_methods)
def test_the_hartung_knapp_standard_error_is_the_wald_one_times_root_q(data, method):
    yi, vi = data
    wald = meta.pool(yi, vi, method=method, test="z")
    knapp = meta.pool(yi, vi, method=method, test="knha")
    weights = 1 / (np.asarray(vi) + wald.tau2)
    q = float(np.sum(weights * (np.asarray(yi) - wald.estimate) ** 2)) / (len(yi) - 1)
    assert knapp.se == pytest.approx(wald.se * math.sqrt(q), rel=1e-9, abs=1e-12)
    assert knapp.estimate == wald.estimate


def test_knapp_hartung_is_the_default_below_20_estimates():
    assert meta.pool([0.1, 0.3, 0.2], [0.01, 0.02, 0.03]).test == "knha"
    assert meta.pool([0.1, 0.3] * 10, [0.01, 0.02] * 10).test == "z"
    assert meta.pool([0.1, 0.3, 0.2], [0.01, 0.02, 0.03], method="FE").test == "z"


@pytest.mark.parametrize(("yi", "vi", "message"), [
    ([0.2], [0.01], "at least 2 estimates"),
    ([0.2, 0.3], [0.01, 0.0], "greater than 0"),
    ([0.2, 0.3], [0.01, -0.1], "greater than 0"),
    ([0.2, float("nan")], [0.01, 0.02], "finite"),
    ([0.2, 0.3], [0.01], "one variance per estimate"),
])
def test_estimates_that_cannot_be_pooled_are_refused_with_the_reason(yi, vi, message):
    with pytest.raises(meta.MetaAnalysisError, match=message):
        meta.pool(yi, vi)


def test_knapp_hartung_with_a_fixed_effect_is_refused():
    with pytest.raises(meta.MetaAnalysisError, match="random-effects"):
        meta.pool([0.1, 0.2], [0.01, 0.01], method="FE", test="knha")


def test_a_meta_regression_needs_more_estimates_than_coefficients():
    with pytest.raises(meta.MetaAnalysisError, match="at least 4 are needed"):
        meta.regress([0.1, 0.2, 0.3], [0.01] * 3, {"dosage": [1, 2, 4], "poverty": [0.2, 0.5, 0.4]})
    with pytest.raises(meta.MetaAnalysisError, match="collinear"):
        meta.regress([0.1, 0.2, 0.3, 0.5], [0.01] * 4, {"dosage": [1, 1, 1, 1]})


def test_reml_finds_the_estimate_where_fisher_scoring_oscillates():
    """metafor 3.8 stops with "Fisher scoring algorithm did not converge" on these estimates."""
    yi, vi = [0, 0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1, 0.125]
    pooled = meta.pool(yi, vi, method="REML", test="z")
    X = np.ones((7, 1))
    assert pooled.tau2 > 0
    assert meta._reml_score(np.asarray(yi, float), np.asarray(vi, float), X, pooled.tau2) == pytest.approx(0, abs=1e-9)
