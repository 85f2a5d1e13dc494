"""What the pages, the API and the demo share: saving a self-assessment, the health report, its charts.

Every function runs inside the cluster's scope (see improvenet.network.access.in_cluster). The rules
themselves are `improvenet.partnership.health`'s; this module feeds it the stored records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Sum

from improvenet.measures import services as measure_services
from improvenet.measures.models import Measure, MeasureValue
from improvenet.network.models import Cluster, current_on
from improvenet.partnership import health as ph
from improvenet.partnership.models import Rating, Round, Rubric, SelfAssessment
from improvenet.spc import SPCInputError
from improvenet.spc.vega import SCHEMA

# Ratings as they come from a form or the API: dimension key -> (level key, evidence).
Ratings = dict[str, tuple[str, str]]


def rating_problems(rubric: Rubric, ratings: Ratings, whose: str = "This organization",
                    number: int = 1) -> dict[str, list[str]]:
    """The lib's problems with each rating, by dimension key ("" for the assessment as a whole)."""
    lib_rubric = rubric.as_rubric()
    problems: dict[str, list[str]] = {}
    checks = {key: (ph.Rating(key, level, evidence),) for key, (level, evidence) in ratings.items()} or {"": ()}
    for key, found in checks.items():
        try:
            ph.validate_assessment(ph.Assessment(number, datetime.date.min, whose, found), lib_rubric)
        except ph.RubricError as error:
            problems[key] = error.problems
    return problems


def save_assessment(assessment: SelfAssessment, ratings: Ratings) -> SelfAssessment:
    """Check the assessment and every rating, then save them together (all or nothing).

    A new assessment is made with the cluster's current rubric (saving the default rubric as
    version 1 the first time); a changed one keeps the version it was made with. Raises
    ValidationError (by field: `organization`, `ratings.<dimension>`, `ratings`) or Conflict.
    """
    with transaction.atomic():
        if assessment.rubric_id is None:
            rubric = Rubric.current_for(assessment.round.cluster)
            if rubric.pk is None:
                rubric.full_clean()
                rubric.save()
            assessment.rubric = rubric
        whose = assessment.organization.name if assessment.organization_id else "This organization"
        problems = rating_problems(assessment.rubric, ratings, whose, assessment.round.number)
        errors = {("ratings" if key == "" else f"ratings.{key}"): found for key, found in problems.items()}
        try:
            assessment.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        assessment.check_conflicts()
        assessment.save()
        assessment.ratings.all().delete()
        Rating.objects.bulk_create(
            Rating(assessment=assessment, dimension=key, level=level, evidence=evidence.strip())
            for key, (level, evidence) in ratings.items()
        )
    return assessment


# The report --------------------------------------------------------------------------------------


@dataclass
class Report:
    rubric: Rubric
    rounds: list[Round]
    health: ph.HealthReport
    # Ratings that cannot be read with the current rubric (made with an older version whose
    # dimension or level has since been removed), in words.
    left_out: list[str] = field(default_factory=list)

    @property
    def lib_rubric(self) -> ph.Rubric:
        return self.rubric.as_rubric()

    def table(self, dimension: ph.Dimension) -> list[tuple[str, list[ph.TrendPoint | None]]]:
        """Per organization, its point in each round (None: not rated), for the accessible table."""
        trend = next(t for t in self.health.trends if t.dimension == dimension.key)
        rows = []
        for organization in trend.by_organization:
            by_round = {p.round: p for p in organization.points}
            rows.append((organization.organization, [by_round.get(n) for n in range(1, len(self.rounds) + 1)]))
        return rows

    def medians(self, dimension: ph.Dimension) -> list[ph.MedianPoint | None]:
        trend = next(t for t in self.health.trends if t.dimension == dimension.key)
        by_round = {p.round: p for p in trend.median}
        return [by_round.get(n) for n in range(1, len(self.rounds) + 1)]


def health_report(cluster: Cluster) -> Report:
    """Every round's self-assessments, read with the cluster's current rubric, through the lib."""
    rubric = Rubric.current_for(cluster)
    lib_rubric = rubric.as_rubric()
    rounds = list(Round.objects.filter(cluster=cluster).order_by("held_on"))
    number = {r.pk: index for index, r in enumerate(rounds, start=1)}
    assessments, left_out = [], []
    queryset = (SelfAssessment.objects.filter(round__cluster=cluster).select_related("round", "organization", "rubric")
                .prefetch_related("ratings"))
    for assessment in queryset:
        kept = []
        for rating in assessment.ratings.all():
            dimension = next((d for d in lib_rubric.dimensions if d.key == rating.dimension), None)
            if dimension is None or rating.level not in {level.key for level in dimension.levels}:
                left_out.append(f"{assessment.organization.name}'s rating of “{rating.dimension}” in round "
                                f"{number[assessment.round_id]} (made with version {assessment.rubric.version} of "
                                "the rubric) does not fit the current rubric and is left out.")
                continue
            kept.append(ph.Rating(rating.dimension, rating.level, rating.evidence))
        if kept:
            assessments.append(ph.Assessment(number[assessment.round_id], assessment.round.held_on,
                                             assessment.organization.name, tuple(kept)))
    health = ph.health_report(lib_rubric, assessments, rubric.gap_threshold)
    return Report(rubric, rounds, health, left_out)


# Charts --------------------------------------------------------------------------------------------

MEDIAN = "Median of partners"


def ratings_spec(report: Report, dimension: ph.Dimension) -> dict:
    """A Vega-Lite line chart of one dimension: each organization's level and the median, by round date."""
    trend = next(t for t in report.health.trends if t.dimension == dimension.key)
    values = [{"on": p.on.isoformat(), "round": p.round, "level": p.level, "label": p.label, "who": o.organization}
              for o in trend.by_organization for p in o.points]
    dates = {r: report.rounds[r - 1].held_on.isoformat() for r in range(1, len(report.rounds) + 1)}
    values += [{"on": dates[m.round], "round": m.round, "level": m.median, "label": m.label, "who": MEDIAN}
               for m in trend.median]
    levels = len(dimension.levels)
    x = {"field": "on", "type": "temporal", "title": "Round date", "scale": {"domain": _domain(report)}}
    y = {"field": "level", "type": "quantitative", "title": f"Level (1 = {dimension.levels[0].label}, "
         f"{levels} = {dimension.levels[-1].label})", "scale": {"domain": [1, levels]},
         "axis": {"tickMinStep": 1, "format": "d"}}
    who = {"field": "who", "type": "nominal", "title": "Partner"}
    tooltip = [{"field": "who", "title": "Partner"}, {"field": "round", "title": "Round"},
               {"field": "on", "type": "temporal", "title": "Date"}, {"field": "label", "title": "Level"}]
    return {
        "$schema": SCHEMA, "title": dimension.label, "width": 320, "height": 200, "data": {"values": values},
        "encoding": {"x": x, "y": y, "color": who, "tooltip": tooltip},
        "layer": [
            {"transform": [{"filter": f"datum.who !== '{MEDIAN}'"}],
             "mark": {"type": "line", "strokeDash": [4, 3], "point": {"size": 50, "filled": True}},
             "encoding": {"shape": who}},
            {"transform": [{"filter": f"datum.who === '{MEDIAN}'"}],
             "mark": {"type": "line", "strokeWidth": 4, "point": {"size": 90, "filled": True}}},
        ],
    }


def medians_spec(report: Report) -> dict:
    """A Vega-Lite line chart of every dimension's median over the rounds, to sit beside the outcomes."""
    values = [{"on": report.rounds[m.round - 1].held_on.isoformat(), "round": m.round, "level": m.median,
               "label": m.label, "dimension": report.lib_rubric.dimension(t.dimension).label}
              for t in report.health.trends for m in t.median]
    dimension = {"field": "dimension", "type": "nominal", "title": "Dimension"}
    top = max((len(d.levels) for d in report.lib_rubric.dimensions), default=2)
    return {
        "$schema": SCHEMA, "title": "Median rating of partners, by dimension", "width": 320, "height": 200,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 60, "filled": True}},
        "encoding": {
            "x": {"field": "on", "type": "temporal", "title": "Round date", "scale": {"domain": _domain(report)}},
            "y": {"field": "level", "type": "quantitative", "title": "Median level (1 = lowest)",
                  "scale": {"domain": [1, top]}, "axis": {"tickMinStep": 1, "format": "d"}},
            "color": dimension, "shape": dimension, "strokeDash": dimension,
            "tooltip": [{"field": "dimension", "title": "Dimension"}, {"field": "round", "title": "Round"},
                        {"field": "on", "type": "temporal", "title": "Date"},
                        {"field": "label", "title": "Median level"}],
        },
    }


def _domain(report: Report) -> list[str]:
    return [report.rounds[0].held_on.isoformat(), report.rounds[-1].held_on.isoformat()]


@dataclass
class OutcomeChart:
    measure: Measure
    spec: dict | None
    at_rounds: list[tuple[Round, float | None]]  # the value of the latest period on or before each round
    message: str = ""


def outcome_charts(report: Report) -> list[OutcomeChart]:
    """The cluster's current outcome measures over the rounds' period, all schools pooled, as run charts.

    With a denominator the pooled value is all schools' numerators over all their denominators;
    without one it is the average of the schools' values. The rounds are marked on each chart.
    """
    if not report.rounds:
        return []
    start, end = report.rounds[0].held_on, report.rounds[-1].held_on
    charts = []
    for measure in Measure.objects.filter(current_on(), kind=Measure.Kind.OUTCOME).order_by("name"):
        charts.append(_outcome_chart(measure, report.rounds, start, end))
    return charts


def _outcome_chart(measure: Measure, rounds: list[Round], start: datetime.date, end: datetime.date) -> OutcomeChart:
    from improvenet.spc import qic  # the arithmetic loads with the first chart

    rows = list(MeasureValue.objects.filter(measure=measure, period__lte=end)
                .values("period").annotate(total=Sum("numerator"), out_of=Sum("denominator"), mean=Avg("numerator"))
                .order_by("period"))
    pooled = [(row["period"], _pooled(measure, row)) for row in rows]
    at_rounds = [(r, next((v for p, v in reversed(pooled) if p <= r.held_on), None)) for r in rounds]
    shown = [(p, v) for p, v in pooled if p >= start and v is not None]
    if len(shown) < 2:
        return OutcomeChart(measure, None, at_rounds, "Too few values in the rounds' period to draw a chart.")
    try:
        result = qic(np.array([v for _, v in shown]), x=np.array([p for p, _ in shown], dtype="datetime64[D]"),
                     chart="run")
    except SPCInputError as error:
        return OutcomeChart(measure, None, at_rounds, f"The chart cannot be drawn: {error}.")
    marks = [{"x": r.held_on.isoformat(), "label": f"Round {n}"} for n, r in enumerate(rounds, start=1)]
    spec = result.vega_lite(title=f"{measure.name}, all schools", x_title="Period",
                            y_title=measure_services.y_title(measure), annotations=marks, width=320, height=200)
    return OutcomeChart(measure, spec, at_rounds)


def _pooled(measure: Measure, row: dict) -> float | None:
    if measure.has_denominator:
        if not row["out_of"]:
            return None
        return row["total"] / row["out_of"] * measure.multiply
    return row["mean"] * measure.multiply
