"""Vega-Lite specification of a chart (a plain dict), and SVG/PNG export through vl-convert
(no browser needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from improvenet.spc.frames import json_values, records


class ChartedResult(Protocol):
    """What a chart reads of an analysis (improvenet.spc.result.QICResult), named here so that the
    result can draw itself without the two modules importing each other."""

    chart: str
    rules: str
    multiply: float
    by: Sequence[str]
    point_columns: Mapping[str, np.ndarray]


SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
LINE_COLOUR = "#4a7fb0"
SIGNAL_COLOUR = "#d95f02"
LIMIT_COLOUR = "#7f7f7f"
# Point categories: colour AND shape differ, so signals read without colour vision.
CATEGORIES = ["No signal", "Outside the limits", "Part of a shift or trend"]
IHI_CATEGORIES = ["No signal", "Astronomical point", "Part of a shift or trend"]
CATEGORY_COLOURS = [LINE_COLOUR, SIGNAL_COLOUR, "#7570b3"]
CATEGORY_SHAPES = ["circle", "diamond", "triangle-up"]
RANDOM = "Only random variation around the centre line"
SHIFTED = "Unusually long run or too few crossings: the process has likely shifted"

Y_TITLES = {
    "run": "Value",
    "i": "Value",
    "mr": "Moving range (difference between successive values)",
    "xbar": "Average of the subgroup",
    "s": "Standard deviation within the subgroup",
    "t": "Time between events",
    "p": "Proportion",
    "pp": "Proportion (Laney-adjusted limits)",
    "c": "Number of events",
    "u": "Events per unit",
    "up": "Events per unit (Laney-adjusted limits)",
    "g": "Number of opportunities between events",
}


def default_y_title(chart: str, multiply: float) -> str:
    if chart in ("p", "pp") and multiply == 100:
        return "Percent (%)"
    if chart in ("u", "up") and multiply != 1:
        return f"Events per {multiply:g} units"
    if multiply != 1:
        return f"{Y_TITLES[chart]} (x {multiply:g})"
    return Y_TITLES[chart]


def _x_type(values: np.ndarray) -> str:
    if values.dtype.kind == "M":
        return "temporal"
    if values.dtype.kind in "fiu":
        return "quantitative"
    return "ordinal"


def _categories(result: ChartedResult) -> list[str]:
    return IHI_CATEGORIES if result.rules == "ihi" else CATEGORIES


def _data(result: ChartedResult) -> list[dict[str, Any]]:
    columns = dict(result.point_columns)
    names = _categories(result)
    columns["category"] = np.where(
        columns["sigma_signal"],
        names[1],
        np.where(columns["runs_signal"] & (result.rules != "anhoej"), names[2], names[0]),
    ).astype(object)
    # Anhøj's run signals concern a whole part: they are shown on the centre line.
    columns["centre_status"] = np.where(columns["runs_signal"] & (result.rules == "anhoej"), SHIFTED, RANDOM).astype(
        object
    )
    keys = zip(*(json_values(columns[name]) for name in result.by), strict=True)
    columns["series"] = np.array(
        [" / ".join(map(str, key)) for key in keys] if result.by else ["all"] * len(columns["y"]),
        dtype=object,
    )
    return records(columns)


def _centre_line(x: dict, status: str, colour: str, dash: list[int] | None) -> dict:
    """The centre line of the parts with the given runs-analysis status (solid when random,
    dashed and in the signal colour when the part has an Anhøj run signal)."""
    layer = _step_line("cl", "Centre line", x, dash, colour)
    layer["transform"] = [{"filter": {"field": "centre_status", "equal": status}}]
    layer["encoding"]["tooltip"].append({"field": "centre_status", "type": "nominal", "title": "Runs analysis"})
    return layer


def _step_line(field: str, title: str, x: dict, dash: list[int] | None, colour: str) -> dict:
    mark: dict[str, Any] = {"type": "line", "interpolate": "step", "color": colour}
    if dash:
        mark["strokeDash"] = dash
    return {
        "mark": mark,
        "encoding": {
            "x": x,
            "y": {"field": field, "type": "quantitative"},
            "detail": {"field": "part"},  # limits restart with each part
            "tooltip": [{"field": field, "type": "quantitative", "title": title, "format": ".4~g"}],
        },
    }


def chart_spec(
    result: ChartedResult,
    *,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    annotations: Sequence[dict[str, Any]] | None = None,
    width: int = 640,
    height: int = 300,
    columns: int = 3,
) -> dict[str, Any]:
    """A Vega-Lite v5 specification.

    title, x_title, y_title: the chart's title and axis titles (say the unit, e.g. "Attendance
    rate (%)"). annotations: marks on the x axis, e.g. the dates of tested changes, as
    ``[{"x": "2024-02-05", "label": "New attendance calls"}]``. With several series
    (``qic_many``) one small chart per series is drawn, ``columns`` per row.
    """
    x_values = result.point_columns["x"]
    x_kind = _x_type(np.asarray(x_values))
    x = {"field": "x", "type": x_kind, "title": x_title or ("Date" if x_kind == "temporal" else "Subgroup")}
    if x_kind == "ordinal":
        x["sort"] = None  # keep the order of the data
    elif x_kind == "quantitative" and np.all(np.mod(np.asarray(x_values, dtype=float), 1) == 0):
        x["axis"] = {"format": "d", "tickMinStep": 1}  # week 3, not week 2.5
    y_label = y_title or default_y_title(result.chart, result.multiply)
    y = {"field": "y", "type": "quantitative", "title": y_label, "scale": {"zero": False}}
    tooltip = [
        {"field": "x", "type": x_kind, "title": x["title"]},
        {"field": "y", "type": "quantitative", "title": y_label, "format": ".4~g"},
        {"field": "cl", "type": "quantitative", "title": "Centre line", "format": ".4~g"},
        {"field": "lcl", "type": "quantitative", "title": "Lower limit", "format": ".4~g"},
        {"field": "ucl", "type": "quantitative", "title": "Upper limit", "format": ".4~g"},
        {"field": "category", "type": "nominal", "title": "What this point shows"},
        {"field": "centre_status", "type": "nominal", "title": "Runs analysis of this part"},
    ]
    # Categories (text x) have no time order: their points are not joined (as qicharts2).
    layers: list[dict[str, Any]] = (
        []
        if x_kind == "ordinal"
        else [{"mark": {"type": "line", "color": LINE_COLOUR, "strokeWidth": 1.5}, "encoding": {"x": x, "y": y}}]
    )
    layers += [
        _centre_line(x, RANDOM, "#333333", None),
        _centre_line(x, SHIFTED, SIGNAL_COLOUR, [6, 3]),
    ]
    if result.chart != "run":
        layers.append(_step_line("ucl", "Upper limit", x, [4, 3], LIMIT_COLOUR))
        layers.append(_step_line("lcl", "Lower limit", x, [4, 3], LIMIT_COLOUR))
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "title": "Points",
                    "scale": {"domain": _categories(result), "range": CATEGORY_COLOURS},
                },
                "shape": {
                    "field": "category",
                    "type": "nominal",
                    "title": "Points",
                    "scale": {"domain": _categories(result), "range": CATEGORY_SHAPES},
                },
                "tooltip": tooltip,
            },
        }
    )
    for note in annotations or []:
        if "x" not in note:
            raise ValueError("each annotation needs an 'x' (where it goes on the x axis)")
        datum = {"x": note["x"], "label": str(note.get("label", ""))}
        layers.append(
            {
                "data": {"values": [datum]},
                "mark": {"type": "rule", "color": "#1b9e77", "strokeDash": [2, 2]},
                "encoding": {
                    "x": {"field": "x", "type": x_kind},
                    "tooltip": [{"field": "label", "type": "nominal", "title": "Change tested"}],
                },
            }
        )
        layers.append(
            {
                "data": {"values": [datum]},
                "mark": {"type": "text", "align": "left", "dx": 3, "color": "#1b9e77", "baseline": "top", "y": 2},
                "encoding": {"x": {"field": "x", "type": x_kind}, "text": {"field": "label"}},
            }
        )
    name = {
        "run": "Run chart", "i": "I chart", "mr": "MR chart", "xbar": "Xbar chart",
        "s": "S chart", "t": "T chart", "p": "P chart", "pp": "P' chart (Laney)", "c": "C chart",
        "u": "U chart", "up": "U' chart (Laney)", "g": "G chart",
    }[result.chart]  # fmt: skip
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": title or f"{name} of {y_label.lower()}",
        "data": {"values": _data(result)},
        "config": {"axis": {"labelFontSize": 11, "titleFontSize": 12}},
    }
    if result.by:
        spec["facet"] = {"field": "series", "type": "nominal", "title": ", ".join(result.by)}
        spec["columns"] = columns
        spec["spec"] = {"width": width // columns, "height": height // 2, "layer": layers}
        spec["resolve"] = {"scale": {"y": "independent"}}
    else:
        spec.update(width=width, height=height, layer=layers)
    return spec


def to_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=scale)
