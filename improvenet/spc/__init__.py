"""Statistical process control for improvement teams: run charts and Shewhart control charts
with qicharts2's definitions, for one series (:func:`qic`) or many at once (:func:`qic_many`).

A pure package: NumPy and SciPy for the arithmetic, narwhals for data frames; no web code.
"""

from importlib import import_module

from improvenet.spc.chart_types import CHART_TYPES, MIN_PART_POINTS
from improvenet.spc.errors import SPCInputError

__all__ = [
    "CHART_TYPES", "MIN_PART_POINTS", "RULE_SETS", "PartPlan", "PartStart", "QICResult", "SPCInputError",
    "plan_parts", "qic", "qic_many",
]  # fmt: skip
# The module of each name read on first use (a module `__getattr__`): the arithmetic brings NumPy and narwhals,
# which Django's start and the command line's quick commands (`improvenet invite`) do not need. Reading a name
# that stands for the arithmetic (`from improvenet.spc import qic_many`) loads it.
_SOURCE = {
    "qic_many": "many", "qic": "single", "QICResult": "result", "RULE_SETS": "rules", "PartPlan": "phases",
    "PartStart": "phases", "plan_parts": "phases",
}  # fmt: skip


def __getattr__(name: str):
    if name not in _SOURCE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_SOURCE[name]}"), name)
    globals()[name] = value  # later reads find it without this function
    return value
