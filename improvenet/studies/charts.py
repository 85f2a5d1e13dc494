"""The Vega-Lite chart of a study's estimates by site: Hedges' g of each site with its 95% interval, the whole
study's estimate below them, and a line at zero. Pure: a plain dict, drawn on the page by charts.js and
exported to SVG through vl-convert like every chart (improvenet.spc.vega)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from improvenet.spc.vega import LIMIT_COLOUR, LINE_COLOUR, SCHEMA, SIGNAL_COLOUR

Z95 = 1.959963984540054
OVERALL = "Whole study"


def sites_spec(sites: Sequence[dict], overall_g: float, overall_low: float, overall_high: float,
               title: str) -> dict:
    """`sites`: each with `site`, `yi` (Hedges' g) and `vi` (its variance); the overall g and its interval."""
    rows = [{"site": site["site"], "g": site["yi"], "low": site["yi"] - Z95 * math.sqrt(site["vi"]),
             "high": site["yi"] + Z95 * math.sqrt(site["vi"]), "kind": "Site"} for site in sites]
    rows.append({"site": OVERALL, "g": overall_g, "low": overall_low, "high": overall_high, "kind": "Whole study"})
    order = [row["site"] for row in rows]
    y = {"field": "site", "type": "nominal", "sort": order, "title": None}
    colour = {"field": "kind", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
              "scale": {"domain": ["Site", "Whole study"], "range": [LINE_COLOUR, SIGNAL_COLOUR]}}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 560,
        "height": max(80, 36 * len(rows)),
        "data": {"values": rows},
        "layer": [
            # The line at zero is a guide, not data: hidden from screen readers (the table gives the numbers).
            {"mark": {"type": "rule", "color": LIMIT_COLOUR, "strokeDash": [4, 4], "aria": False},
             "encoding": {"x": {"datum": 0}}},
            {"mark": {"type": "rule"}, "encoding": {
                "y": y, "x": {"field": "low", "type": "quantitative", "title": "Hedges' g (standard deviations)"},
                "x2": {"field": "high"}, "color": colour}},
            {"mark": {"type": "point", "filled": True, "size": 80}, "encoding": {
                "y": y, "x": {"field": "g", "type": "quantitative"}, "color": colour,
                "shape": {"field": "kind", "type": "nominal", "legend": None},
                "tooltip": [{"field": "site", "title": "Site"}, {"field": "g", "format": ".3f", "title": "g"},
                            {"field": "low", "format": ".3f", "title": "95% from"},
                            {"field": "high", "format": ".3f", "title": "95% to"}]}},
        ],
    }
