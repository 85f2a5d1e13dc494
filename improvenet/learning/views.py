"""Pages of learning across the network: evidence per change idea, thresholds, spread and scale."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from improvenet.design.access import change_idea_for_user
from improvenet.learning import access as lacc
from improvenet.learning import forms, services
from improvenet.learning.evidence import MIN_POINTS_WATCHED, Level
from improvenet.learning.models import STAGE_LETTERS, EvidenceThresholds, SpreadStage
from improvenet.network.access import MAX_ID
from improvenet.network.models import School
from improvenet.pages import cluster_page, day_asked, render_cluster, save_form
from improvenet.spc.vega import SCHEMA

STAGE_KEY = [(value, label, STAGE_LETTERS[value]) for value, label in SpreadStage.Stage.choices]
LEVEL_KEY = [(level.value, level.label) for level in Level]


def _id_or_none(raw: str) -> int | None:
    """The record id written in `raw`, or None when it is not a whole number a database row can have."""
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


@cluster_page
def evidence_index(request, access):
    ideas = services.evidence_index(access.obj)
    counts = {value: sum(1 for e in ideas if e.level.value == value) for value, _ in LEVEL_KEY}
    context = {
        "ideas": ideas, "levels": [(v, label, counts[v]) for v, label in LEVEL_KEY],
        "thresholds": services.thresholds_for(access.obj),
    }
    return render_cluster(request, access, "learning/evidence_index.html", context)


@cluster_page
def evidence_page(request, access, idea_id: int):
    idea = change_idea_for_user(access, idea_id).obj
    evidence = services.evidence_for(access.obj, idea)
    context = {"idea": idea, "e": evidence, "thresholds": services.thresholds_for(access.obj),
               "min_points": MIN_POINTS_WATCHED}
    return render_cluster(request, access, "learning/evidence.html", context)


@cluster_page
def thresholds_page(request, access):
    may_adjust = lacc.may_adjust_thresholds(request.user, access)
    if request.method == "POST":
        lacc.require_adjust_thresholds(request.user, access)
    thresholds = services.thresholds_for(access.obj)
    form = forms.ThresholdsForm(request.POST or None, instance=thresholds) if may_adjust else None
    if form is not None and request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
        messages.success(request, "Saved the evidence thresholds; every change idea's level now follows them.")
        return redirect("learning:thresholds", access.obj.slug)
    context = {"thresholds": thresholds, "form": form, "defaults": EvidenceThresholds(network=access.obj.network)}
    status = 422 if form and form.errors else 200
    return render_cluster(request, access, "learning/thresholds.html", context, status=status)


@cluster_page
def spread_grid(request, access):
    on, problem = day_asked(request)
    grid = services.grid(access.obj, on)
    context = {"grid": grid, "problem": problem, "stage_key": STAGE_KEY}
    return render_cluster(request, access, "learning/grid.html", context, status=400 if problem else 200)


def _timeline_spec(idea, by_school, today: datetime.date) -> dict:
    """Stages over time per school as a Vega-Lite bar chart: each stage lasts until the school's next record."""
    values = []
    for school, records in by_school.items():
        for record, following in zip(records, [*records[1:], None], strict=True):
            values.append({
                "school": school.name, "stage": record.get_stage_display(), "from": record.started_on.isoformat(),
                "to": (following.started_on if following else max(today, record.started_on)).isoformat(),
            })
    order = [label for _, label in SpreadStage.Stage.choices]
    return {
        "$schema": SCHEMA,
        "title": f"Spread of “{idea.title}”", "width": 640, "data": {"values": values},
        "mark": {"type": "bar", "stroke": "#1f2937", "strokeWidth": 0.5},
        "encoding": {
            "y": {"field": "school", "type": "nominal", "title": "School"},
            "x": {"field": "from", "type": "temporal", "title": "Date"},
            "x2": {"field": "to"},
            "color": {"field": "stage", "type": "nominal", "title": "Stage", "scale": {
                "domain": order, "range": ["#d1d5db", "#fbbf24", "#60a5fa", "#16a34a", "#b91c1c"]}},
            "tooltip": [{"field": "school"}, {"field": "stage"}, {"field": "from", "type": "temporal"},
                        {"field": "to", "type": "temporal"}],
        },
    }


@cluster_page
def spread_timeline(request, access, idea_id: int):
    idea = change_idea_for_user(access, idea_id).obj
    by_school = services.history(access.obj, idea)
    context = {
        "idea": idea, "by_school": by_school,
        "spec": _timeline_spec(idea, by_school, timezone.localdate()) if by_school else None,
        "can_record": lacc.recordable_schools(request.user, access).exists(),
    }
    return render_cluster(request, access, "learning/timeline.html", context)


@cluster_page
def spread_record(request, access, idea_id: int):
    idea = change_idea_for_user(access, idea_id).obj
    schools = lacc.require_recordable(request.user, access)
    chosen = request.POST.get("school", "").strip()
    school_id = _id_or_none(chosen)
    if school_id and School.objects.filter(pk=school_id).exists() and not schools.filter(pk=school_id).exists():
        raise PermissionDenied(lacc.CANNOT_RECORD)
    data = request.POST or None
    if chosen and school_id is None:
        # School's pk is a parent link, which Django does not range-check: never look such a value up.
        data = request.POST.copy()
        data["school"] = ""
    record = SpreadStage(cluster=access.obj, change_idea=idea, recorded_by=request.user)
    form = forms.SpreadStageForm(data, instance=record, schools=schools, initial={"started_on": timezone.localdate()})
    if chosen and school_id is None:  # reading `errors` validates the rest of the form too
        form.errors["school"] = form.error_class([f"“{chosen[:20]}” is not a school id; choose a school in the list."])
    timeline = reverse("learning:timeline", args=[access.obj.slug, idea.pk])
    return save_form(request, form, title=f"Record a stage of “{idea.title}”", cancel_url=timeline,
                     next_url=lambda saved: timeline)


@cluster_page
def travel_page(request, access):
    on, problem = day_asked(request)
    traveled, stopped = services.travel(access.obj, on)
    context = {
        "on": on, "problem": problem, "scaling": services.scaling(access.obj, on), "traveled": traveled,
        "stopped": stopped,
    }
    return render_cluster(request, access, "learning/travel.html", context, status=400 if problem else 200)

