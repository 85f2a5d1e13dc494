"""The induction outcomes of a cluster, from its records: what the outcomes page and API show.

The computation is in improvenet.analytics.induction (pure); this module gathers the records of the
open cluster scope and builds the Vega-Lite chart of the curves.
"""

import datetime
from dataclasses import dataclass

from improvenet.analytics.induction import Inducted, Spell, destinations, hide_pooled_differences, retention_curves
from improvenet.analytics.suppression import DEFAULT_MIN_N
from improvenet.induction.models import Induction, NewTeacher
from improvenet.spc.vega import SCHEMA

INDUCTED = "Inducted"
OTHERS = "Other new teachers"


@dataclass(frozen=True)
class Outcomes:
    as_of: datetime.date
    min_n: int
    cohort_curves: list[dict]
    comparison: list[dict]
    destinations: list[dict]
    hire_years: list[int]

    def to_dict(self) -> dict:
        return {"as_of": self.as_of, "min_n": self.min_n, "hire_years": self.hire_years,
                "cohort_curves": self.cohort_curves, "comparison": self.comparison,
                "destinations": self.destinations}

    @property
    def suppressed_cells(self) -> int:
        return sum(row["suppressed"] for rows in (self.cohort_curves, self.comparison, self.destinations)
                   for row in rows)


def cluster_outcomes(as_of: datetime.date, min_n: int = DEFAULT_MIN_N) -> Outcomes:
    """The outcomes of the open cluster scope's new teachers hired by `as_of`."""
    inductions = list(Induction.objects.select_related("cohort", "new_teacher", "placement")
                      .filter(new_teacher__hired_on__lte=as_of))
    inducted_ids = {i.new_teacher_id for i in inductions}
    cohort_spells = [Spell(i.cohort.name, i.new_teacher.hired_on, i.new_teacher.left_on) for i in inductions]
    hire_years = sorted({i.new_teacher.hired_on.year for i in inductions})
    # The comparison: new teachers hired in the same years as the inducted ones, so that both groups
    # had the same time to leave.
    comparison = [
        Spell(INDUCTED if teacher.pk in inducted_ids else OTHERS, teacher.hired_on, teacher.left_on)
        for teacher in NewTeacher.objects.filter(hired_on__lte=as_of, hired_on__year__in=hire_years)
    ]
    went = [
        Inducted(i.cohort.name, getattr(getattr(i, "placement", None), "placed_on", None), i.new_teacher.left_on)
        for i in inductions
    ]
    cohort_curves = retention_curves(cohort_spells, as_of, min_n)
    # The inducted teachers are the cohorts' teachers together: their curve must not give back a hidden cohort.
    comparison_curves = hide_pooled_differences(retention_curves(comparison, as_of, min_n), cohort_curves, INDUCTED)
    return Outcomes(as_of, min_n, cohort_curves, comparison_curves, destinations(went, as_of, min_n), hire_years)


def curve_spec(rows: list[dict], title: str) -> dict | None:
    """A Vega-Lite step chart of the shown (not suppressed) points of the curves; None when none is shown."""
    shown = [row for row in rows if not row["suppressed"]]
    if not shown:
        return None
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 640,
        "height": 260,
        "data": {"values": shown},
        "encoding": {
            "x": {"field": "years", "type": "quantitative", "title": "Years since hire", "axis": {"tickMinStep": 1}},
            "color": {"field": "group", "type": "nominal", "title": "Group"},
        },
        "layer": [
            {"mark": {"type": "area", "opacity": 0.15, "interpolate": "step-after"},
             "encoding": {"y": {"field": "ci_lower", "type": "quantitative"}, "y2": {"field": "ci_upper"}}},
            {"mark": {"type": "line", "interpolate": "step-after", "point": True},
             "encoding": {
                 "y": {"field": "survival", "type": "quantitative", "title": "Share still in the district (%)",
                       "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
                 "strokeDash": {"field": "group", "type": "nominal"},
                 "tooltip": [{"field": "group"}, {"field": "years"},
                             {"field": "survival", "format": ".0%"}, {"field": "at_risk", "title": "at risk"}],
             }},
        ],
    }
