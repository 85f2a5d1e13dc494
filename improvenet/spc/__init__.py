"""Statistical process control for improvement teams: run charts and Shewhart control charts
with qicharts2's definitions, for one series (:func:`qic`) or many at once (:func:`qic_many`).

A pure package: NumPy and SciPy for the arithmetic, narwhals for data frames; no web code.
"""

from improvenet.spc.charts import CHART_TYPES
from improvenet.spc.errors import SPCInputError
from improvenet.spc.many import qic_many
from improvenet.spc.phases import MIN_PART_POINTS, PartPlan, PartStart, plan_parts
from improvenet.spc.qic import qic
from improvenet.spc.result import QICResult
from improvenet.spc.rules import RULE_SETS

__all__ = [
    "CHART_TYPES", "MIN_PART_POINTS", "RULE_SETS", "PartPlan", "PartStart", "QICResult", "SPCInputError",
    "plan_parts", "qic", "qic_many",
]  # fmt: skip
