"""How a metric's table reads on a page: plain column labels with units, group names, suppressed cells, charts.

Rates are shares (0 to 1) in the store's tables and percentages on pages. A suppressed row never shows a
number: its cells say how small the group is instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from improvenet.data.services import DISTRICT_ROW
from improvenet.spc.vega import SCHEMA

if TYPE_CHECKING:  # the tables come from the store's reads, which load Arrow
    import pyarrow as pa

DISTRICT_LABEL = "District (all schools)"
EACH_SCHOOL = "Each school"
KEY_COLUMNS = {"school_id", "group", "suppressed"}
PERIOD_LABELS = {"school_year": "School year", "cohort_year": "Cohort (year entering grade 9)",
                 "cohort": "Entry cohort (first school year)", "years": "Years since entry"}
LABELS = {
    "students": "Students", "chronic": "Chronically absent (students)", "rate": "Rate (%)",
    "cohort": "Students in the cohort", "graduates": "Graduates (students)", "on_track": "On track (students)",
    "teachers": "Teachers", "stayed": "Stayed in the school (teachers)",
    "moved": "Moved to another school of the district (teachers)", "left": "Left the district (teachers)",
    "stayed_rate": "Stayed (%)", "moved_rate": "Moved (%)", "left_rate": "Left (%)",
    "survival": "Still teaching in the district (%)", "ci_lower": "95% interval from (%)",
    "ci_upper": "95% interval to (%)", "at_risk": "Teachers still followed",
}
PERCENT_COLUMNS = {"rate", "stayed_rate", "moved_rate", "left_rate", "survival", "ci_lower", "ci_upper"}
# The rate each metric's trend chart follows, and who its counts are.
TREND_RATE = {"chronic-absenteeism": "rate", "graduation-rate": "rate", "on-track": "rate",
              "teacher-retention": "stayed_rate"}
PEOPLE = {"teacher-retention": "teachers"}
FLAG_GROUP_LABELS = {"all": "All", "ell": "English learners", "sped": "Students with disabilities (special education)",
                     "frl": "Free or reduced-price lunch"}


def people(metric: str) -> str:
    return PEOPLE.get(metric, "students")


def group_label(group: str) -> str:
    if group in FLAG_GROUP_LABELS:
        return FLAG_GROUP_LABELS[group]
    kind, _, value = group.partition(":")
    value = value.replace("_", " ")
    return {"sex": f"Sex: {value}", "race": f"Race/ethnicity: {value}"}.get(kind, group)


def percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@dataclass
class Shown:
    """A metric table as a page shows it: header labels and rows of cells (text), suppressed rows marked."""

    unit_label: str | None
    period_label: str
    columns: list[str]
    rows: list[dict]
    suppressed: int
    hidden_text: str


def shown_table(metric: str, table: pa.Table, school_names: dict[str, str], min_n: int) -> Shown:
    names = table.column_names
    period = next(name for name in ("school_year", "cohort_year", "cohort") if name in names)
    values = [name for name in names if name not in KEY_COLUMNS and name != period
              and not (period == "cohort" and name == "years")]
    detail = ["years"] if period == "cohort" else []
    hidden_text = f"fewer than {min_n} {people(metric)}"
    rows = []
    for record in table.to_pylist():
        school = record.get("school_id")
        suppressed = bool(record["suppressed"])
        cells = [] if suppressed else [percent(record[name]) if name in PERCENT_COLUMNS else record[name]
                                       for name in detail + values]
        unit = DISTRICT_LABEL if school == DISTRICT_ROW else school_names.get(school, school)
        rows.append({
            "unit": unit if school else None,
            "period": record[period],
            "group": group_label(record["group"]) if "group" in names else None,
            "cells": cells,
            "suppressed": suppressed,
        })
    return Shown(
        unit_label="School" if "school_id" in names else None,
        period_label=PERIOD_LABELS[period],
        columns=[PERIOD_LABELS[name] for name in detail] + [LABELS.get(name, name) for name in values],
        rows=rows,
        suppressed=sum(row["suppressed"] for row in rows),
        hidden_text=hidden_text,
    )


def trend_spec(metric: str, title: str, table: pa.Table, school_names: dict[str, str]) -> dict | None:
    """The `all` group's rate by year for each school and the district; None when no row can be drawn."""
    rate = TREND_RATE[metric]
    names = table.column_names
    if "school_id" not in names or rate not in names:
        return None
    period = "cohort_year" if "cohort_year" in names else "school_year"
    values = [{"year": row[period], "unit": DISTRICT_LABEL if row["school_id"] == DISTRICT_ROW
               else school_names.get(row["school_id"], row["school_id"]), "percent": round(row[rate] * 100, 1)}
              for row in table.to_pylist() if row["group"] == "all" and not row["suppressed"]]
    if not values:
        return None
    for value in values:
        value["line"] = DISTRICT_LABEL if value["unit"] == DISTRICT_LABEL else EACH_SCHOOL
    label = LABELS[rate]
    # Dozens of schools: a legend entry each would not fit, so every school is a thin grey line (named in its
    # tooltip and in the table) behind the district's.
    encoding = {
        "x": {"field": "year", "type": "ordinal", "title": PERIOD_LABELS[period]},
        "y": {"field": "percent", "type": "quantitative", "title": label},
        "color": {"field": "line", "type": "nominal", "title": None,
                  "scale": {"domain": [DISTRICT_LABEL, EACH_SCHOOL], "range": ["#1f5f99", "#a7b0ba"]}},
        "detail": {"field": "unit", "type": "nominal"},
        "tooltip": [{"field": "unit", "title": "School"}, {"field": "year", "title": PERIOD_LABELS[period]},
                    {"field": "percent", "title": label}],
    }
    return {
        "$schema": SCHEMA, "title": title, "width": 640, "height": 320,
        "description": f"{label} by year for every school (grey) and the district (blue); hidden groups are "
                       "left out.",
        "data": {"values": values},
        "encoding": encoding,
        "layer": [  # the district's line drawn last, over the schools'
            {"transform": [{"filter": {"field": "line", "equal": EACH_SCHOOL}}],
             "mark": {"type": "line", "strokeWidth": 1, "point": {"size": 12}}},
            {"transform": [{"filter": {"field": "line", "equal": DISTRICT_LABEL}}],
             "mark": {"type": "line", "strokeWidth": 3, "point": {"size": 50}}},
        ],
        "config": {"legend": {"orient": "bottom"}},
    }


def curves_spec(title: str, table: pa.Table) -> dict | None:
    """Kaplan–Meier curves: the share of each entry cohort still teaching in the district, by years since entry."""
    values = [{"cohort": str(row["cohort"]), "years": row["years"], "percent": round(row["survival"] * 100, 1),
               "low": round(row["ci_lower"] * 100, 1), "high": round(row["ci_upper"] * 100, 1)}
              for row in table.to_pylist() if not row["suppressed"]]
    if not values:
        return None
    x = {"field": "years", "type": "quantitative", "title": "Years since entry", "axis": {"tickMinStep": 1}}
    cohort = {"field": "cohort", "type": "nominal", "title": "Entry cohort"}
    return {
        "$schema": SCHEMA, "title": title, "width": 640, "height": 320,
        "description": "Share of each entry cohort of teachers still teaching in the district, with 95% intervals.",
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.15},
             "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"},
                          "color": cohort}},
            {"mark": {"type": "line", "point": True, "interpolate": "step-after"},
             "encoding": {"x": x, "y": {"field": "percent", "type": "quantitative",
                                        "title": LABELS["survival"], "scale": {"domain": [0, 100]}},
                          "color": cohort, "shape": cohort,
                          "tooltip": [cohort, {"field": "years", "title": "Years since entry"},
                                      {"field": "percent", "title": LABELS["survival"]}]}},
        ],
    }

