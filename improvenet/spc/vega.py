"""Vega-Lite specification of a chart (a plain dict), and SVG/PNG export through vl-convert
(no browser needed).

The spec declares the Vega-Lite version the pages draw with (the vendored v6) and a fixed size for
exports; on a page static/improvenet/js/charts.js fits it to its box. Legends sit under the plot so that
a narrow screen keeps the plot's width. Limits are steps per part, broken between parts; when the points
carry a `limits` column (how the limits were obtained: computed, frozen or trial) trial limits are
dashed and the others solid. Marks on the time axis (the dates of tested changes) are numbered, the
numbers stacked where they would touch, and listed with their labels in a legend.
"""

from __future__ import annotations

import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
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


# The version of the vendored Vega-Lite (static/improvenet/vendor) that draws every chart.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
LINE_COLOUR = "#4a7fb0"
SIGNAL_COLOUR = "#d95f02"
LIMIT_COLOUR = "#7f7f7f"
ANNOTATION_COLOUR = "#1b9e77"
PNG_COLOURS = 128
PNG_PIXELS = 7_000_000
# The point column that says how a part's limits were obtained (QICResult: computed, frozen or trial);
# trial limits are dashed.
LIMITS_COLUMN = "limits_source"
TRIAL = "trial"
# Two numbered marks closer than this share of the x axis would touch: the later goes a row lower.
MARK_SPACING = 0.05
MARK_ROW_HEIGHT = 13
# Several legends stack under the plot rather than side by side, which a phone has no room for.
LEGEND = {
    "orient": "bottom",
    "direction": "vertical",
    "labelLimit": 300,
    "titleLimit": 300,
    "layout": {"bottom": {"anchor": "start", "direction": "vertical"}},
}
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


def _data(result: ChartedResult, series_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    columns = dict(result.point_columns)
    categories = _categories(result)
    columns["category"] = np.where(
        columns["sigma_signal"],
        categories[1],
        np.where(columns["runs_signal"] & (result.rules != "anhoej"), categories[2], categories[0]),
    ).astype(object)
    # Anhøj's run signals concern a whole part: they are shown on the centre line.
    columns["centre_status"] = np.where(columns["runs_signal"] & (result.rules == "anhoej"), SHIFTED, RANDOM).astype(
        object
    )
    keys = zip(*(json_values(columns[name]) for name in result.by), strict=True)
    names = {str(key): name for key, name in (series_names or {}).items()}
    columns["series"] = np.array(
        [names.get(key, key) for key in (" / ".join(map(str, key)) for key in keys)]
        if result.by
        else ["all"] * len(columns["y"]),
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


def _limit_line(field: str, title: str, x: dict, trial_column: bool) -> dict:
    """A limit as steps per part: solid, or dashed in the parts whose limits are a trial."""
    layer = _step_line(field, title, x, None, LIMIT_COLOUR)
    if trial_column:
        kinds = ["computed", "frozen", TRIAL]
        layer["encoding"]["strokeDash"] = {
            "field": LIMITS_COLUMN,
            "type": "nominal",
            "title": "Limits",
            "scale": {"domain": kinds, "range": [[1, 0], [1, 0], [4, 3]]},
        }
        layer["encoding"]["tooltip"].append({"field": LIMITS_COLUMN, "type": "nominal", "title": "Limits"})
    return layer


def _mark_rows(positions: Sequence[float]) -> list[int]:
    """The row of each numbered mark (positions as shares of the x axis, in the marks' order): the first
    row where it is at least MARK_SPACING from the row's last mark."""
    rows: list[int] = [0] * len(positions)
    last_in_row: list[float] = []
    for i in sorted(range(len(positions)), key=lambda i: positions[i]):
        row = next((r for r, last in enumerate(last_in_row) if positions[i] - last >= MARK_SPACING), len(last_in_row))
        if row == len(last_in_row):
            last_in_row.append(positions[i])
        last_in_row[row] = positions[i]
        rows[i] = row
    return rows


def _axis_shares(values: np.ndarray, x_kind: str, marks: Sequence[Any]) -> list[float]:
    """Where each mark falls along the x axis, as a share of the data's range (0 to 1)."""
    if x_kind == "ordinal":
        order = {str(value): i for i, value in enumerate(json_values(values))}
        at = np.array([order.get(str(mark), 0) for mark in marks], dtype=float)
        low, high = 0.0, float(max(len(order) - 1, 1))
    else:
        kind = "datetime64[D]" if x_kind == "temporal" else float
        data = np.asarray(values).astype(kind).astype(float)
        at = np.array(marks, dtype=kind).astype(float)
        low, high = float(np.nanmin(data)), float(np.nanmax(data))
    span = high - low or 1.0
    return list((at - low) / span)


def _annotation_layers(notes: Sequence[dict[str, Any]], x_kind: str, x_values: np.ndarray) -> list[dict]:
    """Each note as a rule on the x axis with its number on top (rows of numbers where they would
    touch), and a legend that lists the numbers with the notes' dates and labels."""
    for note in notes:
        if "x" not in note:
            raise ValueError("each annotation needs an 'x' (where it goes on the x axis)")
    rows = _mark_rows(_axis_shares(x_values, x_kind, [note["x"] for note in notes]))
    values = [
        {
            "x": note["x"],
            "label": str(note.get("label", "")),
            "number": str(i),
            "key": f"{i}. {note['x']}: {note.get('label', '')}",
            "offset": 2 + MARK_ROW_HEIGHT * row,
        }
        for i, (note, row) in enumerate(zip(notes, rows, strict=True), start=1)
    ]
    x = {"field": "x", "type": x_kind}
    tooltip = [
        {"field": "x", "type": x_kind, "title": "Date" if x_kind == "temporal" else "At"},
        {"field": "label", "type": "nominal", "title": "Marked"},
    ]
    return [
        {
            "data": {"values": values},
            "mark": {"type": "rule", "strokeDash": [2, 2]},
            "encoding": {
                "x": x,
                "color": {
                    "field": "key",
                    "type": "nominal",
                    "title": "Marked on the time axis",
                    "sort": None,
                    "scale": {"range": [ANNOTATION_COLOUR]},
                    "legend": {"symbolType": "stroke"},
                },
                "tooltip": tooltip,
            },
        },
        {
            "data": {"values": values},
            "mark": {"type": "text", "baseline": "top", "fontWeight": "bold", "color": ANNOTATION_COLOUR},
            "encoding": {
                "x": x,
                "y": {"field": "offset", "type": "quantitative", "scale": None},
                "text": {"field": "number"},
                "tooltip": tooltip,
            },
        },
    ]


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
    series_names: Mapping[str, str] | None = None,
    series_title: str | None = None,
) -> dict[str, Any]:
    """A Vega-Lite v6 specification.

    title, x_title, y_title: the chart's title and axis titles (say the unit, e.g. "Attendance
    rate (%)"). annotations: marks on the x axis, e.g. the dates of tested changes, as
    ``[{"x": "2024-02-05", "label": "New attendance calls"}]``, drawn as numbered rules listed in a
    legend. With several series (``qic_many``) one small chart per series is drawn, ``columns`` per
    row, each headed by its key, or by its name in ``series_names`` (keys as text, several keys joined by
    " / "), under ``series_title``.
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
    data = _data(result, series_names)
    # A layer per status that occurs (a layer without data has no extent and Vega warns of it).
    statuses = {point["centre_status"] for point in data}
    layers += [
        _centre_line(x, status, colour, dash)
        for status, colour, dash in ((RANDOM, "#333333", None), (SHIFTED, SIGNAL_COLOUR, [6, 3]))
        if status in statuses
    ]
    if result.chart != "run":
        trial_column = LIMITS_COLUMN in result.point_columns
        layers.append(_limit_line("ucl", "Upper limit", x, trial_column))
        layers.append(_limit_line("lcl", "Lower limit", x, trial_column))
    points: dict[str, Any] = {
        "mark": {"type": "point", "filled": True, "size": 24 if result.by else 60, "opacity": 1},
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
    if result.by and x_kind != "ordinal":
        # Small multiples mark only the points that signal (the line shows the rest), which keeps a network's
        # dozens of panels readable and its image small.
        points["transform"] = [{"filter": {"not": {"field": "category", "equal": _categories(result)[0]}}}]
    layers.append(points)
    if annotations:
        layers += _annotation_layers(annotations, x_kind, np.asarray(x_values))
    name = {
        "run": "Run chart", "i": "I chart", "mr": "MR chart", "xbar": "Xbar chart",
        "s": "S chart", "t": "T chart", "p": "P chart", "pp": "P' chart (Laney)", "c": "C chart",
        "u": "U chart", "up": "U' chart (Laney)", "g": "G chart",
    }[result.chart]  # fmt: skip
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": title or f"{name} of {y_label.lower()}",
        "data": {"values": data},
        "config": {"axis": {"labelFontSize": 11, "titleFontSize": 12}, "legend": LEGEND},
    }
    body: dict[str, Any] = {"layer": layers}
    if annotations:
        # The marks' legend apart from the points'.
        body["resolve"] = {"scale": {"color": "independent", "shape": "independent"}}
    if result.by:
        spec["facet"] = {"field": "series", "type": "nominal", "title": series_title or ", ".join(result.by)}
        spec["columns"] = columns
        spec["spec"] = {"width": width // columns, "height": height // 2, **body}
        spec["resolve"] = {"scale": {"y": "independent"}}
    else:
        spec.update(width=width, height=height, **body)
    return spec


class _Drawings:
    """The pictures drawn lately, by format and spec, within a budget of bytes.

    vl-convert takes a quarter of a second or more to draw one chart, and a spec carries all of its data, so
    one spec always gives the same picture: the team members who open the same chart or forest plot after
    one another are served the picture drawn for the first. The budget bounds the memory a process gives it.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._kept: OrderedDict[tuple, str | bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, draw: Callable[[], str | bytes]) -> str | bytes:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        picture = draw()
        size = len(picture)
        if size <= self.budget_bytes:
            with self._lock:
                if key not in self._kept:
                    self._kept[key] = picture
                    self._bytes += size
                while self._bytes > self.budget_bytes:
                    self._bytes -= len(self._kept.popitem(last=False)[1])
        return picture


DRAWINGS = _Drawings(budget_bytes=48 * 1024 * 1024)


def _key(kind: str, spec: dict[str, Any], *options: float) -> tuple:
    return (kind, json.dumps(spec, sort_keys=True), *options)


def to_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return DRAWINGS.get(_key("svg", spec), lambda: vl_convert.vegalite_to_svg(spec))


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """The chart as a PNG image in PNG_COLOURS colours (a chart has few) and of at most about PNG_PIXELS
    pixels (a network's dozens of panels are drawn again at a smaller scale), so that it stays under a
    megabyte; the SVG is the image to print large."""
    return DRAWINGS.get(_key("png", spec, scale), lambda: _draw_png(spec, scale))


def _draw_png(spec: dict[str, Any], scale: float) -> bytes:
    import vl_convert
    from PIL import Image

    drawn = Image.open(io.BytesIO(vl_convert.vegalite_to_png(spec, scale=scale)))
    shrink = math.sqrt(PNG_PIXELS / (drawn.width * drawn.height))
    if shrink < 1:
        drawn = Image.open(io.BytesIO(vl_convert.vegalite_to_png(spec, scale=scale * shrink)))
    image = io.BytesIO()
    drawn.convert("RGB").quantize(PNG_COLOURS).save(image, "PNG", optimize=True)
    return image.getvalue()


def to_pdf(spec: dict[str, Any]) -> bytes:
    import vl_convert

    return DRAWINGS.get(_key("pdf", spec), lambda: vl_convert.vegalite_to_pdf(spec))
