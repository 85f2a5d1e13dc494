"""Pages of measures: the family of measures, a measure's small multiples across the cluster's
schools, one school's chart with its signals, data entry, upload, and chart downloads."""

from __future__ import annotations

import datetime

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from improvenet.measures import services, sparkline
from improvenet.measures.forms import MeasureForm, UploadForm, ValueForm
from improvenet.measures.models import ImportLog, Measure, MeasureValue
from improvenet.measures.upload import UploadFileError
from improvenet.network import access as acc
from improvenet.network.forms import EndForm
from improvenet.network.models import School, cluster_schools, current_on
from improvenet.pages import cluster_page, end_record, render_cluster, save_form
from improvenet.spc.vega import to_png, to_svg

DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"}


def measure_for(access, slug: str) -> Measure:
    measure = Measure.objects.select_related("aim").filter(slug=slug).first()
    if measure is None:
        raise Http404("No such measure in this cluster.")
    return measure


def require_design(request, access) -> None:
    if not acc.can_change_shared_design(request.user, access):
        raise PermissionDenied("Measures are shared design: the district design team or a lead changes them.")


def require_school_work(request, access, school: School) -> None:
    if not acc.can_change_school_work(request.user, access, school.pk):
        raise PermissionDenied("Only this school's design team (or a lead) enters its data.")


@cluster_page
def measure_list(request, access):
    measures = Measure.objects.filter(current_on()).select_related("aim")
    groups = [(label, [m for m in measures if m.kind == kind]) for kind, label in Measure.Kind.choices]
    context = {"groups": groups, "can_design": acc.can_change_shared_design(request.user, access)}
    return render_cluster(request, access, "measures/list.html", context)


@cluster_page
def measure_new(request, access):
    require_design(request, access)
    form = MeasureForm(request.POST or None, instance=Measure(cluster=access.obj))
    return save_form(request, form, title="New measure", cancel_url=reverse("measures:list", args=[access.obj.slug]),
                      next_url=lambda m: reverse("measures:measure", args=[access.obj.slug, m.slug]))


@cluster_page
def measure_edit(request, access, slug: str):
    measure = measure_for(access, slug)
    require_design(request, access)
    form = MeasureForm(request.POST or None, instance=measure)
    return save_form(request, form, title=f"Edit {measure}",
                      cancel_url=reverse("measures:measure", args=[access.obj.slug, slug]),
                      next_url=lambda m: reverse("measures:measure", args=[access.obj.slug, m.slug]))


@require_POST
@cluster_page
def measure_end(request, access, slug: str):
    measure = measure_for(access, slug)
    require_design(request, access)
    return end_record(request, measure, EndForm(request.POST), reverse("measures:list", args=[access.obj.slug]),
                      stays_in="the history with its data")


@cluster_page
def measure_page(request, access, slug: str):
    """Small multiples: the measure's chart for every current school of the cluster, one qic_many call."""
    measure = measure_for(access, slug)
    schools = cluster_schools()
    chart = services.cluster_chart(measure, schools)
    marks = services.cycle_marks(measure, [s.pk for s in schools])
    tiles = []
    if chart.result is not None:
        columns = chart.result.point_columns
        series = sparkline.split_series(columns, "school_id")
        all_days = columns["x"].astype("datetime64[D]").astype(np.int64)
        domain = (int(all_days.min()), int(all_days.max()))
        signals_by_school: dict[int, list[dict]] = {}
        signal_columns = chart.result.signal_columns
        for i, school_id in enumerate(signal_columns["school_id"].tolist()):
            signals_by_school.setdefault(school_id, []).append(
                {"rule": signal_columns["rule"][i], "direction": signal_columns["direction"][i],
                 "n_points": int(signal_columns["n_points"][i]),
                 "first_x": str(signal_columns["first_x"][i])[:10], "last_x": str(signal_columns["last_x"][i])[:10]}
            )
        anhoej = chart.result.rules == "anhoej"
        school_base = reverse("measures:measure", args=[access.obj.slug, measure.slug]) + "schools/"
        for school in schools:
            one = series.get(school.pk)
            if one is None:
                continue
            adoption_days = [
                int(np.datetime64(m["x"], "D").astype(np.int64))
                for m in marks.get(school.pk, []) if m["kind"] == "adoption"
            ]
            words = services.signal_sentences(signals_by_school.get(school.pk, []), measure)
            finite = np.flatnonzero(np.isfinite(one.y))
            latest = float(one.y[finite[-1]]) if finite.size else None
            centre = float(one.cl[finite[-1]]) if finite.size else None
            summary = _summary(school.name, latest, centre, words, measure)
            tiles.append({
                "school": school, "url": f"{school_base}{school.pk}/",
                "svg": sparkline.svg(one, domain, summary, marks=adoption_days, anhoej=anhoej, target=measure.target),
                "latest": _num(latest), "centre": _num(centre), "signals": words, "points": int(one.y.size),
                "adoptions": [m for m in marks.get(school.pk, []) if m["kind"] == "adoption"],
            })
    charted = {tile["school"].pk for tile in tiles}
    context = {
        "measure": measure, "tiles": tiles, "chart": chart,
        "schools_without_data": [s for s in schools if s.pk not in charted],
        "can_design": acc.can_change_shared_design(request.user, access),
        "writable": services.writable_school_ids(request.user, access),
    }
    return render_cluster(request, access, "measures/measure.html", context)


def _num(value) -> str:
    return "–" if value is None else f"{value:.4g}"


def _summary(name: str, latest, centre, words: list[str], measure: Measure) -> str:
    parts = [f"{measure.name} at {name}"]
    if latest is not None:
        parts.append(f"latest {latest:.3g}{measure.unit if measure.unit == '%' else ''}")
    if centre is not None:
        parts.append(f"centre line {centre:.3g}")
    parts.append(f"{len(words)} signal{'s' if len(words) != 1 else ''}" if words else "no signals")
    return ", ".join(parts)


@cluster_page
def measure_school(request, access, slug: str, school_id: int):
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    chart = services.school_chart(measure, school)
    context = {
        "measure": measure, "school": school, "chart": chart,
        "can_write": acc.can_change_school_work(request.user, access, school.pk),
    }
    if chart.result is not None:
        data = chart.result.to_dict()
        context.update(
            points=data["points"], parts=data["parts"],
            signals=services.signal_sentences(data["signals"], measure),
            spec=services.vega_spec(chart, f"{measure.name}: {school.name}"),
            latest=next((p for p in reversed(data["points"]) if p["y"] is not None), None),
        )
    return render_cluster(request, access, "measures/school.html", context)


def _download(chart, fmt: str, filename: str, title: str, school_names=None) -> HttpResponse:
    if chart.result is None:
        raise Http404(chart.message or "No chart to download.")
    if fmt == "csv":
        body = services.points_csv(chart.result, school_names)
    else:
        spec = services.vega_spec(chart, title, school_names)
        body = to_svg(spec) if fmt == "svg" else to_png(spec)
    response = HttpResponse(body, content_type=DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@cluster_page
def measure_school_download(request, access, slug: str, school_id: int, fmt: str):
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    chart = services.school_chart(measure, school)
    return _download(chart, fmt, f"{measure.slug}-{slugify(school.name)}", f"{measure.name}: {school.name}")


@cluster_page
def measure_download(request, access, slug: str, fmt: str):
    measure = measure_for(access, slug)
    schools = cluster_schools()
    chart = services.cluster_chart(measure, schools)
    names = {s.pk: s.name for s in schools}
    return _download(chart, fmt, f"{measure.slug}-{access.obj.slug}", f"{measure.name}: {access.obj.name}", names)


@cluster_page
def value_entry(request, access, slug: str, school_id: int):
    """Enter one period's value for a school; a period that already has a value is corrected."""
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    require_school_work(request, access, school)
    instance = MeasureValue(measure=measure, school=school)
    if request.method == "POST":
        try:
            period = datetime.date.fromisoformat(request.POST.get("period", ""))
        except ValueError:
            period = None
        if period is not None:
            instance = MeasureValue.objects.filter(measure=measure, school=school, period=period).first() or instance
    form = ValueForm(request.POST or None, instance=instance, measure=measure)
    back = reverse("measures:school", args=[access.obj.slug, slug, school.pk])
    return save_form(request, form, title=f"Enter {measure} for {school}", cancel_url=back,
                      next_url=lambda value: back)


@cluster_page
def upload(request, access, slug: str):
    measure = measure_for(access, slug)
    writable = services.writable_school_ids(request.user, access)
    if writable is not None and not writable:
        raise PermissionDenied("Only a school's design team (or a lead) enters its data.")
    form = UploadForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    report = services.import_file(measure, upload_file.file, upload_file.name, user=request.user,
                                                  source=ImportLog.Source.PAGE, writable=writable)
            except UploadFileError as error:
                form.add_error("file", str(error))
        if report is not None and report.ok:
            messages.success(request, report.summary)
        status = 422 if form.errors or (report is not None and not report.ok) else 200
    context = {"measure": measure, "form": form, "report": report,
               "imports": ImportLog.objects.filter(measure=measure).select_related("user")[:10],
               "example": _example(measure)}
    return render_cluster(request, access, "measures/upload.html", context, status=status)


def _example(measure: Measure) -> str:
    first = measure.first_period
    header = "school,period,numerator,denominator" if measure.has_denominator else "school,period,value"
    rows = ["Lincoln High,{p},143,180", "Lincoln High,{q},151,182"] if measure.has_denominator else [
        "Lincoln High,{p},4.5", "Lincoln High,{q},4.1"]
    step = datetime.timedelta(days=7) if measure.frequency == Measure.Frequency.WEEKLY else datetime.timedelta(days=31)
    second = first + step
    if measure.frequency == Measure.Frequency.MONTHLY:
        second = second.replace(day=1)
    return "\n".join([header, *(r.format(p=first, q=second) for r in rows)])
