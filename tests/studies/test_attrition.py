"""The WWC attrition boundary, the low/high judgement and the rating it leads to."""

import csv
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.studies.attrition import (
    ASSUMPTIONS,
    BOUNDARIES,
    DOES_NOT_MEET,
    WITH_RESERVATIONS,
    WITHOUT_RESERVATIONS,
    Arm,
    Attrition,
    AttritionError,
    boundary,
    judge,
    wwc_rating,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "studies" / "wwc_attrition_boundaries.csv"


def test_the_module_holds_the_table_of_the_fixture_with_its_provenance():
    with FIXTURE.open() as file:
        lines = [line for line in file if not line.startswith("#")]
        provenance = FIXTURE.read_text()
    rows = list(csv.DictReader(lines))
    assert [int(row["overall"]) for row in rows] == list(range(66))
    assert [float(row["cautious"]) for row in rows if row["cautious"]] == list(BOUNDARIES["cautious"])
    assert [float(row["optimistic"]) for row in rows] == list(BOUNDARIES["optimistic"])
    assert "Standards Handbook" in provenance and "Table II.1" in provenance
    # The note says what the table was checked against and what it was not: no claim of a Version 5.0 check.
    assert "132 of 132 cells equal" in provenance and "NOT checked against the WWC's own text" in provenance


@pytest.mark.parametrize("assumption", ASSUMPTIONS)
def test_each_boundary_rises_to_one_plateau_then_falls_in_small_steps(assumption):
    # The WWC draws both boundaries from one model of attrition bias (its attrition white paper), so the table moves
    # by tenths of a point from row to row: a mistyped cell (3.6 for 6.3, 1.09 for 10.9) breaks the shape or a step.
    table = BOUNDARIES[assumption]
    steps = [round(after - before, 1) for before, after in pairwise(table)]
    peak = table.index(max(table))
    assert all(step >= 0 for step in steps[:peak]) and all(step <= 0 for step in steps[peak:])
    assert max(abs(step) for step in steps) <= 0.3


def test_the_boundary_is_read_at_the_ends_and_edges_of_the_table():
    assert boundary(0, "cautious") == 5.7 and boundary(0, "optimistic") == 10.0
    assert boundary(13, "cautious") == 6.1 and boundary(13, "optimistic") == 10.8
    assert boundary(65, "cautious") is None and boundary(65, "optimistic") == 0.3
    assert boundary(57, "cautious") == 0.0 and boundary(58, "cautious") is None
    assert boundary(66, "optimistic") is None


@given(st.floats(0, 65), st.floats(0, 20))
def test_the_optimistic_boundary_is_never_stricter_than_the_cautious(overall, differential):
    cautious = boundary(overall, "cautious")
    assert cautious is None or cautious <= boundary(overall, "optimistic")


def test_a_study_with_little_attrition_is_low_and_can_meet_standards_without_reservations():
    counts = Attrition(Arm(randomized=200, analyzed=184), Arm(randomized=200, analyzed=190))
    judgement = judge(counts)
    assert counts.overall == pytest.approx(0.065)
    assert counts.differential == pytest.approx(0.03)
    assert judgement.level == "low" and judgement.boundary == 6.2
    assert "6.5% of the randomized students" in judgement.reason and "at most 6.2 points" in judgement.reason
    rating = wwc_rating(True, judgement, None)
    assert rating.rating == WITHOUT_RESERVATIONS


def test_the_assumption_decides_between_low_and_high():
    # 30% overall, 6 points apart: high under the cautious boundary (4.1), low under the optimistic (8.2).
    counts = Attrition(Arm(100, 67), Arm(100, 73))
    assert judge(counts, "cautious").level == "high"
    assert judge(counts, "optimistic").level == "low"
    assert "more than that: attrition is high" in judge(counts, "cautious").reason


def test_a_differential_exactly_on_the_boundary_is_low():
    # 20% overall (boundary 5.4 cautious): 22.7% and 17.3% missing.
    counts = Attrition(Arm(1000, 773), Arm(1000, 827))
    assert counts.differential * 100 == pytest.approx(5.4)
    assert judge(counts).level == "low"


def test_beyond_the_cautious_table_attrition_is_high_at_any_difference():
    judgement = judge(Attrition(Arm(100, 40), Arm(100, 40)))
    assert judgement.level == "high" and judgement.boundary is None
    assert "no difference keeps attrition low" in judgement.reason


def test_high_attrition_needs_baseline_equivalence():
    high = judge(Attrition(Arm(100, 60), Arm(100, 80)))
    assert wwc_rating(True, high, None).rating == DOES_NOT_MEET
    assert wwc_rating(True, high, "satisfies").rating == WITH_RESERVATIONS
    assert wwc_rating(True, high, "needs adjustment").rating == DOES_NOT_MEET
    assert wwc_rating(True, high, "needs adjustment", adjusted_in_model=True).rating == WITH_RESERVATIONS
    assert wwc_rating(True, high, "fails", adjusted_in_model=True).rating == DOES_NOT_MEET
    assert "must be shown equivalent at baseline" in wwc_rating(True, high, None).reasons[0]


def test_a_quasi_experiment_meets_at_best_with_reservations():
    low = judge(Attrition(Arm(100, 98), Arm(100, 98)))
    assert wwc_rating(False, low, "satisfies").rating == WITH_RESERVATIONS
    assert wwc_rating(False, None, None).rating == DOES_NOT_MEET


@pytest.mark.parametrize("arm, message", [
    (lambda: Arm(10, 11), "cannot analyse more units than it randomized"),
    (lambda: Arm(0, 0), "at least one randomized unit"),
])
def test_impossible_counts_are_refused_with_a_reason(arm, message):
    with pytest.raises(AttritionError, match=message):
        arm()


def test_an_unknown_assumption_is_refused():
    with pytest.raises(AttritionError, match="choose cautious or optimistic"):
        boundary(10, "hopeful")
