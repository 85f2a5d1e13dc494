"""API routes of the pyramid dashboards: the same numbers as the pages, for each pyramid and its schools."""

import datetime

from ninja import Field, Router, Schema

from improvenet.data.models import AuditEvent
from improvenet.network import access as acc
from improvenet.pyramids.access import pyramid_for_user
from improvenet.pyramids.services import headed, metric_views, outcome_measures, pyramid_points, school_points
from improvenet.resources import RecordId, Text

router = Router(tags=["Pyramids"])


class SchoolRef(Schema):
    id: int
    name: str
    level: str
    role: str


class PointOut(Schema):
    month: datetime.date = Field(..., description="The first day of the month.")
    value: float = Field(..., description="In the measure's unit.")
    weight: float = Field(..., description="What was pooled: the denominator's sum, or how many values averaged.")


class SeriesOut(Schema):
    unit_id: int = Field(..., description="The school's id, or the high school's id for a whole pyramid.")
    points: list[PointOut]


class MeasureOut(Schema):
    slug: str
    name: str
    unit: str
    improvement_direction: str
    pyramids: list[SeriesOut] = Field(..., description="Each whole pyramid's monthly values.")
    schools: list[SeriesOut] = Field(default_factory=list, description="Each school's (one pyramid's page only).")


class TotalOut(Schema):
    unit_id: int
    year: int
    count: int | None = Field(..., description="Students counted; empty when a school's small cell hides it.")
    numerator: int | None
    rate: float | None = Field(..., description="A share from 0 to 1; empty when hidden.")
    hidden_schools: int


class MetricOut(Schema):
    name: str
    title: str
    problem: str = Field(..., description="Why there are no numbers (no store, no authorization), or empty.")
    pyramids: list[TotalOut]
    schools: list[TotalOut] = Field(default_factory=list)


class PyramidOut(Schema):
    high_school: SchoolRef
    schools: list[SchoolRef]


class PyramidList(Schema):
    pyramids: list[PyramidOut]
    measures: list[MeasureOut]
    metrics: list[MetricOut]


class PyramidDashboard(PyramidOut):
    measures: list[MeasureOut]
    metrics: list[MetricOut]


def _series(points) -> list[dict]:
    by_unit: dict[int, list[dict]] = {}
    for point in points:
        by_unit.setdefault(point.unit, []).append({"month": point.period, "value": point.value,
                                                   "weight": point.weight})
    return [{"unit_id": unit, "points": items} for unit, items in by_unit.items()]


def _totals(totals) -> list[dict]:
    return [{"unit_id": t.unit, "year": t.period, "count": t.count, "numerator": t.numerator, "rate": t.rate,
             "hidden_schools": t.hidden_schools} for t in totals]


def _measure(measure, pyramids, schools=()) -> dict:
    return {"slug": measure.slug, "name": measure.name, "unit": measure.unit,
            "improvement_direction": measure.improvement_direction, "pyramids": _series(pyramids),
            "schools": _series(schools)}


def _pyramid(pyramid) -> dict:
    return {"high_school": pyramid.head, "schools": pyramid.schools}


@router.get("/clusters/{cluster}/pyramids", response=PyramidList,
            summary="Every pyramid's outcome measures and metrics")
def list_pyramids(request, cluster: Text):
    """Each high-school pyramid's monthly outcome measures and yearly store metrics (the metrics only for
    users the data rules authorize; every reading is audited)."""
    with acc.in_cluster(request.auth, cluster) as access:
        pyramids = headed(access.obj.pyramids())
        measures = [_measure(measure, pyramid_points(measure, pyramids)) for measure in outcome_measures()]
        metrics = [{"name": view.name, "title": view.title, "problem": view.problem,
                    "pyramids": _totals(view.pyramid_totals)}
                   for view in metric_views(request.auth, access, pyramids, channel=AuditEvent.Channel.API)]
        return {"pyramids": [_pyramid(pyramid) for pyramid in pyramids], "measures": measures, "metrics": metrics}


@router.get("/clusters/{cluster}/pyramids/{school_id}", response=PyramidDashboard,
            summary="One pyramid's dashboard: the whole pyramid and each of its schools")
def read_pyramid(request, cluster: Text, school_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        pyramid = pyramid_for_user(access, school_id).obj
        measures = [_measure(measure, *school_points(measure, pyramid)) for measure in outcome_measures()]
        metrics = [{"name": view.name, "title": view.title, "problem": view.problem,
                    "pyramids": _totals(view.pyramid_totals), "schools": _totals(view.school_totals)}
                   for view in metric_views(request.auth, access, [pyramid], channel=AuditEvent.Channel.API)]
        return {**_pyramid(pyramid), "measures": measures, "metrics": metrics}
