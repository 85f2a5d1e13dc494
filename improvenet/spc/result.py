"""The result of a chart: points, parts and signals tables, and ways to export them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from improvenet.spc import vega
from improvenet.spc.engine import Analysis
from improvenet.spc.episodes import group_episodes
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
EPISODE_COLUMNS = (
    "part", "rule", "direction", "first", "last", "first_x", "last_x", "n_points", "n_signals", "points_after",
)  # fmt: skip


class QICResult:
    """A computed chart (or, from ``qic_many``, one chart per series).

    ``points``: one row per subgroup, in order (series by series when there are several), with
    its centre line ``cl`` and limits ``lcl``/``ucl`` (missing where the chart has none), its
    ``part`` (1, 2, ...: a new part has new limits) and ``limits_source``, how those lines were
    obtained:

    * ``computed``: from the baseline points of the point's own part;
    * ``frozen``: carried over from the previous part, because this part has fewer usable
      points than ``min_part_points``; a chart draws them as the previous part's lines extended;
    * ``trial``: computed from a first part with fewer than ``min_part_points`` usable points,
      to be confirmed as data comes in; a chart draws them dashed.

    Without ``min_part_points`` every point's lines are ``computed``.

    ``parts``: one row per part of each series with the runs analysis; ``signals``: one row per
    signal, naming the rule and the first and last point it covers (1-based positions along
    the series, and their x); ``episodes``: consecutive signals of one rule and direction in
    one part merged into one row (see :mod:`improvenet.spc.episodes`), with ``n_points`` the
    points they count, ``n_signals`` the signals merged, and ``points_after`` the number of
    points of the series after the episode's last point (0: it reaches the latest point).
    The tables are data frames of ``backend`` (pandas by default; ``qic_many`` uses the library
    of its input). ``notes`` lists what was left out or adjusted, in plain words.
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
        self.episode_columns = _episode_columns(self.by, keys, analysis, prepared)

    # The tables as data frames, built when first read: the site reads the columns of most results, and building
    # four frames costs more than some charts' arithmetic.
    @cached_property
    def points(self):
        return to_native(self.point_columns, self.backend)

    @cached_property
    def parts(self):
        return to_native(self.part_columns, self.backend)

    @cached_property
    def signals(self):
        return to_native(self.signal_columns, self.backend)

    @cached_property
    def episodes(self):
        return to_native(self.episode_columns, self.backend)

    def __repr__(self) -> str:
        n_series = len(self.series_first_row)
        return (
            f"<QICResult {self.chart} chart, {len(self.point_columns['y'])} points, "
            f"{n_series} series, {len(self.signal_columns['rule'])} signals ({self.rules} rules)>"
        )

    def to_frame(self, table: str = "points", backend: str | None = None):
        """The ``points`` (default), ``parts``, ``signals`` or ``episodes`` table as a pandas,
        Polars or Arrow frame (``backend`` = "pandas", "polars" or "pyarrow"; default: the result's)."""
        columns = {
            "points": self.point_columns,
            "parts": self.part_columns,
            "signals": self.signal_columns,
            "episodes": self.episode_columns,
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
            "episodes": records(self.episode_columns),
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


def _episode_columns(by: list[str], keys, analysis: Analysis, prepared: Prepared) -> dict[str, np.ndarray]:
    sig, sg = analysis.signals, prepared.subgroups
    order, episode = group_episodes(sig["seg"], sig["rule"], sig["direction"], sig["first"], sig["last"])
    if order.size == 0:
        starts = np.zeros(0, dtype=np.intp)
        first = last = n_points = n_signals = starts.astype(np.int64)
    else:
        starts = np.flatnonzero(np.r_[True, episode[1:] != episode[:-1]])
        first = np.minimum.reduceat(sig["first"][order], starts)
        last = np.maximum.reduceat(sig["last"][order], starts)
        n_points = np.add.reduceat(sig["n_points"][order], starts)
        n_signals = np.diff(np.r_[starts, order.size])
    head = order[starts]
    seg, rule, direction = sig["seg"][head], sig["rule"][head], sig["direction"][head]
    # Chart order: by where an episode starts, then by rule.
    chart_order = np.lexsort((rule.astype(str), first))
    seg, rule, direction, first, last = (a[chart_order] for a in (seg, rule, direction, first, last))
    n_points, n_signals = n_points[chart_order], n_signals[chart_order]
    series_end = np.r_[np.flatnonzero(sg.series[1:] != sg.series[:-1]), sg.series.size - 1]
    return {
        **{name: keys[name][analysis.part_series[seg]] for name in by},
        "part": analysis.parts["part"][seg],
        "rule": rule,
        "direction": direction,
        "first": sg.pos[first],
        "last": sg.pos[last],
        "first_x": prepared.x[first],
        "last_x": prepared.x[last],
        "n_points": n_points.astype(np.int64),
        "n_signals": n_signals.astype(np.int64),
        "points_after": (series_end[sg.series[last]] - last).astype(np.int64),
    }
