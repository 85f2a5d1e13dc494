"""Pyramid dashboards: the cluster's pyramids side by side, and one pyramid with each school in its context."""

from improvenet.data.models import AuditEvent
from improvenet.pages import cluster_page, render_cluster
from improvenet.pyramids import charts
from improvenet.pyramids.access import pyramid_for_user
from improvenet.pyramids.services import (
    ROLE_GROUPS,
    headed,
    metric_views,
    outcome_measures,
    pyramid_points,
    school_points,
)

MONTH = "Month"
# The table column of the whole pyramid (the high school's own column is keyed by its id).
WHOLE = "pyramid"


def _measure_unit(measure) -> str:
    return f"{measure.name} ({measure.unit})" if measure.unit else measure.name


def _number(value: float, unit: str = "") -> str:
    return f"{value:.1f}{' ' + unit if unit and unit != '%' else unit}"


def _rate_text(total) -> str:
    if total.count is None:
        schools = total.hidden_schools
        return f"hidden ({schools} school{'s' if schools != 1 else ''} under the small-cell minimum)"
    return f"{total.rate * 100:.1f}% of {total.count}"


@cluster_page
def index(request, access):
    """Every pyramid's outcome measures and metrics, innovation pyramids beside comparison pyramids."""
    pyramids = headed(access.obj.pyramids())
    names = {pyramid.head.pk: pyramid.head.name for pyramid in pyramids}
    group_of = {pyramid.head.pk: ROLE_GROUPS.get(pyramid.role, pyramid.head.get_role_display())
                for pyramid in pyramids}
    columns = [(pyramid.head.pk, f"{pyramid.head.name} ({group_of[pyramid.head.pk]})") for pyramid in pyramids]
    measures = []
    for measure in outcome_measures():
        points = pyramid_points(measure, pyramids)
        y_title = _measure_unit(measure)
        values = [{"group": group_of[p.unit], "pyramid": names[p.unit], "period": charts.period_value(p.period),
                   "value": round(p.value, 2)} for p in points]
        measures.append({
            "measure": measure,
            "spec": charts.comparison_spec(measure.name, y_title, values, temporal=True, x_title=MONTH)
            if values else None,
            "table": charts.table(columns, ((p.unit, p.period, _number(p.value, measure.unit)) for p in points)),
        })
    metrics = []
    for view in metric_views(request.user, access, pyramids, channel=AuditEvent.Channel.WEB):
        entry = {"view": view, "spec": None, "table": None}
        if not view.problem:
            shown = [t for t in view.pyramid_totals if t.count is not None]
            values = [{"group": group_of[t.unit], "pyramid": names[t.unit], "period": t.period,
                       "value": round(t.rate * 100, 1)} for t in shown if t.rate is not None]
            entry["spec"] = charts.comparison_spec(view.title, "Rate (%)", values, temporal=False,
                                                   x_title="Year") if values else None
            entry["table"] = charts.table(columns, ((t.unit, t.period, _rate_text(t)) for t in view.pyramid_totals))
        metrics.append(entry)
    groups = {}
    for pyramid in pyramids:
        groups.setdefault(group_of[pyramid.head.pk], []).append(pyramid)
    context = {"measures": measures, "metrics": metrics,
               "groups": sorted(groups.items(), key=lambda group: charts.group_order(group[0]))}
    return render_cluster(request, access, "pyramids/index.html", context)


@cluster_page
def dashboard(request, access, school_id: int):
    """One pyramid: its measures and metrics over time, each school in a panel beside the whole pyramid."""
    pyramid = pyramid_for_user(access, school_id).obj
    schools = pyramid.schools
    names = {school.pk: school.name for school in schools}
    columns = [(WHOLE, charts.WHOLE_PYRAMID)] + [(school.pk, school.name) for school in schools]
    measures = []
    for measure in outcome_measures():
        whole, own = school_points(measure, pyramid)
        values = _context_values(schools, whole, own, lambda p: round(p.value, 2), charts.period_value)
        cells = [(WHOLE, p.period, _number(p.value, measure.unit)) for p in whole]
        cells += [(p.unit, p.period, _number(p.value, measure.unit)) for p in own]
        measures.append({
            "measure": measure,
            "spec": charts.context_spec(measure.name, _measure_unit(measure), values, temporal=True, x_title=MONTH)
            if values else None,
            "table": charts.table(columns, cells),
        })
    metrics = []
    for view in metric_views(request.user, access, [pyramid], channel=AuditEvent.Channel.WEB):
        entry = {"view": view, "spec": None, "table": None}
        if not view.problem:
            whole = [t for t in view.pyramid_totals if t.rate is not None]
            own = [t for t in view.school_totals if t.rate is not None]
            values = _context_values(schools, whole, own, lambda t: round(t.rate * 100, 1), lambda period: period)
            entry["spec"] = charts.context_spec(view.title, "Rate (%)", values, temporal=False,
                                                x_title="Year") if values else None
            cells = [(WHOLE, t.period, _rate_text(t)) for t in view.pyramid_totals]
            cells += [(t.unit, t.period, _rate_text(t)) for t in view.school_totals]
            entry["table"] = charts.table(columns, cells)
        metrics.append(entry)
    context = {"pyramid": pyramid, "head": pyramid.head, "names": names, "measures": measures, "metrics": metrics}
    return render_cluster(request, access, "pyramids/dashboard.html", context)


def _context_values(schools, whole, own, value, period) -> list[dict]:
    """Each school's points as THIS_SCHOOL, with the pyramid's points repeated in every school's panel."""
    values = []
    by_school = {}
    for point in own:
        by_school.setdefault(point.unit, []).append(point)
    for school in schools:
        if school.pk not in by_school:
            continue
        values += [{"school": school.name, "series": charts.THIS_SCHOOL, "period": period(p.period),
                    "value": value(p)} for p in by_school[school.pk]]
        values += [{"school": school.name, "series": charts.WHOLE_PYRAMID, "period": period(p.period),
                    "value": value(p)} for p in whole]
    return values
