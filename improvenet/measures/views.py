"""Pages of measures: the family of measures, a measure's small multiples across the cluster's
schools, one school's chart with its signals, data entry, upload, and chart downloads."""

from __future__ import annotations

import datetime

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from improvenet.measures import services, sparkline
from improvenet.measures.forms import BreakRemovalForm, ChartBreakForm, MeasureForm, UploadForm, ValueForm
from improvenet.measures.models import ChartBreak, ImportLog, Measure, MeasureValue
from improvenet.measures.upload import UploadFileError
from improvenet.network import access as acc
from improvenet.network.forms import EndForm
from improvenet.network.models import School, cluster_schools, current_on
from improvenet.pages import cluster_page, end_record, render_cluster, save_form
from improvenet.spc.frames import records
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


# A signal counts as recent when its episode reaches one of the latest RECENT_PERIODS points.
RECENT_PERIODS = 8
# The kinds of signal a reader filters the small multiples by, and the rules of each.
SIGNAL_KINDS = {
    "limits": ("Points beyond or near the limits", {"beyond_limits", "astronomical_point", "two_of_three"}),
    "shift": ("Shifts and long runs", {"longest_run", "shift", "few_crossings"}),
    "trend": ("Trends", {"trend"}),
}
# The kind of a signal in a few words, for the small charts (the full sentence is in their text).
SHORT_KINDS = {"limits": "beyond the limits", "shift": "a shift", "trend": "a trend"}
DIRECTIONS = {"better": "In the direction of improvement", "worse": "In the direction of getting worse"}


@cluster_page
def measure_page(request, access, slug: str):
    """Small multiples: the measure's chart for every current school of the cluster, one qic_many call.
    Schools with a signal in the last 8 periods come first; the reader filters by signal kind,
    direction, pyramid and school role."""
    measure = measure_for(access, slug)
    all_schools = cluster_schools()
    chart = services.cluster_chart(measure, all_schools)
    marks = chart.marks
    chosen = _multiples_filters(request, all_schools)
    schools = [s for s in all_schools if _school_matches(s, chosen)]
    tiles = []
    if chart.result is not None:
        columns = chart.result.point_columns
        series = sparkline.split_series(columns, "school_id")
        all_days = columns["x"].astype("datetime64[D]").astype(np.int64)
        domain = (int(all_days.min()), int(all_days.max()))
        episodes_by_school: dict[int, list[dict]] = {}
        for episode in records(chart.result.episode_columns):
            episodes_by_school.setdefault(episode["school_id"], []).append(episode)
        anhoej = chart.result.rules == "anhoej"
        school_base = reverse("measures:measure", args=[access.obj.slug, measure.slug]) + "schools/"
        for school in schools:
            one = series.get(school.pk)
            if one is None:
                continue
            school_marks = marks.get(school.pk, [])
            episodes = episodes_by_school.get(school.pk, [])
            recent = [
                e for e in episodes if e["points_after"] < RECENT_PERIODS and _episode_matches(e, chosen, measure)
            ]
            if (chosen["signal"] or chosen["direction"]) and not recent:
                continue
            finite = np.flatnonzero(np.isfinite(one.y))
            latest = float(one.y[finite[-1]]) if finite.size else None
            centre = float(one.cl[finite[-1]]) if finite.size else None
            recent_words = services.signal_sentences(recent[-1:], measure)
            summary = _summary(school.name, latest, centre, episodes, recent_words, measure)
            tiles.append({
                "school": school, "url": f"{school_base}{school.pk}/",
                "svg": sparkline.svg(one, domain, summary, marks=_mark_days(school_marks), anhoej=anhoej,
                                     target=measure.target),
                "latest": services.amount(latest, measure), "centre": services.amount(centre, measure),
                "recent": recent_words[0] if recent_words else "", "episodes": len(episodes),
                "recent_short": _short(recent[-1], measure) if recent else "",
                "points": int(one.y.size),
                "last_signal": max((str(e["last_x"]) for e in recent), default=""),
            })
    # Schools with a recent signal first (the most recent first), then the others in page order.
    tiles.sort(key=lambda tile: tile["last_signal"], reverse=True)
    pyramids = [s for s in all_schools if s.level == School.Level.HIGH]
    charted = set(_charted_ids(chart))
    context = {
        "measure": measure, "tiles": tiles, "chart": chart, "recent_periods": RECENT_PERIODS,
        "with_signal": sum(1 for tile in tiles if tile["recent"]),
        "schools_without_data": [s for s in schools if s.pk not in charted],
        "filtering": any(chosen.values()),
        "chosen": chosen, "signal_kinds": [(k, label) for k, (label, _) in SIGNAL_KINDS.items()],
        "directions": list(DIRECTIONS.items()), "pyramids": pyramids, "roles": School.Role.choices,
        "can_design": acc.can_change_shared_design(request.user, access),
        "writable": services.writable_school_ids(request.user, access),
    }
    return render_cluster(request, access, "measures/measure.html", context)


def _charted_ids(chart) -> list[int]:
    """The schools the cluster chart has points for."""
    if chart.result is None:
        return []
    return np.unique(chart.result.point_columns["school_id"]).tolist()


def _multiples_filters(request, schools: list[School]) -> dict:
    """The filters asked for in the query; unknown values are ignored."""
    asked = request.GET
    ids = {str(s.pk) for s in schools if s.level == School.Level.HIGH}
    return {
        "signal": asked.get("signal", "") if asked.get("signal", "") in SIGNAL_KINDS else "",
        "direction": asked.get("direction", "") if asked.get("direction", "") in DIRECTIONS else "",
        "pyramid": asked.get("pyramid", "") if asked.get("pyramid", "") in ids else "",
        "role": asked.get("role", "") if asked.get("role", "") in School.Role.values else "",
    }


def _school_matches(school: School, chosen: dict) -> bool:
    if chosen["role"] and school.role != chosen["role"]:
        return False
    if chosen["pyramid"]:
        return str(school.feeds_into_id or school.pk) == chosen["pyramid"]
    return True


def _episode_matches(episode: dict, chosen: dict, measure: Measure) -> bool:
    if chosen["signal"] and episode["rule"] not in SIGNAL_KINDS[chosen["signal"]][1]:
        return False
    if chosen["direction"]:
        better = services.is_better(episode["direction"] or "", measure)
        return better is (chosen["direction"] == "better")
    return True


def _short(episode: dict, measure: Measure) -> str:
    """An episode in a few words: "a shift, better"."""
    kind = next(k for k, (_, rules) in SIGNAL_KINDS.items() if episode["rule"] in rules)
    better = services.is_better(episode["direction"] or "", measure)
    return SHORT_KINDS[kind] + ("" if better is None else ", better" if better else ", worse")


def _mark_days(marks: list[dict]) -> list[int]:
    """Days (since the epoch) of the adopted changes and breaks set by hand, drawn on the small chart."""
    return [int(np.datetime64(m["x"], "D").astype(np.int64)) for m in marks if m["kind"] in ("adoption", "break")]


def _summary(name: str, latest, centre, episodes: list[dict], recent: list[str], measure: Measure) -> str:
    parts = [f"{measure.name} at {name}"]
    if latest is not None:
        parts.append(f"latest {services.amount(latest, measure)}")
    if centre is not None:
        parts.append(f"centre line {services.amount(centre, measure)}")
    count = len(episodes)
    parts.append(f"{count} episode{'s' if count != 1 else ''} of signals" if count else "no signals")
    text = ", ".join(parts)
    return f"{text}. Recent: {recent[0]}" if recent else f"{text}."


@cluster_page
def measure_school(request, access, slug: str, school_id: int):
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    chart = services.school_chart(measure, school)
    breaks = list(ChartBreak.objects.filter(measure=measure, school=school).select_related("created_by", "removed_by"))
    context = {
        "measure": measure, "school": school, "chart": chart,
        "can_write": acc.can_change_school_work(request.user, access, school.pk),
        "breaks": breaks,
        "current_breaks": [item for item in breaks if item.is_current],
        "removal_form": BreakRemovalForm(),
    }
    if chart.result is not None:
        data = chart.result.to_dict()
        plan = chart.plans.get(school.pk)
        context.update(
            points=data["points"], parts=data["parts"],
            episodes=services.signal_sentences(data["episodes"], measure),
            summary=services.school_summary(chart, school.pk),
            part_starts=plan.starts if plan else [],
            spec=services.vega_spec(chart, f"{measure.name}: {school.name}"),
            latest=next((p for p in reversed(data["points"]) if p["y"] is not None), None),
        )
    return render_cluster(request, access, "measures/school.html", context)


@cluster_page
def break_new(request, access, slug: str, school_id: int):
    """Start a new part of the school's chart by hand, with a reason."""
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    require_school_work(request, access, school)
    back = reverse("measures:school", args=[access.obj.slug, slug, school.pk])
    form = ChartBreakForm(request.POST or None,
                          instance=ChartBreak(measure=measure, school=school, created_by=request.user))
    return save_form(request, form, title=f"Start a new part of {measure} at {school}", cancel_url=back,
                      next_url=lambda _record: back)


@require_POST
@cluster_page
def break_remove(request, access, slug: str, school_id: int, break_id: int):
    """Take a break off the chart; it stays in the history with who removed it and why."""
    measure = measure_for(access, slug)
    school = acc.school_for_user(access, school_id).obj
    require_school_work(request, access, school)
    chart_break = ChartBreak.objects.filter(measure=measure, school=school, pk=break_id).first()
    if chart_break is None:
        raise Http404("No such break on this chart.")
    form = BreakRemovalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        with transaction.atomic():
            chart_break.remove(request.user, reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed the new part from {chart_break.starts_on}. It stays in the history.")
    return redirect(reverse("measures:school", args=[access.obj.slug, slug, school.pk]))


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
