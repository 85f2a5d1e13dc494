"""Checks of the chart options shared by ``qic`` and ``qic_many``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from improvenet.spc.chart_types import CHART_TYPES
from improvenet.spc.charts import CHARTS_WITHOUT_LIMITS
from improvenet.spc.errors import SPCInputError
from improvenet.spc.rules import RULE_SETS


def _whole_number(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_options(
    chart: str,
    rules: str,
    freeze: Any,
    exclude: Any,
    multiply: Any,
    part_breaks: Any,
    min_part_points: Any = None,
) -> tuple[int | None, list[int] | None, list[int] | None]:
    """Validate options; return freeze, exclude and part break positions as plain ints."""
    if min_part_points is not None and (not _whole_number(min_part_points) or min_part_points < 1):
        raise SPCInputError(f"min_part_points must be a whole number of points (1 or more), not {min_part_points!r}")
    if chart not in CHART_TYPES:
        raise SPCInputError(f"chart must be one of {', '.join(CHART_TYPES)}, not {chart!r}")
    if rules not in RULE_SETS:
        raise SPCInputError(f"rules must be one of {', '.join(RULE_SETS)}, not {rules!r}")
    if rules == "nhs" and chart in CHARTS_WITHOUT_LIMITS:
        raise SPCInputError("the nhs rules need control limits; use them with an I chart (chart='i')")
    if not isinstance(multiply, numbers.Real) or not math.isfinite(multiply) or multiply <= 0:
        raise SPCInputError(f"multiply must be a positive number, not {multiply!r}")
    if freeze is not None:
        if not _whole_number(freeze) or freeze < 1:
            raise SPCInputError(f"freeze must be a whole number of points (1 or more), not {freeze!r}")
        freeze = int(freeze)
    if exclude is not None:
        exclude = list(np.atleast_1d(exclude).tolist())
        bad = [e for e in exclude if not _whole_number(e) or e < 1]
        if bad:
            raise SPCInputError(f"exclude must list positions of points (1 = the first point), not {bad[0]!r}")
    if part_breaks is not None:
        part_breaks = list(part_breaks)
        bad = [b for b in part_breaks if not _whole_number(b) or b < 0]
        if bad:
            raise SPCInputError(f"part break positions must be whole numbers of points, not {bad[0]!r}")
    return freeze, exclude, part_breaks


def split_part(part: Any, n_rows: int) -> tuple[np.ndarray | None, list[int] | None]:
    """Read ``part`` as labels or as break positions.

    * As many values as rows: one phase label per row, whatever their type (``[1, 1, 2, 2]``
      are labels too); a new part starts where the label changes.
    * Fewer values, all whole numbers: break positions, the number of points before each new
      part (qicharts2's ``part``).
    * Anything else is an error.
    """
    if part is None:
        return None, None
    if isinstance(part, str):
        raise SPCInputError(
            f"part must be a list (one label per row, or break positions), not the text {part!r}; "
            "to name a column of labels, use qic_many(..., part=column_name)"
        )
    values = as_values(part).tolist() if hasattr(part, "to_numpy") else list(part)
    if len(values) == n_rows:
        return label_codes(np.array(values, dtype=object)), None
    if len(values) < n_rows and all(_whole_number(v) for v in values):
        return None, [int(v) for v in values]
    raise SPCInputError(
        f"part must be either one label per row ({n_rows} labels, got {len(values)}) "
        f"or a shorter list of whole numbers (the number of points before each new part), not {_preview(values)}"
    )


def _preview(values: list) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return f"[{shown}{', ...' if len(values) > 5 else ''}]"


def label_codes(labels: np.ndarray) -> np.ndarray:
    """Integer codes for labels; only equality between neighbours matters."""
    text = np.array(["" if v is None else str(v) for v in labels.tolist()], dtype=object)
    return np.unique(text, return_inverse=True)[1]


def as_values(values: Any) -> np.ndarray:
    """A one-dimensional array from a list, NumPy array, or pandas/Polars/Arrow column."""
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        try:
            values = values.to_numpy(zero_copy_only=False)  # pyarrow
        except TypeError:
            values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim != 1:
        raise SPCInputError(f"expected a one-dimensional column of values, got shape {array.shape}")
    return array


def as_x(values: Any, n_rows: int) -> np.ndarray:
    """x as numbers, datetime64 or categories; Python dates become datetime64."""
    if values is None:
        return np.arange(1, n_rows + 1, dtype=np.float64)
    x = as_values(values)
    if x.size != n_rows:
        raise SPCInputError(f"x has {x.size} values but y has {n_rows}")
    if x.dtype.kind == "O":
        present = [v for v in x.tolist() if v is not None]
        if present and all(hasattr(v, "isoformat") and hasattr(v, "year") for v in present):
            return np.array([np.datetime64("NaT") if v is None else v for v in x.tolist()], dtype="datetime64[us]")
        if present and all(isinstance(v, numbers.Real) for v in present):
            return np.array([np.nan if v is None else v for v in x.tolist()], dtype=np.float64)
    if x.dtype.kind == "U":
        return x.astype(object)
    return x
