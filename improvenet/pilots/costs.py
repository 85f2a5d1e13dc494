"""The cost of a product pilot per student and per 0.1 standard deviation of effect: pure arithmetic.

A product is priced per student per school year, per student per month, or per student once. Over a
pilot of some months, one student costs the price times the periods billed (a started school year
or month is billed whole), plus the pilot's other costs (training, devices, staff time) shared
among its students. Cost-effectiveness is the cost per student for each 0.1 SD of effect (Hedges' g),
the unit Kraft (2020) and the cost-effectiveness literature compare education programs in; it is
given only for a positive effect, since a cost per unit of a null or harmful effect means nothing.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PER_YEAR, PER_MONTH, ONE_TIME = "per_year", "per_month", "one_time"
MONTHS_PER_YEAR = 12
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str
    unit: str  # what the amount is for, in words: "per student", "per student per 0.1 SD of effect"

    @property
    def label(self) -> str:
        return f"{self.amount:,.2f} {self.currency} {self.unit}"


def periods_billed(price_unit: str, months: int) -> int:
    """How many times a student's price is paid over a pilot of `months` months (at least one month)."""
    months = max(1, months)
    if price_unit == PER_YEAR:
        return math.ceil(months / MONTHS_PER_YEAR)
    if price_unit == PER_MONTH:
        return months
    if price_unit == ONE_TIME:
        return 1
    raise ValueError(f"Unknown price unit {price_unit!r}; expected {PER_YEAR}, {PER_MONTH} or {ONE_TIME}.")


def cost_per_student(price: Decimal, price_unit: str, months: int, currency: str,
                     other_costs: Decimal = Decimal("0"), students: int = 0) -> Money:
    """The price over the pilot's months plus the other costs shared among `students` students."""
    amount = price * periods_billed(price_unit, months)
    if other_costs:
        if students < 1:
            raise ValueError("Other costs are shared among the pilot's students: give how many students it has.")
        amount += other_costs / students
    return Money(amount.quantize(CENT, ROUND_HALF_UP), currency, "per student")


def cost_per_tenth_sd(cost: Money, effect_size: float) -> Money | None:
    """The cost per student of each 0.1 SD of effect, or None when the effect is not positive."""
    if not math.isfinite(effect_size) or effect_size <= 0:
        return None
    amount = cost.amount / (Decimal(str(effect_size)) / Decimal("0.1"))
    return Money(amount.quantize(CENT, ROUND_HALF_UP), cost.currency, "per student for each 0.1 SD of effect")
