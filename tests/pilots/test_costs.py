"""The cost arithmetic of pilots/costs.py: periods billed, other costs shared, the cost per 0.1 SD."""

from decimal import Decimal

import pytest

from improvenet.pilots import costs


@pytest.mark.parametrize(("unit", "months", "periods"), [
    ("per_year", 1, 1), ("per_year", 12, 1), ("per_year", 13, 2), ("per_month", 5, 5), ("per_month", 0, 1),
    ("one_time", 30, 1),
])
def test_a_started_period_is_billed_whole(unit, months, periods):
    assert costs.periods_billed(unit, months) == periods


def test_cost_per_student_adds_the_other_costs_shared_among_the_students():
    cost = costs.cost_per_student(Decimal("24.00"), "per_year", 6, "USD", Decimal("1800.00"), 117)
    assert cost.amount == Decimal("39.38")  # 24 + 1800 / 117 = 24 + 15.3846...
    assert cost.label == "39.38 USD per student"
    assert costs.cost_per_student(Decimal("4.50"), "per_month", 4, "EUR").label == "18.00 EUR per student"


def test_cost_per_tenth_of_a_standard_deviation():
    cost = costs.Money(Decimal("40.00"), "USD", "per student")
    per_tenth = costs.cost_per_tenth_sd(cost, 0.2)
    assert per_tenth.amount == Decimal("20.00")
    assert per_tenth.label == "20.00 USD per student for each 0.1 SD of effect"
    assert costs.cost_per_tenth_sd(cost, 0.05).amount == Decimal("80.00")


@pytest.mark.parametrize("effect", [0.0, -0.1, float("nan")])
def test_no_cost_per_effect_without_a_positive_effect(effect):
    assert costs.cost_per_tenth_sd(costs.Money(Decimal("40"), "USD", "per student"), effect) is None


def test_refusals_name_the_problem():
    with pytest.raises(ValueError, match="give how many students"):
        costs.cost_per_student(Decimal("1"), "per_year", 3, "USD", Decimal("100"), 0)
    with pytest.raises(ValueError, match="Unknown price unit 'weekly'"):
        costs.periods_billed("weekly", 3)
