"""The evidence statement: plain words, the WWC rating with its reasons, and ESSA's tier criteria with numbers."""

import dataclasses

import pytest

from improvenet.studies.attrition import Arm, Attrition
from improvenet.studies.impact import Impact
from improvenet.studies.statement import Findings, StatementError, evidence_statement

IMPACT = Impact(method="cr2", estimate=4.2, se=1.1, df=17.3, ci_low=1.9, ci_high=6.5, p_value=0.0014,
                hedges_g=0.21, improvement_index=8.3, n_analyzed=2400, clusters=24)
FINDINGS = Findings(
    design="experimental", assigned="schools", blocked_by="pyramids", outcome="spring reading score",
    outcome_unit="scale points", impact=IMPACT,
    clusters=Attrition(Arm(12, 12), Arm(12, 12), unit="schools"),
    students=Attrition(Arm(1300, 1220), Arm(1250, 1180)), schools=24, districts=1,
)


def test_a_large_randomized_study_with_low_attrition_meets_tier_one_criteria_it_can_show():
    statement = evidence_statement(FINDINGS)
    text = statement.text()
    assert statement.wwc.rating == "meets WWC standards without reservations"
    assert statement.highest_tier.number == 1
    assert "meets the criteria of ESSA Tier 1 (strong evidence) that it can show alone" in text
    assert "still to check: no overriding unfavourable evidence" in text
    assert "A large sample: 2,400 students (needed: at least 350 students) — met." in text
    assert "+4.2 scale points (p = 0.001)" in text
    assert "schools assigned at random, within pyramids" in text
    assert " is Tier" not in text and "is evidence-based" not in text.replace("whether an intervention is", "")
    assert "the state or district decides" in text


def test_once_no_overriding_evidence_is_confirmed_the_study_meets_tier_one_criteria():
    statement = evidence_statement(dataclasses.replace(FINDINGS, negative_evidence=False))
    assert statement.tiers[0].met is True
    assert "This study meets the criteria of ESSA Tier 1 (strong evidence)." in statement.text()


def test_an_effect_that_is_not_significant_meets_no_tier():
    impact = dataclasses.replace(IMPACT, p_value=0.21, ci_low=-2.5)
    statement = evidence_statement(dataclasses.replace(FINDINGS, impact=impact))
    assert statement.highest_tier is None
    assert all(not tier.met for tier in statement.tiers)
    assert "does not meet the criteria of ESSA Tier 3 (promising evidence): a statistically significant " \
           "favourable effect" in statement.text()


def test_a_lower_is_better_outcome_needs_a_negative_estimate():
    impact = dataclasses.replace(IMPACT, estimate=-3.0)
    assert evidence_statement(dataclasses.replace(FINDINGS, impact=impact, favourable="lower")).tiers[2].met is None
    assert evidence_statement(dataclasses.replace(FINDINGS, impact=impact)).tiers[2].met is False


def test_high_attrition_of_schools_without_equivalence_drops_to_tier_three_criteria():
    findings = dataclasses.replace(FINDINGS, clusters=Attrition(Arm(12, 8), Arm(12, 12), unit="schools"))
    statement = evidence_statement(findings)
    assert statement.wwc.rating == "does not meet WWC standards"
    assert any("16.7% of the randomized schools" in reason for reason in statement.wwc.reasons)
    assert statement.highest_tier.number == 3


def test_a_small_single_school_sample_misses_the_sample_criteria():
    impact = dataclasses.replace(IMPACT, n_analyzed=120, clusters=1)
    statement = evidence_statement(dataclasses.replace(FINDINGS, impact=impact, schools=1))
    lines = statement.text()
    assert "A large sample: 120 students (needed: at least 350 students) — not met." in lines
    assert "A multi-site sample: 1 schools in 1 district" in lines
    assert statement.tiers[0].met is False and statement.tiers[1].met is False


def test_a_quasi_experiment_with_equivalent_groups_meets_tier_two_criteria_at_best():
    findings = dataclasses.replace(FINDINGS, design="quasi_experimental", equivalence="needs adjustment",
                                   adjusted_in_model=True, negative_evidence=False)
    statement = evidence_statement(findings)
    assert statement.wwc.rating == "meets WWC standards with reservations"
    assert [tier.met for tier in statement.tiers] == [False, True, True]


def test_a_correlational_study_needs_controls_for_selection():
    findings = dataclasses.replace(FINDINGS, design="correlational", negative_evidence=False)
    assert evidence_statement(findings).tiers[2].met is False
    controlled = evidence_statement(dataclasses.replace(findings, controls_for_selection=True))
    assert [tier.met for tier in controlled.tiers] == [False, False, True]
    assert "outside its group-design standards" in controlled.text()


def test_an_unknown_design_is_refused():
    with pytest.raises(StatementError, match="Unknown design “survey”"):
        evidence_statement(dataclasses.replace(FINDINGS, design="survey"))
