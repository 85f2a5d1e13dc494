"""The effect-based criterion of "supported" (improvenet.learning.evidence), and the learning app reading it from
the ledger when the network admin turns it on."""

from dataclasses import replace

from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from improvenet.learning import services as learning
from improvenet.learning.evidence import IdeaFacts, Level, PooledFacts, SchoolFacts, Thresholds, evaluate
from improvenet.learning.models import EvidenceThresholds
from improvenet.synthesis import meta
from tests.synthesis.conftest import external_study, school_estimate

SIGNALLED = tuple(SchoolFacts(name, 2, 2, adopted=True, points_after_adoption=20, sustained_signal=True)
                  for name in "ABC")
WITH_EFFECT = Thresholds(supported_needs_pooled_effect=True, supported_min_effect_sites=3)


def test_supported_also_needs_a_pooled_effect_above_zero_from_enough_sites_when_the_network_asks():
    above = PooledFacts(sites=3, estimate=0.2, ci_low=0.05, ci_high=0.35)
    evidence = evaluate(IdeaFacts(SIGNALLED, above), WITH_EFFECT)
    assert evidence.level == Level.SUPPORTED
    assert evidence.reasons[-1] == (
        "Pooled effect 0.20 standard deviations from 3 sites (95% interval 0.05 to 0.35); supported also needs a "
        "pooled effect whose Hartung–Knapp 95% interval lies above zero, from at least 3 sites.")
    # An interval that includes zero, too few sites, or no estimate at all: promising, with the reason.
    assert evaluate(IdeaFacts(SIGNALLED, replace(above, ci_low=-0.01)), WITH_EFFECT).level == Level.PROMISING
    assert evaluate(IdeaFacts(SIGNALLED, replace(above, sites=2)), WITH_EFFECT).level == Level.PROMISING
    unpooled = evaluate(IdeaFacts(SIGNALLED, PooledFacts(sites=1)), WITH_EFFECT)
    assert unpooled.level == Level.PROMISING
    assert "The evidence ledger has 1 effect estimate in standard deviations, too few to pool" in unpooled.reasons[-1]
    # Off (the default), the rule is the one of the cycles alone.
    assert evaluate(IdeaFacts(SIGNALLED, None), Thresholds()).level == Level.SUPPORTED


def test_a_pooled_effect_needs_at_least_two_sites():
    assert Thresholds(supported_min_effect_sites=1).problems() == {
        "supported_min_effect_sites": "Use a whole number of at least 2: pooling needs 2 sites."}


effects = st.floats(-1, 1)
pooled_strategy = st.one_of(st.none(), st.builds(
    PooledFacts, sites=st.integers(0, 10), estimate=effects, ci_low=effects, ci_high=effects))


@given(pooled_strategy, st.integers(2, 8))
def test_the_effect_criterion_never_raises_a_level(pooled, sites):
    facts = IdeaFacts(SIGNALLED, pooled)
    thresholds = replace(WITH_EFFECT, supported_min_effect_sites=sites)
    assert evaluate(facts, thresholds).level.rank <= evaluate(facts, Thresholds()).level.rank


def test_the_learning_app_reads_the_pooled_effect_from_the_ledger(ledger_world):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05)
    school_estimate(world.alpha, world.middle, idea, 0.30, 0.05)
    external_study(world.alpha, idea, 0.25, 0.05)
    EvidenceThresholds.objects.create(network=world.network, supported_needs_pooled_effect=True)
    with scope(cluster=world.alpha, network=world.network.pk):
        found = learning.evidence_for(world.alpha, idea)
    expected = meta.pool([0.20, 0.30, 0.25], [0.0025] * 3, "REML", test="knha")
    assert found.facts.pooled.sites == 3
    assert found.facts.pooled.ci_low == expected.ci_low and found.facts.pooled.ci_high == expected.ci_high


def test_the_network_admin_sets_the_effect_criterion_on_the_thresholds_page(world, client):
    client.force_login(world.users.admin)
    numbers = {"promising_min_schools": 2, "promising_min_cycles": 3, "supported_min_schools": 3,
               "not_supported_min_abandoned": 2, "supported_needs_pooled_effect": "on"}
    refused = client.post("/clusters/alpha/learning/thresholds/", {**numbers, "supported_min_effect_sites": 1})
    assert refused.status_code == 422 and "pooling needs 2 sites" in refused.content.decode()
    assert client.post("/clusters/alpha/learning/thresholds/",
                       {**numbers, "supported_min_effect_sites": 4}).status_code == 302
    rules = EvidenceThresholds.for_network(world.network).as_rules()
    assert rules.supported_needs_pooled_effect and rules.supported_min_effect_sites == 4
    page = client.get("/clusters/alpha/learning/thresholds/").content.decode()
    assert "Hartung–Knapp 95% interval lies above zero, from at least <strong>4</strong> sites" in page
