"""Pages of the longitudinal data: the data home, loads, metrics, the comparison, agreements, the audit log, opt-outs.

Every read of student-level data goes through `improvenet.data.services` (which checks the agreement
and writes the audit log); a refusal is shown with its reason on a 403 page.
"""

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from improvenet.data import presentation, services
from improvenet.data.forms import (
    AgreementForm,
    AuditFilterForm,
    ComparisonForm,
    LoadForm,
    MetricOptionsForm,
    OptOutForm,
)
from improvenet.data.models import AuditEvent, DataLoad, DataUseAgreement
from improvenet.data.unzip import UnsafeArchive, unpack
from improvenet.lib.spreadsheet import safe_row, safe_table
from improvenet.network.forms import EndForm
from improvenet.network.models import School
from improvenet.pages import cluster_page, end_record, posted, render_cluster

WEB = AuditEvent.Channel.WEB
AUDIT_PAGE = 50
RECENT_LOADS = 10
NO_STORE = "No data loaded yet: the data team loads the district's files first (Load data)."
# The id of the element that asks again, while another reader computes, whether the figures are ready (htmx sends
# it as HX-Trigger).
COMPUTING = "metric-computing"


# The store's libraries (DuckDB, Arrow, narwhals and the metrics) load in the views that read the store: reversing
# an address imports every app's views, and `improvenet reminders` or `invite` must not wait for them.


def data_page(view: Callable) -> Callable:
    """A cluster page whose refusals (403) say why: which agreement, field or role is missing."""

    @cluster_page
    @wraps(view)
    def within_cluster(request, access, *args, **kwargs):
        try:
            return view(request, access, *args, **kwargs)
        except PermissionDenied as refused:
            message = str(refused) or "Your role does not open this page."
            return render_cluster(request, access, "data/refused.html", {"message": message}, status=403)

    return within_cluster


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_district_reader(request, access) -> None:
    _require(services.is_district_reader(request.user, access),
             "This page is for the cluster lead, network admins and the longitudinal data team.")


def require_load(request, access) -> None:
    _require(services.may_load(request.user, access), "Loads and opt-outs are recorded by the cluster lead and the "
                                                     "longitudinal data team.")


def require_agreement_change(access) -> None:
    _require(access.can_change, "Data use agreements are made and changed by the cluster lead and network admins.")


def require_audit_log(access) -> None:
    _require(services.may_read_audit_log(access), "The audit log is read by the cluster lead and network admins.")


# The data home and loads ------------------------------------------------------------------------


@data_page
def home(request, access):
    import duckdb

    from improvenet.analytics.metrics import METRICS
    from improvenet.analytics.store import Store

    district = services.is_district_reader(request.user, access)
    if not district:
        services.require_student_data(request.user, access)
    context = {"district": district, "metrics": METRICS.values(), "may_load": services.may_load(request.user, access),
               "may_read_audit_log": services.may_read_audit_log(access)}
    if district:
        path = services.store_path(access.obj)
        try:
            context["counts"] = Store(path).counts() if path.exists() else None
        except duckdb.Error as busy:
            context["store_problem"] = f"The store cannot be read just now (a load may be running): {busy}"
        context["loads"] = DataLoad.objects.select_related("user")[:RECENT_LOADS]
    return render_cluster(request, access, "data/home.html", context)


def _source_folder(upload_name: str, parent: Path) -> Path:
    """A folder named after the uploaded file, so the load record names it (not the temporary folder)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(upload_name).stem).strip(".-") or "upload"
    folder = parent / stem
    folder.mkdir()
    return folder


@data_page
def load(request, access):
    require_load(request, access)
    form = LoadForm(posted(request), request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="improvenet-load-") as temporary:
            try:
                folder = unpack(upload.file, _source_folder(upload.name, Path(temporary)))
            except UnsafeArchive as unsafe:
                form.add_error("file", f"{unsafe} Nothing was written.")
            else:
                try:
                    outcome = services.load(request.user, access, folder, source_format=form.source_format,
                                            channel=WEB)
                except services.DataSetupError as problem:
                    form.add_error(None, f"{problem} Nothing was written.")
    refused = outcome is not None and outcome.record.status == DataLoad.Status.REFUSED
    status = 422 if form.errors or refused else 200
    context = {"form": form, "outcome": outcome, "refused": refused}
    return render_cluster(request, access, "data/load.html", context, status=status)


@data_page
def opt_out(request, access):
    require_load(request, access)
    form = OptOutForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.opt_out(request.user, access, form.cleaned_data["student_id"], channel=WEB)
        except services.DataSetupError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "The opt-out was recorded.")
            return redirect("data:opt_out", access.obj.slug)
    return render_cluster(request, access, "data/opt_out.html", {"form": form}, status=422 if form.errors else 200)


# Metrics ----------------------------------------------------------------------------------------


def _metric(name: str):
    from improvenet.analytics.metrics import METRICS

    metric = METRICS.get(name)
    if metric is None:
        raise Http404("There is no such metric.")
    return metric


@data_page
def warm(request, access):
    """After a load, computes the next of the metrics' tables the pages ask for first and says how many are ready;
    the load report asks for it again (htmx) until all are, so that the first reader of each page does not wait."""
    from improvenet.analytics.results import StillComputing

    require_load(request, access)
    try:
        ready, total = services.warm_next(access.obj)
    except StillComputing:
        ready = total = None
    context = {"ready": ready, "total": total}
    if request.headers.get("HX-Request"):
        return render(request, "data/_warming.html", {"cluster": access.obj, **context})
    # Opened as an address (a bookmark, no JavaScript): the whole page, which goes on asking the same way.
    return render_cluster(request, access, "data/warming.html", context)


def _read(request, access, name: str, wait: bool = True):
    """(form, MetricResult or None, problem): the metric for the options in the query string.

    With `wait=False`, StillComputing is raised while another reader computes results of the store."""
    form = MetricOptionsForm(request.GET or None, metric=name)
    if form.is_bound and not form.is_valid():
        return form, None, None
    if not services.store_path(access.obj).exists():
        return form, None, NO_STORE
    options, min_n = (form.options(), form.minimum()) if form.is_bound else ({}, 10)
    try:
        return form, services.read_metric(request.user, access, name, options, channel=WEB, min_n=min_n,
                                          wait=wait), None
    except services.compute_errors() as problem:
        return form, None, str(problem)


@data_page
def metric_page(request, access, name: str):
    """The metric's table and chart. While another reader computes results of the store (after a load), the
    page says so and asks again every 2 seconds (htmx) instead of holding a server thread; once they are
    ready, the page loads again and shows them (the read is audited then, when it is shown)."""
    from improvenet.analytics.results import StillComputing

    metric = _metric(name)
    services.require_student_data(request.user, access)
    form = MetricOptionsForm(request.GET or None, metric=name)
    computing = {"metric": metric, "form": form, "computing": True}
    if request.headers.get("HX-Trigger") == COMPUTING:
        options, min_n = (form.options(), form.minimum()) if form.is_bound and form.is_valid() else ({}, 10)
        try:
            services.prepare_metric(request.user, access, name, options, min_n=min_n)
        except StillComputing:
            return render(request, "data/_computing.html", computing)
        except services.compute_errors():
            pass  # the page, loaded again, says what went wrong
        return HttpResponse(headers={"HX-Refresh": "true"})
    try:
        read = _read(request, access, name, wait=False)
    except StillComputing:
        return render_cluster(request, access, "data/metric.html", computing, status=202)
    return _metric_response(request, access, name, *read)


def _metric_response(request, access, name: str, form, result, problem):
    metric = _metric(name)
    context = {"metric": metric, "form": form, "problem": problem, "result": result}
    if result is not None:
        names = {key: school.name for key, school in result.schools.items()}
        min_n = form.minimum() if form.is_bound else 10
        table = result.table
        shown_year = None
        # One year at a time when the metric has an option to choose the year; every year otherwise.
        period = next((option.name for option in metric.options if option.name in table.column_names), None)
        if period and table.num_rows:
            years = sorted(set(table.column(period).to_pylist()))
            asked = form.cleaned_data.get(period) if form.is_bound else None
            shown_year = asked if asked in years else years[-1]
            context["years"] = years
        rows = table if shown_year is None else table.filter(
            [value == shown_year for value in table.column(period).to_pylist()])
        context.update({
            "shown": presentation.shown_table(name, rows, names, min_n), "shown_year": shown_year,
            "people": presentation.people(name),
            "chart": (presentation.curves_spec(metric.title, table) if "survival" in table.column_names
                      else presentation.trend_spec(name, metric.title, table, names)),
        })
    return render_cluster(request, access, "data/metric.html", context, status=422 if form.errors else 200)


@data_page
def metric_csv(request, access, name: str):
    _metric(name)
    services.require_student_data(request.user, access)
    form, result, problem = _read(request, access, name)
    if result is None:
        return _metric_response(request, access, name, form, result, problem)
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    pacsv.write_csv(safe_table(result.table), buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.obj.slug}-{name}.csv"'
    return response


def _plain_estimate(metric: str, treated_role: str, result) -> dict:
    effect = result.effect
    points = effect.coefficient * 100
    low, high = effect.ci_low * 100, effect.ci_high * 100
    role = School.Role(treated_role).label.lower()
    label = _metric(metric).title.split(" (")[0].lower()
    direction = "lower" if points < 0 else "higher"
    return {
        "sentence": (f"From {result.start_year} on, the {label} rate in the {result.treated_schools} "
                     f"{role}s was {abs(points):.1f} percentage points {direction} than the "
                     f"{result.comparison_schools} comparison schools' trend predicts."),
        "interval": (f"95% interval: {low:+.1f} to {high:+.1f} percentage points "
                     f"(standard error {effect.std_error * 100:.1f}, clustered by school)."),
        "reading": ("The interval includes zero: the data cannot tell this difference apart from no difference."
                    if low <= 0 <= high else
                    "The interval does not include zero: a difference this large is unlikely to be chance alone."),
    }


@data_page
def comparison(request, access):
    services.require_student_data(request.user, access)
    form = ComparisonForm(request.GET or None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if not services.store_path(access.obj).exists():
            form.add_error(None, NO_STORE)
        else:
            try:
                outcome = services.analyze_did(request.user, access, data["metric"], treated_role=data["treated_role"],
                                               start_year=data["start_year"], channel=WEB)
            # The comparison's DidInputError is a ValueError.
            except (ValueError, *services.compute_errors()) as problem:
                form.add_error(None, str(problem))
            else:
                label = _metric(data["metric"]).title.split(" (")[0].lower() + " rate"
                context.update({
                    "outcome": outcome, "estimate": _plain_estimate(data["metric"], data["treated_role"],
                                                                    outcome.result),
                    "chart": outcome.result.chart_spec(label),
                    "points": [{"school_year": point.school_year, "relative_year": point.relative_year,
                                "reference": point.reference, "difference": f"{point.coefficient * 100:+.1f}",
                                "low": f"{point.ci_low * 100:+.1f}", "high": f"{point.ci_high * 100:+.1f}"}
                               for point in outcome.result.event_study],
                })
    return render_cluster(request, access, "data/comparison.html", context, status=422 if form.errors else 200)


# Agreements -------------------------------------------------------------------------------------


def _agreement(pk: int) -> DataUseAgreement:
    agreement = DataUseAgreement.objects.filter(pk=pk).prefetch_related("researchers", "schools").first()
    if agreement is None:
        raise Http404("There is no such agreement in this cluster.")
    return agreement


@data_page
def agreement_list(request, access):
    require_district_reader(request, access)
    today = timezone.localdate()
    groups = {"active": [], "upcoming": [], "expired": [], "ended": []}
    for agreement in DataUseAgreement.objects.prefetch_related("researchers"):
        if agreement.ended_on is not None and agreement.ended_on <= today:
            groups["ended"].append(agreement)
        elif agreement.is_active(today):
            groups["active"].append(agreement)
        elif agreement.starts_on > today:
            groups["upcoming"].append(agreement)
        else:
            groups["expired"].append(agreement)
    return render_cluster(request, access, "data/agreements.html", {"groups": groups})


@data_page
def agreement_detail(request, access, pk: int):
    require_district_reader(request, access)
    agreement = _agreement(pk)
    fields = sorted(agreement.permitted_fields)
    return render_cluster(request, access, "data/agreement.html", {
        "agreement": agreement, "fields": fields, "active": agreement.is_active(),
        "reads": agreement.audit_events.count(),
    })


def _agreement_form(request, access, agreement: DataUseAgreement | None):
    require_agreement_change(access)
    form = AgreementForm(posted(request), instance=agreement, cluster=access.obj)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record = form.save(commit=False)
            if record.created_by_id is None:
                record.created_by = request.user
            record.save()
            form.save_m2m()
        messages.success(request, f"Saved the agreement “{record}”.")
        return redirect("data:agreement", access.obj.slug, record.pk)
    cancel = (reverse("data:agreement", args=[access.obj.slug, agreement.pk]) if agreement
              else reverse("data:agreements", args=[access.obj.slug]))
    title = f"Edit “{agreement}”" if agreement else "New data use agreement"
    context = {"form": form, "title": title, "cancel_url": cancel}
    return render_cluster(request, access, "data/agreement_form.html", context, status=422 if form.errors else 200)


@data_page
def agreement_new(request, access):
    return _agreement_form(request, access, None)


@data_page
def agreement_edit(request, access, pk: int):
    return _agreement_form(request, access, _agreement(pk))


@require_POST
@data_page
def agreement_end(request, access, pk: int):
    require_agreement_change(access)
    agreement = _agreement(pk)
    # An agreement ends today, whatever is posted: an earlier day would take back reads it covered when made.
    return end_record(request, agreement, EndForm({}), reverse("data:agreement", args=[access.obj.slug, agreement.pk]),
                      stays_in="the list of agreements, covering no read from that day on")


# The audit log ----------------------------------------------------------------------------------


def _audit_events(request):
    form = AuditFilterForm(request.GET or None)
    events = form.filter(AuditEvent.objects.select_related("agreement"))
    return form, events


@data_page
def audit_log(request, access):
    require_audit_log(access)
    return _audit_page(request, access, *_audit_events(request))


def _audit_page(request, access, form, events):
    page = Paginator(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_cluster(request, access, "data/audit.html", context, status=422 if form.errors else 200)


@data_page
def audit_csv(request, access):
    require_audit_log(access)
    form, events = _audit_events(request)
    if form.errors:
        return _audit_page(request, access, form, events)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "user", "channel", "action", "agreement", "detail"])
    for event in events:
        writer.writerow(safe_row((
            event.at.isoformat(), event.username, event.channel, event.action,
            event.agreement.project if event.agreement else "", json.dumps(event.detail, sort_keys=True))))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.obj.slug}-audit-log.csv"'
    return response
