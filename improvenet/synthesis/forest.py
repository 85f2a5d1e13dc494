"""The forest plot of a ledger: each site's effect with its 95% interval, then the fixed-effect and the
random-effects estimates and the prediction interval for a new site, as one Vega-Lite spec. Pure: the
page draws it in the browser (static/improvenet/js/charts.js), the downloads with vl-convert."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

from improvenet.spc.vega import ANNOTATION_COLOUR, LINE_COLOUR, SCHEMA, SIGNAL_COLOUR
from improvenet.synthesis.meta import Pooled

ROW_PIXELS = 24
WIDTH = 560
Z95 = NormalDist().inv_cdf(0.975)


def forest_spec(rows: Sequence[tuple[str, float, float]], fixed: Pooled | None, random: Pooled | None,
                unit: str, title: str) -> dict[str, Any]:
    """`rows` are (site label, effect, sampling variance), drawn in their order; the pooled rows follow."""
    values = [{"row": label, "kind": "Site (95% confidence interval)", "effect": yi,
               "low": yi - Z95 * vi ** 0.5, "high": yi + Z95 * vi ** 0.5} for label, yi, vi in rows]
    if fixed is not None:
        values.append({"row": "Fixed effect (all sites share one effect)", "kind": "Pooled (95% confidence interval)",
                       "effect": fixed.estimate, "low": fixed.ci_low, "high": fixed.ci_high})
    if random is not None:
        values.append({"row": "Random effects (sites differ)", "kind": "Pooled (95% confidence interval)",
                       "effect": random.estimate, "low": random.ci_low, "high": random.ci_high})
        values.append({"row": "A new site like these", "kind": "Prediction interval (95%)",
                       "effect": random.estimate, "low": random.pi_low, "high": random.pi_high})
    order = [value["row"] for value in values]
    kinds = ["Site (95% confidence interval)", "Pooled (95% confidence interval)", "Prediction interval (95%)"]
    y = {"field": "row", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 160}}
    colour = {"field": "kind", "type": "nominal", "title": None,
              "scale": {"domain": kinds, "range": [LINE_COLOUR, SIGNAL_COLOUR, ANNOTATION_COLOUR]}}
    tooltip = [{"field": "row", "title": "Row"}, {"field": "effect", "format": ".2f", "title": f"Effect ({unit})"},
               {"field": "low", "format": ".2f", "title": "From"}, {"field": "high", "format": ".2f", "title": "To"}]
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": (f"Forest plot: the effect ({unit}) at each of {len(rows)} sites with its 95% interval, "
                        "then the pooled estimates and the interval where a new site's effect is likely to fall."),
        "width": WIDTH,
        "height": ROW_PIXELS * len(values),
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555",
                      "description": "No effect: zero"},
             "encoding": {"x": {"datum": 0}, "y": None}},
            # The intervals are thin bars rather than rules, so that they are data marks with a size.
            {"mark": {"type": "bar", "height": 3},
             "encoding": {"x": {"field": "low", "type": "quantitative", "title": f"Effect ({unit})"},
                          "x2": {"field": "high"}, "color": colour, "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "shape": "square", "size": 60},
             "encoding": {"x": {"field": "effect", "type": "quantitative"}, "color": colour, "tooltip": tooltip}},
        ],
    }
