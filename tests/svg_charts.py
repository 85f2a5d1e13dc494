"""What a person would see of a chart drawn on the server (vl-convert's SVG), measured from the file: its size,
how far its data marks spread over the plot, and whether two of its texts cover each other.

Text boxes are estimated (vl-convert lays text out with its own font metrics, which the SVG does not keep): a
character is taken as CHARACTER_WIDTH of the font size wide and the box as tall as the font, so an overlap is
reported only where the estimated boxes cross by more than OVERLAP_SLACK pixels both ways.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

CHARACTER_WIDTH = 0.5
OVERLAP_SLACK = 1.0
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"
DATA_MARKS = ("mark-symbol role-mark", "mark-line role-mark", "mark-rect role-mark", "mark-area role-mark")


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float
    text: str = ""

    def crosses(self, other: Box, slack: float = OVERLAP_SLACK) -> bool:
        return (min(self.right, other.right) - max(self.left, other.left) > slack
                and min(self.bottom, other.bottom) - max(self.top, other.top) > slack)


@dataclass
class DrawnChart:
    width: float
    height: float
    texts: list[Box]
    mark_xs: list[float]
    plot_spans: list[tuple[float, float]]  # the x axes' domain lines, left to right

    def spread(self) -> float:
        """How much of the plots' width the data marks cover, from 0 to 1."""
        left = min(start for start, _ in self.plot_spans)
        right = max(end for _, end in self.plot_spans)
        return (max(self.mark_xs) - min(self.mark_xs)) / (right - left)

    def overlapping_texts(self) -> list[tuple[str, str]]:
        return [(a.text, b.text) for a, b in itertools.combinations(self.texts, 2) if a.crosses(b)]


def _translation(transform: str | None) -> tuple[float, float, float]:
    """The translation of a transform and its rotation in degrees (Vega writes translate(...) rotate(...))."""
    x = y = angle = 0.0
    for kind, arguments in re.findall(r"(translate|rotate)\(([^)]*)\)", transform or ""):
        values = [float(v) for v in re.findall(NUMBER, arguments)]
        if kind == "translate":
            x, y = x + values[0], y + (values[1] if len(values) > 1 else 0.0)
        else:
            angle += values[0]
    return x, y, angle


def _text_box(element: ET.Element, x: float, y: float, angle: float, text: str) -> Box:
    size = float(re.match(NUMBER, element.get("font-size", "11")).group())
    width, height = CHARACTER_WIDTH * size * len(text), size
    anchor = element.get("text-anchor", "start")
    start = {"start": 0.0, "middle": -width / 2, "end": -width}[anchor]
    # Vega's y is the text's baseline; most of a line's height is above it.
    box = (start, -0.8 * height, start + width, 0.2 * height)
    left, top, right, bottom = box
    if abs(angle + 90) < 1:  # the y axis's title, turned a quarter anticlockwise: (u, v) goes to (v, -u)
        box = (top, -right, bottom, -left)
    elif abs(angle - 90) < 1:  # turned clockwise: (u, v) goes to (-v, u)
        box = (-bottom, left, -top, right)
    return Box(x + box[0], y + box[1], x + box[2], y + box[3], text)


def read(svg: str) -> DrawnChart:
    root = ET.fromstring(svg)
    texts: list[Box] = []
    mark_xs: list[float] = []
    spans: list[tuple[float, float]] = []

    def walk(element: ET.Element, x: float, y: float, classes: str) -> None:
        dx, dy, angle = _translation(element.get("transform"))
        x, y = x + dx, y + dy
        classes = element.get("class", classes)
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "text" and (element.text or "").strip() and element.get("opacity", "1") != "0":
            texts.append(_text_box(element, x, y, angle, element.text.strip()))
        elif tag == "path" and any(kind in classes for kind in DATA_MARKS):
            if "symbol" in classes:
                mark_xs.append(x)
            else:
                numbers = [float(v) for v in re.findall(NUMBER, element.get("d", ""))]
                mark_xs.extend(x + value for value in numbers[0::2])
        elif tag == "line" and "role-axis-domain" in classes:
            x2, y2 = float(element.get("x2", 0)), float(element.get("y2", 0))
            if y2 == 0 and x2 > 0:  # the x axis's domain: a horizontal line as wide as the plot
                spans.append((x, x + x2))
        for child in element:
            walk(child, x, y, classes)

    walk(root, 0.0, 0.0, "")
    return DrawnChart(float(root.get("width", "nan")), float(root.get("height", "nan")), texts, mark_xs, spans)


def assert_reads_well(svg: str, *, min_spread: float = 0.8) -> DrawnChart:
    """A finite size, data marks over at least `min_spread` of the plot's width, and no two texts over each other."""
    chart = read(svg)
    assert math.isfinite(chart.width) and chart.width > 0 and math.isfinite(chart.height) and chart.height > 0
    assert chart.mark_xs and chart.plot_spans, "no data marks or no x axis in the chart"
    assert chart.spread() >= min_spread, f"the marks cover {chart.spread():.0%} of the plot's width"
    assert chart.overlapping_texts() == []
    return chart
