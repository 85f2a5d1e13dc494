"""What the pyramid pages and the API share: outcome measures and store metrics per pyramid and school.

Every function runs inside the cluster's scope (improvenet.network.access.in_cluster). Schools are only
ever set beside their own pyramid, and pyramids beside pyramids: nothing here ranks schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from improvenet.data import services as data
from improvenet.measures.models import Measure, MeasureValue
from improvenet.network.models import Pyramid, School, current_on
from improvenet.pyramids.series import MetricTotal, Point, metric_totals, pooled

# The store's metrics on the dashboards: (count column, numerator column, period column), as each
# metric's table names them (docs/metrics.md).
METRIC_COLUMNS = {
    "graduation-rate": ("cohort", "graduates", "cohort_year"),
    "chronic-absenteeism": ("students", "chronic", "school_year"),
    "on-track": ("students", "on_track", "school_year"),
}
# For each metric, whether a higher rate is better (said in words beside the chart).
HIGHER_IS_BETTER = {"graduation-rate": True, "chronic-absenteeism": False, "on-track": True}
ROLE_GROUPS = {
    School.Role.INNOVATION: "Innovation pyramids",
    School.Role.COMPARISON: "Comparison pyramids",
    School.Role.AT_LARGE: "At-large pyramids",
}


def headed(pyramids: list[Pyramid]) -> list[Pyramid]:
    """The pyramids that have a high school (schools outside any pyramid have no dashboard)."""
    return [pyramid for pyramid in pyramids if pyramid.head is not None]


def outcome_measures() -> list[Measure]:
    return list(Measure.objects.filter(current_on(), kind=Measure.Kind.OUTCOME).order_by("name"))


def _rows(measure: Measure, schools: list[School]):
    return MeasureValue.objects.filter(measure=measure, school__in=schools).values_list(
        "school_id", "period", "numerator", "denominator")


def pyramid_points(measure: Measure, pyramids: list[Pyramid]) -> list[Point]:
    """Each pyramid's monthly value of the measure (unit: the high school's id)."""
    head_of = {school.pk: pyramid.head.pk for pyramid in pyramids for school in pyramid.schools}
    schools = [school for pyramid in pyramids for school in pyramid.schools]
    return pooled(_rows(measure, schools), head_of.get, has_denominator=measure.has_denominator,
                  multiply=measure.multiply)


def school_points(measure: Measure, pyramid: Pyramid) -> tuple[list[Point], list[Point]]:
    """(the pyramid's monthly values, each school's monthly values)."""
    rows = list(_rows(measure, pyramid.schools))
    options = {"has_denominator": measure.has_denominator, "multiply": measure.multiply}
    whole = pooled(rows, lambda school_id: pyramid.head.pk, **options)
    own = pooled(rows, lambda school_id: school_id, **options)
    return whole, own


@dataclass
class MetricView:
    """One store metric for pyramids: the totals, or why there are none (`problem`, in plain words)."""

    name: str
    title: str
    higher_is_better: bool
    problem: str = ""
    pyramid_totals: list[MetricTotal] = field(default_factory=list)
    school_totals: list[MetricTotal] = field(default_factory=list)


NO_STORE = ("The longitudinal data has not been loaded for this cluster yet, so only the measures are shown. "
            "The data team loads the district's files first.")


def metric_views(user, access, pyramids: list[Pyramid], *, channel: str) -> list[MetricView]:
    """The store's metrics summed per pyramid (and per school): each read is authorized and audited.

    A user the data rules do not authorize, or a cluster without a store, gets a MetricView that says
    so; small cells stay hidden (the store suppresses them, and a pyramid with a hidden school shows none).
    """
    from improvenet.analytics.metrics import METRICS  # the store's libraries: only when a page shows its metrics

    head_of = {school.pk: pyramid.head.pk for pyramid in pyramids for school in pyramid.schools}
    views = []
    for name, (count, numerator, period) in METRIC_COLUMNS.items():
        view = MetricView(name, METRICS[name].title, HIGHER_IS_BETTER[name])
        views.append(view)
        try:
            result = data.read_metric(user, access, name, {}, channel=channel)
        except PermissionDenied as refused:
            view.problem = ("Your role does not open the district's student data, so these numbers are not shown: "
                            f"{refused}")
            continue
        except data.DataSetupError:
            view.problem = NO_STORE
            continue
        except data.compute_errors() as problem:
            view.problem = f"The numbers could not be computed: {problem}"
            continue
        # The store names schools by the district's ids; only the given pyramids' schools count.
        school_of = {key: school.pk for key, school in result.schools.items() if school.pk in head_of}
        pyramid_of = {key: head_of[pk] for key, pk in school_of.items()}
        rows = _all_students_rows(result.table)
        columns = {"count": count, "numerator": numerator, "period": period}
        view.pyramid_totals = metric_totals(rows, pyramid_of.get, **columns)
        view.school_totals = metric_totals(rows, school_of.get, **columns)
    return views


def _all_students_rows(table) -> list[dict]:
    """The metric table's rows of all students, the only ones the totals sum (metric_totals skips the
    others): chosen before converting to Python, since converting every group's rows took longer than
    the totals themselves."""
    import pyarrow.compute as pc  # only when a page shows store metrics

    if "group" in table.column_names:
        table = table.filter(pc.equal(table["group"], "all"))
    return table.to_pylist()
