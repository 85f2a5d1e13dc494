"""Vega-Lite specs and accessible tables of the pyramid pages.

Two layouts only, so that nothing ranks schools against each other: pyramids side by side in panels
by their role (innovation beside comparison, one shared axis), and each school in a panel of its own
with its pyramid's line behind it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from improvenet.spc.vega import SCHEMA

PANEL_WIDTH = 260
PANEL_HEIGHT = 180
WHOLE_PYRAMID = "Whole pyramid"
THIS_SCHOOL = "This school"


def _x(temporal: bool, title: str) -> dict:
    if temporal:
        return {"field": "period", "type": "temporal", "title": title, "axis": {"format": "%b %Y"}}
    return {"field": "period", "type": "ordinal", "title": title}


def comparison_spec(title: str, y_title: str, values: list[dict], *, temporal: bool, x_title: str) -> dict:
    """One panel per group of pyramids (innovation, comparison, ...), every panel on the same axes.

    `values`: dicts with `group`, `pyramid`, `period` and `value`.
    """
    return {
        "$schema": SCHEMA, "title": title,
        "description": f"{y_title} of each pyramid over time, innovation pyramids beside comparison pyramids, "
                       "on the same axes. The table below gives the same numbers.",
        "data": {"values": values},
        "facet": {"field": "group", "type": "nominal", "title": None,
                  "sort": sorted({v["group"] for v in values}, key=group_order)},
        "columns": len({v["group"] for v in values}),
        "resolve": {"scale": {"y": "shared", "x": "shared"}},
        "spec": {
            "width": PANEL_WIDTH, "height": PANEL_HEIGHT,
            "mark": {"type": "line", "point": {"size": 20}},
            "encoding": {
                "x": _x(temporal, x_title),
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
                "color": {"field": "pyramid", "type": "nominal", "title": "Pyramid"},
                "strokeDash": {"field": "pyramid", "type": "nominal", "title": "Pyramid"},
                "tooltip": [{"field": "pyramid", "title": "Pyramid"}, {"field": "period", "title": x_title},
                            {"field": "value", "title": y_title, "format": ".1f"}],
            },
        },
    }


def group_order(group: str) -> tuple[int, str]:
    order = ["Innovation pyramids", "Comparison pyramids", "At-large pyramids"]
    return (order.index(group) if group in order else len(order), group)


def context_spec(title: str, y_title: str, values: list[dict], *, temporal: bool, x_title: str) -> dict:
    """One panel per school: its own line over the whole pyramid's (dashed), same axes in every panel.

    `values`: dicts with `school`, `series` (THIS_SCHOOL or WHOLE_PYRAMID), `period` and `value`.
    """
    return {
        "$schema": SCHEMA, "title": title,
        "description": f"{y_title} of each school of the pyramid over time, each in its own panel beside the "
                       "whole pyramid's line. The table below gives the same numbers.",
        "data": {"values": values},
        "facet": {"field": "school", "type": "nominal", "title": None, "sort": None},
        "columns": 3,
        "resolve": {"scale": {"y": "shared", "x": "shared"}},
        "spec": {
            "width": PANEL_WIDTH, "height": PANEL_HEIGHT,
            "mark": {"type": "line", "point": {"size": 16}},
            "encoding": {
                "x": _x(temporal, x_title),
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
                "color": {"field": "series", "type": "nominal", "title": None,
                          "scale": {"domain": [THIS_SCHOOL, WHOLE_PYRAMID], "range": ["#1f5f99", "#8a8f98"]}},
                "strokeDash": {"field": "series", "type": "nominal", "title": None,
                               "scale": {"domain": [THIS_SCHOOL, WHOLE_PYRAMID], "range": [[1, 0], [5, 3]]}},
                "tooltip": [{"field": "school", "title": "School"}, {"field": "series", "title": "Line"},
                            {"field": "period", "title": x_title},
                            {"field": "value", "title": y_title, "format": ".1f"}],
            },
        },
    }


def table(columns: list[tuple[Hashable, str]], cells: Iterable[tuple[Hashable, object, str]]) -> dict:
    """An accessible table: one row per period, one column per unit (pyramid or school), text cells.

    `columns` are (unit, heading); `cells` are (unit, period, text). Missing cells read "no data".
    """
    grid: dict = {}
    for unit, period, text in cells:
        grid.setdefault(period, {})[unit] = text
    return {
        "headings": [heading for _, heading in columns],
        "rows": [(_label(period), [grid[period].get(unit, "no data") for unit, _ in columns])
                 for period in sorted(grid)],
    }


def _label(period) -> str:
    return period.strftime("%B %Y") if hasattr(period, "strftime") else str(period)


def period_value(period) -> str | int:
    """A period as Vega-Lite reads it: an ISO date, or a year as it is."""
    return period.isoformat() if hasattr(period, "isoformat") else period
