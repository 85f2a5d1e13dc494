"""Vega-Lite specification and SVG/PNG export (vl-convert, no browser)."""

import json

import numpy as np
import pandas as pd
import pytest

from improvenet.spc import qic, qic_many

WEEKS = np.datetime64("2024-09-02") + 7 * np.arange(24).astype("timedelta64[D]")


@pytest.fixture(scope="module")
def result():
    y = [90, 91, 89, 92, 90, 91, 88, 90, 91, 89, 90, 99, 93, 94, 93, 95, 94, 93, 94, 95, 93, 94, 95, 94]
    return qic([4 * v for v in y], [400] * 24, x=WEEKS, chart="p", multiply=100)


def layer_marks(spec):
    return [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]


def test_spec_layers_and_titles(result) -> None:
    spec = result.vega_lite(y_title="Attendance rate (%)")
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert layer_marks(spec) == ["line", "line", "line", "line", "line", "point"]
    point_layer = spec["layer"][-1]["encoding"]
    assert point_layer["y"]["field"] == "y"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Attendance rate (%)"
    assert spec["layer"][0]["encoding"]["x"] == {"field": "x", "type": "temporal", "title": "Date"}
    # Centre line and limits are steps that restart with each part.
    for layer in spec["layer"][1:5]:
        assert layer["mark"]["interpolate"] == "step"
        assert layer["encoding"]["detail"] == {"field": "part"}
    json.dumps(spec)  # plain JSON


def test_signal_points_differ_in_colour_and_shape(result) -> None:
    encoding = result.vega_lite()["layer"][-1]["encoding"]
    colours = dict(zip(encoding["color"]["scale"]["domain"], encoding["color"]["scale"]["range"], strict=True))
    shapes = dict(zip(encoding["shape"]["scale"]["domain"], encoding["shape"]["scale"]["range"], strict=True))
    assert colours["Outside the limits"] != colours["No signal"]
    assert shapes["Outside the limits"] != shapes["No signal"]
    titles = [t["title"] for t in encoding["tooltip"]]
    assert "What this point shows" in titles and "Upper limit" in titles
    data = result.vega_lite()["data"]["values"]
    assert data[11]["category"] == "Outside the limits"
    assert data[0]["category"] == "No signal"
    assert data[0]["x"] == "2024-09-02"


def test_runs_signal_dashes_the_centre_line(result) -> None:
    spec = result.vega_lite()
    assert result.parts["runs_signal"][0]
    values = spec["data"]["values"]
    assert {v["centre_status"] for v in values} == {spec["layer"][2]["transform"][0]["filter"]["equal"]}
    assert spec["layer"][2]["mark"]["strokeDash"] == [6, 3]


def test_annotations(result) -> None:
    spec = result.vega_lite(annotations=[{"x": "2024-11-18", "label": "Family calls start"}])
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert rules[0]["data"]["values"] == [{"x": "2024-11-18", "label": "Family calls start"}]
    assert texts[0]["encoding"]["text"] == {"field": "label"}
    with pytest.raises(ValueError, match="needs an 'x'"):
        result.vega_lite(annotations=[{"label": "no date"}])


def test_run_chart_has_no_limit_layers() -> None:
    assert layer_marks(qic([1, 2, 3, 2, 1]).vega_lite()) == ["line", "line", "line", "point"]


def test_svg_and_png_export(result) -> None:
    svg = result.to_svg(annotations=[{"x": "2024-11-18", "label": "Family calls start"}])
    assert svg.lstrip().startswith("<svg") and "Family calls start" in svg
    assert "Attendance" not in svg and "Percent (%)" in svg
    png = result.to_png(scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_many_series_are_faceted() -> None:
    frame = pd.DataFrame({"school": np.repeat(["A", "B"], 12), "y": np.arange(24) % 5 + 1.0})
    spec = qic_many(frame, by="school", y="y", chart="i").vega_lite()
    assert spec["facet"]["field"] == "series"
    assert {row["series"] for row in spec["data"]["values"]} == {"A", "B"}
    assert "<svg" in qic_many(frame, by="school", y="y", chart="i").to_svg()


def test_categories_are_not_joined_and_ihi_names_astronomical_points() -> None:
    result = qic([5, 7, 6, 9, 4, 8, 40, 6, 7, 5, 6], x=list("ABCDEFGHIJK"), rules="ihi")
    spec = result.vega_lite(x_title="School")
    assert layer_marks(spec) == ["line", "line", "point"]  # the two centre lines and the points
    assert spec["layer"][-1]["encoding"]["x"]["sort"] is None
    assert spec["layer"][-1]["encoding"]["shape"]["scale"]["domain"][1] == "Astronomical point"
    assert [row["category"] for row in spec["data"]["values"]][6] == "Astronomical point"
