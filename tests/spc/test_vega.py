"""Vega-Lite specification and SVG/PNG export (vl-convert, no browser)."""

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from improvenet.spc import qic, qic_many, vega
from tests.svg_charts import assert_reads_well, read

VENDOR = Path(vega.__file__).parents[1] / "static" / "improvenet" / "vendor"

WEEKS = np.datetime64("2024-09-02") + 7 * np.arange(24).astype("timedelta64[D]")


@pytest.fixture(scope="module")
def result():
    y = [90, 91, 89, 92, 90, 91, 88, 90, 91, 89, 90, 99, 93, 94, 93, 95, 94, 93, 94, 95, 93, 94, 95, 94]
    return qic([4 * v for v in y], [400] * 24, x=WEEKS, chart="p", multiply=100)


def layer_marks(spec):
    return [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]


def test_spec_declares_the_vendored_vega_lite(result) -> None:
    (vendored,) = [path.name for path in VENDOR.glob("vega-lite-*.min.js")]
    major = re.fullmatch(r"vega-lite-(\d+)\.\d+\.\d+\.min\.js", vendored).group(1)
    assert result.vega_lite()["$schema"] == f"https://vega.github.io/schema/vega-lite/v{major}.json"


def test_spec_layers_and_titles(result) -> None:
    spec = result.vega_lite(y_title="Attendance rate (%)")
    # The data line, the centre line (this chart's only part has a run signal), the two limits, the points.
    assert layer_marks(spec) == ["line", "line", "line", "line", "point"]
    point_layer = spec["layer"][-1]["encoding"]
    assert point_layer["y"]["field"] == "y"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Attendance rate (%)"
    assert spec["layer"][0]["encoding"]["x"] == {"field": "x", "type": "temporal", "title": "Date"}
    # Centre line and limits are steps that restart with each part.
    for layer in spec["layer"][1:4]:
        assert layer["mark"]["interpolate"] == "step"
        assert layer["encoding"]["detail"] == {"field": "part"}
    assert spec["config"]["legend"]["orient"] == "bottom"  # a phone keeps the plot's width
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
    assert {v["centre_status"] for v in values} == {spec["layer"][1]["transform"][0]["filter"]["equal"]}
    assert spec["layer"][1]["mark"]["strokeDash"] == [6, 3]


def limit_layers(spec):
    return [layer for layer in spec["layer"] if layer["encoding"]["y"]["field"] in ("lcl", "ucl")]


def test_limits_are_steps_per_part_solid_unless_a_trial() -> None:
    y = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 9, 10, 9, 11, 10, 9, 10, 11, 9, 10]
    result = qic(y, chart="i", part=[10])
    spec = result.vega_lite()
    for layer in limit_layers(spec):
        assert layer["mark"]["interpolate"] == "step" and "strokeDash" not in layer["mark"]
        assert layer["encoding"]["detail"] == {"field": "part"}  # broken between the parts, never joined
    assert {row["part"] for row in spec["data"]["values"]} == {1, 2}
    # Parts shorter than 12 points: the first part's limits are a trial (dashed), the second keeps them (frozen).
    spec = qic(y, chart="i", part=[10], min_part_points=12).vega_lite()
    for layer in limit_layers(spec):
        dash = layer["encoding"]["strokeDash"]
        assert dash["field"] == "limits_source"
        styles = dict(zip(dash["scale"]["domain"], dash["scale"]["range"], strict=True))
        assert styles["trial"] != [1, 0] and styles["frozen"] == styles["computed"] == [1, 0]
    svg = vega.to_svg(spec)
    drawn = re.findall(r'<path aria-label="[^"]*Limits: (\w+)[^"]*"[^>]*?( stroke-dasharray="4,3")?/?>', svg)
    # Each limit is drawn in two pieces: the trial part's dashed, the frozen part's solid.
    dash = ' stroke-dasharray="4,3"'
    assert sorted(drawn) == [("frozen", ""), ("frozen", ""), ("trial", dash), ("trial", dash)]


NOTES = [
    {"x": "2024-11-18", "label": "Family calls start"},
    {"x": "2024-11-20", "label": "Advisory check-ins with off-track students"},
    {"x": "2025-01-27", "label": "Adopted: family calls"},
]


def test_annotations_are_numbered_stacked_where_close_and_listed(result) -> None:
    spec = result.vega_lite(annotations=NOTES)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    (numbers,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    values = numbers["data"]["values"]
    assert [v["number"] for v in values] == ["1", "2", "3"]
    assert [v["key"] for v in values] == [f"{i}. {n['x']}: {n['label']}" for i, n in enumerate(NOTES, start=1)]
    # Two days apart the first two numbers would touch: the second goes a row lower; the third is far away.
    assert values[0]["offset"] < values[1]["offset"] and values[2]["offset"] == values[0]["offset"]
    assert rules[0]["encoding"]["color"]["field"] == "key"  # the legend lists the numbered notes
    with pytest.raises(ValueError, match="needs an 'x'"):
        result.vega_lite(annotations=[{"label": "no date"}])


def test_checker_sees_texts_over_each_other() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
        '<text transform="translate(10,20)" font-size="11px">Family calls start</text>'
        '<text transform="translate(30,22)" font-size="11px">Advisory check-ins</text>'
        '<text transform="translate(10,60)" font-size="11px">Far below</text></svg>'
    )
    assert read(svg).overlapping_texts() == [("Family calls start", "Advisory check-ins")]


def test_run_chart_has_no_limit_layers() -> None:
    assert layer_marks(qic([1, 2, 3, 2, 1]).vega_lite()) == ["line", "line", "point"]


def test_svg_and_png_export(result) -> None:
    svg = result.to_svg(annotations=NOTES)
    assert svg.lstrip().startswith("<svg") and "Family calls start" in svg
    assert "Attendance" not in svg and "Percent (%)" in svg
    assert_reads_well(svg)
    png = result.to_png(scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_of_many_panels_is_drawn_smaller_in_few_colours(monkeypatch) -> None:
    frame = pd.DataFrame({"school": np.repeat([f"School {i}" for i in range(9)], 20),
                          "y": np.tile(np.arange(20) % 7 + 1.0, 9)})
    result = qic_many(frame, by="school", y="y", chart="i")
    monkeypatch.setattr(vega, "PNG_PIXELS", 400_000)
    image = Image.open(io.BytesIO(result.to_png()))
    assert image.mode == "P" and len(image.getpalette()) // 3 <= vega.PNG_COLOURS
    assert image.width * image.height <= 1.05 * vega.PNG_PIXELS


def test_many_series_are_faceted() -> None:
    frame = pd.DataFrame({"school": np.repeat(["A", "B"], 12), "y": np.arange(24) % 5 + 1.0})
    result = qic_many(frame, by="school", y="y", chart="i")
    spec = result.vega_lite()
    assert spec["facet"]["field"] == "series"
    assert {row["series"] for row in spec["data"]["values"]} == {"A", "B"}
    # Panels headed by the series' names; only the points that signal are marked.
    named = result.vega_lite(series_names={"A": "Arbor Glen", "B": "Banneker"}, series_title="School")
    assert {row["series"] for row in named["data"]["values"]} == {"Arbor Glen", "Banneker"}
    assert named["facet"]["title"] == "School"
    assert named["spec"]["layer"][-1]["transform"] == [{"filter": {"not": {"field": "category", "equal": "No signal"}}}]
    svg = result.to_svg(series_names={"A": "Arbor Glen", "B": "Banneker"})
    assert "Arbor Glen" in svg and "Banneker" in svg
    assert_reads_well(svg)


def test_categories_are_not_joined_and_ihi_names_astronomical_points() -> None:
    result = qic([5, 7, 6, 9, 4, 8, 40, 6, 7, 5, 6], x=list("ABCDEFGHIJK"), rules="ihi")
    spec = result.vega_lite(x_title="School")
    assert layer_marks(spec) == ["line", "point"]  # the centre line and the points
    assert spec["layer"][-1]["encoding"]["x"]["sort"] is None
    assert spec["layer"][-1]["encoding"]["shape"]["scale"]["domain"][1] == "Astronomical point"
    assert [row["category"] for row in spec["data"]["values"]][6] == "Astronomical point"


def test_a_spec_is_drawn_once_and_a_changed_spec_again(result, monkeypatch):
    """The same spec gives the same picture without vl-convert; any change to it (a point, a title) draws anew."""
    import vl_convert

    drawn = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec) or real(spec))
    monkeypatch.setattr(vega, "DRAWINGS", vega._Drawings(budget_bytes=10**8))
    spec = result.vega_lite(title="Attendance")
    first = vega.to_svg(spec)
    assert vega.to_svg(json.loads(json.dumps(spec))) == first
    assert len(drawn) == 1
    changed = json.loads(json.dumps(spec))
    changed["data"]["values"][0]["y"] += 1
    assert vega.to_svg(changed) != first
    assert vega.to_svg(result.vega_lite(title="Attendance, weekly")) != first
    assert len(drawn) == 3


def test_the_kept_pictures_stay_within_their_budget():
    drawings = vega._Drawings(budget_bytes=10)
    draws = []

    def draw(picture):
        return lambda: draws.append(picture) or picture

    assert drawings.get(("a",), draw(b"12345")) == b"12345"
    assert drawings.get(("b",), draw(b"67890")) == b"67890"
    assert drawings.get(("a",), draw(b"12345")) == b"12345"  # kept: the budget holds both
    assert drawings.get(("c",), draw(b"abc")) == b"abc"  # over the budget: the least recent ("b") goes
    assert drawings.get(("b",), draw(b"67890")) == b"67890"
    assert draws == [b"12345", b"67890", b"abc", b"67890"]
    assert drawings.get(("big",), draw(b"x" * 11)) == b"x" * 11  # larger than the whole budget: never kept
    assert drawings.get(("big",), draw(b"x" * 11)) == b"x" * 11
    assert draws[-2:] == [b"x" * 11, b"x" * 11]
