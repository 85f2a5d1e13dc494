"""Random assignment: reproducible from its seed, exact per block, balanced when asked, and randomization
inference whose p-values are uniform when there is no effect."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from improvenet.studies.randomization import (
    BalanceRule,
    Procedure,
    RandomizationError,
    baseline_equivalence,
    mahalanobis,
    randomization_p_value,
)

blocked_units = st.lists(st.integers(1, 9), min_size=2, max_size=6).map(
    lambda sizes: [(f"B{b}", f"B{b}-U{u}") for b, size in enumerate(sizes) for u in range(size)]
)


@settings(max_examples=60, deadline=None)
@given(blocked_units, st.sampled_from([0.5, 1 / 3, 0.25, 0.6]), st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_allocation_and_block_counts_are_exact(units, proportion, seed):
    procedure = Procedure(units=[u for _, u in units], blocks=[b for b, _ in units], proportion=proportion)
    first, again = procedure.draw(seed), procedure.draw(seed)
    assert first == again
    for block in {b for b, _ in units}:
        members = [t for (b, _), t in zip(units, first.treated, strict=True) if b == block]
        exact = proportion * len(members)
        assert np.floor(exact) <= sum(members) <= np.ceil(exact)


def test_different_seeds_give_different_allocations():
    procedure = Procedure(units=[f"S{i}" for i in range(20)])
    assert len({procedure.draw(seed).treated for seed in range(30)}) > 25


def test_pair_matching_treats_one_of_each_pair_of_neighbours():
    baseline = [10, 52, 11, 50, 30, 31, 70, 71]
    allocation = Procedure(units=list("abcdefgh"), match_on=baseline).draw(7)
    chosen = allocation.as_dict()
    for first, second in [("a", "c"), ("b", "d"), ("e", "f"), ("g", "h")]:
        assert chosen[first] != chosen[second]


def test_rerandomization_accepts_only_balanced_draws_and_records_the_draw():
    rng = np.random.default_rng(3)
    covariates = {"prior": rng.normal(size=40).tolist(), "poverty": rng.uniform(size=40).tolist()}
    rule = BalanceRule(covariates, acceptance=0.05)
    allocation = Procedure(units=[f"S{i}" for i in range(40)], balance=rule).draw(11)
    assert allocation.distance <= stats.chi2.ppf(0.05, 2)
    assert allocation.distance == pytest.approx(mahalanobis(covariates, np.asarray(allocation.treated)))
    assert allocation.draws >= 1
    assert Procedure(units=[f"S{i}" for i in range(40)], balance=rule).draw(11) == allocation


def test_baseline_equivalence_follows_the_wwc_bands():
    treated = [True] * 50 + [False] * 50
    rng = np.random.default_rng(1)
    base = rng.normal(size=100)
    base = (base - base.mean()) / base.std(ddof=1)
    shifted = {f"shift{shift}": (base + np.where(treated, shift, 0)).tolist() for shift in (0.0, 0.15, 0.4)}
    verdicts = {e.covariate: e.verdict for e in baseline_equivalence(shifted, treated)}
    assert verdicts["shift0.4"] == "fails"
    assert verdicts["shift0.15"] in ("needs adjustment", "fails")
    assert {e.covariate: abs(e.g) for e in baseline_equivalence(shifted, treated)}["shift0.4"] > 0.25


def test_randomization_inference_is_uniform_under_the_null():
    """With no effect, p-values from re-drawing the assignment are (discretely) uniform: about 10% fall at or
    below 0.10, 50% at or below 0.50."""
    units = [f"S{i}" for i in range(16)]
    procedure = Procedure(units=units, blocks=[f"B{i // 4}" for i in range(16)])
    rng = np.random.default_rng(5)
    p_values = []
    for trial in range(200):
        outcome = rng.normal(size=16)
        observed = procedure.draw(int(rng.integers(2**31)))

        def difference(treated, outcome=outcome):
            return outcome[treated].mean() - outcome[~treated].mean()

        p_values.append(randomization_p_value(procedure, observed, difference, draws=99, seed=trial))
    p_values = np.asarray(p_values)
    assert 0.04 <= (p_values <= 0.10).mean() <= 0.17
    assert 0.40 <= (p_values <= 0.50).mean() <= 0.60


def test_randomization_inference_finds_a_large_effect():
    units = [f"S{i}" for i in range(20)]
    procedure = Procedure(units=units)
    observed = procedure.draw(2)
    outcome = np.random.default_rng(0).normal(size=20) + 3 * np.asarray(observed.treated)
    p = randomization_p_value(procedure, observed, lambda t: outcome[t].mean() - outcome[~t].mean(), draws=199)
    assert p <= 0.01


@pytest.mark.parametrize(("procedure", "message"), [
    (Procedure(units=["a", "a"]), "listed twice"),
    (Procedure(units=["a"]), "at least 2 units"),
    (Procedure(units=["a", "b"], proportion=1), "between 0 and 1"),
    (Procedure(units=["a", "b"], proportion=0.3, match_on=[1, 2]), "share treated is 1/2"),
    (Procedure(units=["a", "b"], blocks=["x"]), "one block per unit"),
])
def test_impossible_procedures_are_refused(procedure, message):
    with pytest.raises(RandomizationError, match=message):
        procedure.draw(1)


def _null_p_values(procedure: Procedure, trials: int = 150, draws: int = 59) -> np.ndarray:
    """p-values of the difference in means when the outcome does not depend on the assignment."""
    rng = np.random.default_rng(11)
    size = len(procedure.units)
    p_values = []
    for trial in range(trials):
        outcome = rng.normal(size=size)
        observed = procedure.draw(int(rng.integers(2**31)))

        def difference(treated, outcome=outcome):
            return outcome[treated].mean() - outcome[~treated].mean()

        p_values.append(randomization_p_value(procedure, observed, difference, draws=draws, seed=trial))
    return np.asarray(p_values)


@pytest.mark.parametrize("kind", ["pair-matched", "re-randomized"])
def test_inference_is_uniform_under_the_null_for_pairs_and_re_randomization(kind):
    """The re-draws follow the study's own procedure, pairs or balance rule included, so p-values stay uniform."""
    baseline = np.random.default_rng(2).normal(size=14)
    units = [f"S{i}" for i in range(14)]
    procedure = (Procedure(units=units, match_on=baseline.tolist()) if kind == "pair-matched" else
                 Procedure(units=units, balance=BalanceRule({"baseline": baseline.tolist()}, acceptance=0.3)))
    p_values = _null_p_values(procedure)
    assert 0.03 <= (p_values <= 0.10).mean() <= 0.19
    assert 0.38 <= (p_values <= 0.50).mean() <= 0.62


def test_inference_under_re_randomization_only_redraws_balanced_allocations():
    baseline = np.arange(12.0)
    rule = BalanceRule({"baseline": baseline.tolist()}, threshold=0.05)
    procedure = Procedure(units=[f"S{i}" for i in range(12)], balance=rule)
    observed = procedure.draw(1)
    distances = []

    def record(treated):
        distances.append(mahalanobis(rule.covariates, treated))
        return 0.0

    randomization_p_value(procedure, observed, record, draws=40)
    assert max(distances) <= 0.05


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=15), st.integers(0, 2**32))
def test_pair_matching_is_reproducible_and_treats_half_of_each_pair(baseline, seed):
    units = [f"U{i}" for i in range(len(baseline))]
    procedure = Procedure(units=units, match_on=baseline)
    first = procedure.draw(seed)
    assert first == procedure.draw(seed)
    order = np.argsort(baseline, kind="stable")
    treated = np.asarray(first.treated)
    for start in range(0, len(order) - 1, 2):
        assert treated[order[start]] != treated[order[start + 1]]
