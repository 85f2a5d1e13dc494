"""Statistical process control for improvement teams: run charts and Shewhart control charts
with qicharts2's definitions, for one series (:func:`qic`) or many at once (:func:`qic_many`).

A pure package: NumPy and SciPy for the arithmetic, narwhals for data frames; no web code.
"""

import sys
from importlib import import_module
from types import ModuleType

from improvenet.spc.chart_types import CHART_TYPES
from improvenet.spc.errors import SPCInputError

__all__ = [
    "CHART_TYPES", "MIN_PART_POINTS", "RULE_SETS", "PartPlan", "PartStart", "QICResult", "SPCInputError",
    "plan_parts", "qic", "qic_many",
]  # fmt: skip
# Loaded when first used: the arithmetic brings NumPy and SciPy (about two seconds), which Django's start and
# the command line's quick commands (`improvenet invite`) do not need.
_LAZY = {
    "qic_many": "many", "qic": "qic", "QICResult": "result", "RULE_SETS": "rules", "MIN_PART_POINTS": "phases",
    "PartPlan": "phases", "PartStart": "phases", "plan_parts": "phases",
}  # fmt: skip


class _LazyPackage(ModuleType):
    # Read on every access, not only when missing: importing the submodule `qic` sets the package's attribute
    # `qic` to that module, which must not hide the function of the same name.
    def __getattribute__(self, name: str):
        if name in _LAZY:
            return getattr(import_module(f"improvenet.spc.{_LAZY[name]}"), name)
        return super().__getattribute__(name)


sys.modules[__name__].__class__ = _LazyPackage
