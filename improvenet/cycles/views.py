"""Pages of PDSA cycles. Every object is read through improvenet.cycles.access; every step is a model method."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from improvenet.corrections.forms import ReasonForm
from improvenet.cycles import access as cacc
from improvenet.cycles import forms
from improvenet.cycles.models import PdsaCycle, Prediction, PredictionEdit
from improvenet.network.models import Team, current_on
from improvenet.pages import cluster_page, form_page, render_cluster, save_form

STEPS = {
    "start-do": ("start_do", "Do started."),
    "start-study": ("start_study", "Study started: compare each prediction with what happened."),
    "close-study": ("close_study", "Study closed: now decide."),
}


def _url(cluster, cycle) -> str:
    return reverse("cycles:cycle", args=[cluster.slug, cycle.pk])


def _chart_url(cluster, measure, school_id: int) -> str:
    """The measure's chart for the cycle's school, where the cycle shows as a mark."""
    try:
        return reverse("measures:school", args=[cluster.slug, measure.slug, school_id])
    except NoReverseMatch:
        return ""


def _messages_of(error: ValidationError) -> list[str]:
    return error.messages


def cycle_context(request, access, cycle_access, **extra) -> dict:
    cycle = cycle_access.obj
    edits = Prefetch("edits", queryset=PredictionEdit.objects.select_related("edited_by").order_by("edited_at"))
    predictions = list(cycle.predictions.select_related("answered_by").prefetch_related(edits))
    ramp = cycle.ramp()
    position = next(index for index, step in enumerate(ramp) if step.pk == cycle.pk)
    locked = cycle.predictions_locked
    context = {
        "cycle": cycle,
        "predictions": predictions,
        "ramp": ramp if len(ramp) > 1 else [],
        "previous": ramp[position - 1] if position > 0 else None,
        "next": ramp[position + 1] if position + 1 < len(ramp) else None,
        "copied_from": cycle.copied_from_id and PdsaCycle.objects.select_related("school").get(pk=cycle.copied_from_id),
        "copies": list(cycle.copies.select_related("school").order_by("planned_start")),
        "measures": [(m, _chart_url(access.obj, m, cycle.school_id)) for m in cycle.measures.all()],
        "next_step": cycle.next_step(predictions),
        "can_change": cycle_access.can_change,
        "can_copy": cacc.can_copy_elsewhere(request.user, access, cycle.school_id),
        "prediction_form": forms.PredictionForm(auto_id="new-prediction-%s") if not locked else None,
        "do_form": forms.DoForm(instance=cycle, auto_id="do-%s") if cycle.stage == PdsaCycle.Stage.DO else None,
        "study_form": forms.StudyForm(instance=cycle, auto_id="study-%s")
        if cycle.stage == PdsaCycle.Stage.STUDY else None,
        "decision_form": forms.DecisionForm(auto_id="act-%s") if cycle.stage == PdsaCycle.Stage.ACT else None,
        "step_errors": [],
        "stages": PdsaCycle.Stage.choices[:4],
        "reopenings": list(cycle.reopenings.select_related("reopened_by")),
        "can_reopen": cycle_access.can_change and cycle.stage == PdsaCycle.Stage.DONE and bool(cycle.decided_on)
        and (timezone.localdate() - cycle.decided_on).days <= settings.IMPROVENET_DECISION_REOPEN_DAYS,
        "reopen_days": settings.IMPROVENET_DECISION_REOPEN_DAYS,
    }
    context.update(extra)
    return context


def _render_cycle(request, access, cycle_access, status=200, **extra):
    context = cycle_context(request, access, cycle_access, **extra)
    return render_cluster(request, access, "cycles/cycle.html", context, status=status)


@cluster_page
def cycle_index(request, access):
    cycles = (
        PdsaCycle.objects.select_related("school", "team", "change_idea")
        .annotate(prediction_count=Count("predictions"))
        .order_by("school__name", "-planned_start")
    )
    teams = Team.objects.filter(current_on(), kind=Team.Kind.SCHOOL_DESIGN).select_related("school").order_by("name")
    context = {"cycles": cycles, "teams": teams, "can_create": cacc.writable_teams(request.user, access).exists()}
    return render_cluster(request, access, "cycles/index.html", context)


@cluster_page
def cycle_page(request, access, cycle_id: int):
    return _render_cycle(request, access, cacc.cycle_for_user(request.user, access, cycle_id))


@cluster_page
def cycle_new(request, access):
    teams = cacc.writable_teams(request.user, access)
    if not teams.exists():
        raise PermissionDenied(cacc.CANNOT_CHANGE)
    if request.method == "POST" and request.POST.get("team"):
        chosen = Team.objects.filter(pk=request.POST["team"]).first() if request.POST["team"].isdigit() else None
        if chosen is not None:
            cacc.require_team_writable(request.user, access, chosen)
    initial = {"planned_start": timezone.localdate()}
    if request.GET.get("team", "").isdigit():
        initial["team"] = int(request.GET["team"])
    cycle = PdsaCycle(cluster=access.obj, created_by=request.user)
    form = forms.CycleForm(request.POST or None, instance=cycle, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        cycle.school_id = form.cleaned_data["team"].school_id
    return save_form(
        request, form, title="Plan a new PDSA cycle", cancel_url=reverse("cycles:index", args=[access.obj.slug]),
        next_url=lambda saved: _url(access.obj, saved),
    )


@cluster_page
def cycle_edit(request, access, cycle_id: int):
    cycle_access = cacc.cycle_for_user(request.user, access, cycle_id)
    cycle = cacc.require_change(cycle_access)
    url = _url(access.obj, cycle)
    if cycle.stage != PdsaCycle.Stage.PLAN:
        messages.error(request, "The Plan is fixed once Do has started; it stays as the team wrote it.")
        return redirect(url)
    form = forms.CycleForm(request.POST or None, instance=cycle)
    return save_form(request, form, title=f"Edit the Plan: {cycle}", cancel_url=url, next_url=lambda c: url)


@require_POST
@cluster_page
def cycle_step(request, access, cycle_id: int, step: str):
    cycle_access = cacc.cycle_for_user(request.user, access, cycle_id)
    cycle = cacc.require_change(cycle_access)
    method, done = STEPS[step]
    form = forms.StepForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    try:
        with transaction.atomic():
            getattr(cycle, method)(on, user=request.user)
    except ValidationError as refused:
        cycle.refresh_from_db()
        return _render_cycle(request, access, cycle_access, status=422, step_errors=_messages_of(refused))
    messages.success(request, done)
    return redirect(_url(access.obj, cycle))


@require_POST
@cluster_page
def cycle_record(request, access, cycle_id: int, stage: str):
    """Save what a stage writes: Do (what happened, observations, data) or Study (what was learned)."""
    cycle_access = cacc.cycle_for_user(request.user, access, cycle_id)
    cycle = cacc.require_change(cycle_access)
    form_class = forms.DoForm if stage == "do" else forms.StudyForm
    expected = PdsaCycle.Stage.DO if stage == "do" else PdsaCycle.Stage.STUDY
    form = form_class(request.POST, instance=cycle, auto_id=f"{stage}-%s")
    if cycle.stage != expected:
        return _render_cycle(request, access, cycle_access, status=422, step_errors=[
            f"This cycle is at {cycle.get_stage_display()}; what {PdsaCycle.Stage(expected).label} records is fixed."
        ])
    if form.is_valid():
        form.save()
        messages.success(request, f"Saved the {PdsaCycle.Stage(expected).label} notes.")
        return redirect(_url(access.obj, cycle))
    return _render_cycle(request, access, cycle_access, status=422, **{f"{stage}_form": form})


@require_POST
@cluster_page
def cycle_decide(request, access, cycle_id: int):
    cycle_access = cacc.cycle_for_user(request.user, access, cycle_id)
    cycle = cacc.require_change(cycle_access)
    form = forms.DecisionForm(request.POST, auto_id="act-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            following = cycle.decide(
                data["decision"], data["on"], data["decision_notes"], next_objective=data["next_objective"].strip(),
                next_planned_start=data["next_planned_start"], user=request.user,
            )
        except ValidationError as refused:
            cycle.refresh_from_db()
            return _render_cycle(request, access, cycle_access, status=422, decision_form=form,
                                 step_errors=_messages_of(refused))
        messages.success(request, f"Decided: {cycle.get_decision_display()}.")
        if following:
            messages.success(request, "The next cycle of the ramp is planned: add its predictions.")
            return redirect(_url(access.obj, following))
        return redirect(_url(access.obj, cycle))
    return _render_cycle(request, access, cycle_access, status=422, decision_form=form,
                         step_errors=[e for errors in form.errors.values() for e in errors])


@cluster_page
def cycle_reopen(request, access, cycle_id: int):
    """Take the decision back to Act within the allowed days, with a reason kept on the cycle's page."""
    cycle = cacc.require_change(cacc.cycle_for_user(request.user, access, cycle_id))
    url = _url(access.obj, cycle)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle.reopen_decision(form.cleaned_data["reason"], request.user)
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "The decision is reopened: the cycle is back at Act.")
            return redirect(url)
    return form_page(request, form, title=f"Reopen the decision of “{cycle}”", cancel_url=url, cluster=access.obj)


@cluster_page
def cycle_copy(request, access, cycle_id: int):
    cycle = cacc.cycle_for_user(request.user, access, cycle_id).obj
    teams = cacc.writable_teams(request.user, access).exclude(school_id=cycle.school_id)
    if not teams.exists():
        raise PermissionDenied("Copying starts a cycle in your own school; your role writes no other school's cycles.")
    url = _url(access.obj, cycle)
    form = forms.CopyForm(request.POST or None, teams=teams, initial={"planned_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        team = cacc.require_team_writable(request.user, access, form.cleaned_data["team"])
        copy = cycle.copy_to(team, request.user, form.cleaned_data["planned_start"])
        messages.success(request, f"Copied to {team.school}: adapt the Plan and predictions to your school.")
        return redirect(_url(access.obj, copy))
    return form_page(request, form, title=f"Copy “{cycle}” to your school", cancel_url=url, cluster=access.obj)


# Predictions -------------------------------------------------------------------------------------


@require_POST
@cluster_page
def prediction_new(request, access, cycle_id: int):
    cycle_access = cacc.cycle_for_user(request.user, access, cycle_id)
    cycle = cacc.require_change(cycle_access)
    form = forms.PredictionForm(request.POST, auto_id="new-prediction-%s")
    htmx = request.headers.get("HX-Request") == "true"
    if form.is_valid():
        try:
            cycle.add_prediction(form.cleaned_data["text"], form.cleaned_data["confirm_criterion"], request.user)
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            if not htmx:
                messages.success(request, "Prediction added.")
                return redirect(_url(access.obj, cycle) + "#predictions")
            form = forms.PredictionForm(auto_id="new-prediction-%s")
    if htmx:
        context = cycle_context(request, access, cycle_access, prediction_form=form)
        context["announce"] = "Prediction added." if form.is_bound is False else ""
        return render_cluster(request, access, "cycles/_predictions.html", context)
    return _render_cycle(request, access, cycle_access, status=422, prediction_form=form)


@cluster_page
def prediction_edit(request, access, prediction_id: int):
    prediction_access = cacc.prediction_for_user(request.user, access, prediction_id)
    prediction: Prediction = cacc.require_change(prediction_access)
    url = _url(access.obj, prediction.cycle)
    form = forms.PredictionForm(
        request.POST or None, locked=prediction.is_locked,
        initial={"text": prediction.text, "confirm_criterion": prediction.confirm_criterion},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edit = prediction.edit(data["text"], data["confirm_criterion"], request.user, data.get("reason", ""))
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Edit kept and shown beside the prediction." if edit else "Prediction saved.")
            return redirect(url + "#predictions")
    return _prediction_page(request, access, prediction, form, f"Edit prediction {prediction.number}")


@cluster_page
def prediction_answer(request, access, prediction_id: int):
    prediction_access = cacc.prediction_for_user(request.user, access, prediction_id)
    prediction: Prediction = cacc.require_change(prediction_access)
    url = _url(access.obj, prediction.cycle)
    initial = {"outcome": prediction.outcome, "what_happened": prediction.what_happened}
    form = forms.AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            prediction.answer(form.cleaned_data["outcome"], form.cleaned_data["what_happened"], request.user)
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Prediction {prediction.number} answered.")
            return redirect(url + "#predictions")
    return _prediction_page(request, access, prediction, form, f"Answer prediction {prediction.number}")


def _prediction_page(request, access, prediction: Prediction, form, title: str):
    """The form page of one prediction, quoting it above the form; 422 while the form has errors."""
    context = {"form": form, "title": title, "cancel_url": _url(access.obj, prediction.cycle), "prediction": prediction}
    return render_cluster(request, access, "cycles/prediction_form.html", context, status=422 if form.errors else 200)


# The team board ----------------------------------------------------------------------------------


def board_columns(team: Team) -> list[dict]:
    cycles = list(
        PdsaCycle.objects.filter(team=team)
        .select_related("change_idea")
        .annotate(prediction_count=Count("predictions"))
        .order_by("-planned_start", "pk")
    )
    return [
        {"stage": value, "label": label, "cycles": [c for c in cycles if c.stage == value]}
        for value, label in PdsaCycle.Stage.choices
    ]


@cluster_page
def team_board(request, access, team_id: int):
    team_access = cacc.board_team_for_user(request.user, access, team_id)
    context = {"team": team_access.obj, "columns": board_columns(team_access.obj), "can_change": team_access.can_change}
    return render_cluster(request, access, "cycles/board.html", context)
