"""The result of a chart: points, parts and signals tables, and ways to export them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from improvenet.spc import vega
from improvenet.spc.engine import Analysis
from improvenet.spc.frames import records, to_native
from improvenet.spc.prepare import Prepared

POINT_COLUMNS = (
    "x", "y", "n", "cl", "lcl", "ucl", "part", "limits_source", "include", "baseline",
    "sigma_signal", "runs_signal",
)  # fmt: skip
PART_COLUMNS = (
    "part", "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings",
    "n_crossings_min", "runs_signal", "sigma_signals",
)  # fmt: skip
SIGNAL_COLUMNS = ("part", "rule", "first", "last", "first_x", "last_x", "n_points", "direction")


class QICResult:
    """A computed chart (or, from ``qic_many``, one chart per series).

    ``points``: one row per subgroup, in order (series by series when there are several);
    ``parts``: one row per part of each series with the runs analysis; ``signals``: one row per
    signal, naming the rule and the first and last point it covers (1-based positions along
    the series, and their x). The three tables are data frames of ``backend`` (pandas by
    default; ``qic_many`` uses the library of its input). ``notes`` lists what was left out
    or adjusted, in plain words.
    """

    def __init__(
        self,
        *,
        chart: str,
        rules: str,
        multiply: float,
        by: Sequence[str],
        key_columns: Mapping[str, np.ndarray],
        prepared: Prepared,
        analysis: Analysis,
        backend: str,
    ) -> None:
        self.chart = chart
        self.rules = rules
        self.multiply = multiply
        self.by = list(by)
        self.notes = list(prepared.notes)
        self.backend = backend
        sg = prepared.subgroups
        self.series_first_row = prepared.series_first_row
        # The key of each series: its key columns' values at the series' first row.
        keys = {name: key_columns[name][prepared.series_first_row] for name in self.by}
        self.point_columns: dict[str, np.ndarray] = {
            **{name: keys[name][sg.series] for name in self.by},
            "x": prepared.x,
            **analysis.points,
        }
        self.part_columns: dict[str, np.ndarray] = {
            **{name: keys[name][analysis.part_series] for name in self.by},
            **analysis.parts,
        }
        sig = analysis.signals
        self.signal_columns: dict[str, np.ndarray] = {
            **{name: keys[name][analysis.part_series[sig["seg"]]] for name in self.by},
            "part": analysis.parts["part"][sig["seg"]],
            "rule": sig["rule"],
            "first": sg.pos[sig["first"]],
            "last": sg.pos[sig["last"]],
            "first_x": prepared.x[sig["first"]],
            "last_x": prepared.x[sig["last"]],
            "n_points": sig["n_points"],
            "direction": sig["direction"],
        }
        self.points = to_native(self.point_columns, backend)
        self.parts = to_native(self.part_columns, backend)
        self.signals = to_native(self.signal_columns, backend)

    def __repr__(self) -> str:
        n_series = len(self.series_first_row)
        return (
            f"<QICResult {self.chart} chart, {len(self.point_columns['y'])} points, "
            f"{n_series} series, {len(self.signal_columns['rule'])} signals ({self.rules} rules)>"
        )

    def to_frame(self, table: str = "points", backend: str | None = None):
        """The ``points`` (default), ``parts`` or ``signals`` table as a pandas, Polars or
        Arrow frame (``backend`` = "pandas", "polars" or "pyarrow"; default: the result's)."""
        columns = {
            "points": self.point_columns,
            "parts": self.part_columns,
            "signals": self.signal_columns,
        }[table]
        return to_native(columns, backend or self.backend)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (JSON-safe): missing numbers are None, dates ISO 8601 text."""
        return {
            "chart": self.chart,
            "rules": self.rules,
            "multiply": self.multiply,
            "by": self.by,
            "points": records(self.point_columns),
            "parts": records(self.part_columns),
            "signals": records(self.signal_columns),
            "notes": self.notes,
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def vega_lite(self, **options: Any) -> dict[str, Any]:
        """A Vega-Lite specification of the chart; see :func:`improvenet.spc.vega.chart_spec`."""
        return vega.chart_spec(self, **options)

    def to_svg(self, **options: Any) -> str:
        return vega.to_svg(self.vega_lite(**options))

    def to_png(self, scale: float = 2.0, **options: Any) -> bytes:
        return vega.to_png(self.vega_lite(**options), scale=scale)
