"""The study pages: the list, a study (design, pre-registration and revisions, power, allocation, impact),
its form with the power panel that answers as the fields change, registering, and the allocation's preview
and saving. Every study is read through studies.access."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from improvenet.analytics.outcomes import school_year_of
from improvenet.analytics.suppression import DEFAULT_MIN_N
from improvenet.data.models import AuditEvent
from improvenet.data.services import DataSetupError
from improvenet.lib.errors import Conflict
from improvenet.network.models import Cluster, School
from improvenet.pages import cluster_page, render_cluster
from improvenet.spc.vega import to_svg
from improvenet.studies import access as sacc
from improvenet.studies import analysis, publishing, rosters, services
from improvenet.studies.attrition import judge
from improvenet.studies.charts import sites_spec
from improvenet.studies.forms import (
    POWER_FIELDS,
    AllocationForm,
    ClassroomAllocationForm,
    PowerFields,
    StudentAllocationForm,
    StudyForm,
)
from improvenet.studies.models import Study, StudyResult, outcome_label

studies_page = cluster_page(enter=sacc.in_cluster_studies)


# A study's summary is read by the members of the clusters it is shared with too: they read it as outside
# readers of this one page (the study's id takes part in entering).
study_summary_page = cluster_page(enter=sacc.in_study_summary)
# A published study's page is read by the members of every cluster of the network too.
published_study_page = cluster_page(enter=partial(sacc.in_study_summary, published=True))


def _study_url(study: Study) -> str:
    return reverse("studies:study", args=[study.cluster.slug, study.pk])


def _index_url(access) -> str:
    return reverse("studies:index", args=[access.obj.slug])


@studies_page
def study_index(request, access):
    studies = Study.objects.select_related("change_idea", "innovation", "agenda_priority", "product")
    return render_cluster(request, access, "studies/index.html", {"studies": studies.order_by("-starts_on", "title"),
                                                                   "shared": sacc.studies_shared_with(access)})


def _form_context(access, form) -> dict:
    return {"power_url": reverse("studies:power", args=[access.obj.slug]), "power": _panel_answer(form),
            "power_fields": ["power_design", "two_tailed", *POWER_FIELDS],
            "study": form.instance if form.instance.pk else None}


def _panel_answer(form) -> services.PowerAnswer:
    """The power panel of a form as submitted (or as the study stands)."""
    fields = PowerFields(form.data or None, initial=form.initial)
    if form.is_bound:
        target = form.data.get("smallest_effect")
        if not fields.is_valid():
            return services.PowerAnswer("", "", problem="Give the power parameters as numbers.")
        return services.power_answer(fields.cleaned_data.get("power_design") or "", fields.parameters(),
                                     _number(target), form.data.get("assignment_level", ""))
    return services.study_power(form.instance)


def _number(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


THREE_LEVELS = {"cra3r3", "bcra3r2", "bcra3f2"}


def _estimated_from_store(request, access, form):
    """The form again, its ρ, R² and n filled in from the store for its primary outcome (an audited read)."""
    data = request.POST.copy()
    outcome = data.get("primary_outcome", "")
    three_levels = data.get("power_design") in THREE_LEVELS
    # Imported here: the store loads pandas, which starting the site (its URLs) must not pay for.
    from improvenet.studies import store

    try:
        found = store.variance_parts(request.user, sacc.district_access(access), outcome,
                                     channel=AuditEvent.Channel.WEB,
                                     by_pyramid=three_levels)
    except (PermissionDenied, DataSetupError, ValueError) as refused:
        messages.error(request, f"ρ and R² could not be estimated from the store: {refused}")
        return form
    parts = found.parts
    estimates = {"rho2": parts.rho2, "rho3": parts.rho3, "R1": parts.R1, "R2": parts.R2, "R3": parts.R3,
                 "n": parts.students_per_school}
    for name, value in estimates.items():
        if value is not None:
            data[name] = f"{value:.4g}"
    messages.success(request, f"Estimated from {parts.students} students in {parts.schools} schools "
                              f"({found.outcome.label}, school year ending {found.year}); the read is in the "
                              "audit log. Check the figures, then save.")
    return type(form)(data, instance=form.instance, access=access)


def _study_form(request, access, form, *, title: str, cancel_url: str):
    if request.method == "POST" and "estimate" in request.POST:
        form = _estimated_from_store(request, access, form)
        return render_cluster(request, access, "studies/study_form.html",
                              {"form": form, "title": title, "cancel_url": cancel_url,
                               **_form_context(access, form)})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            study = form.save()
        messages.success(request, f"Saved {study}.")
        return redirect(_study_url(study))
    status = 422 if form.errors else 200
    return render_cluster(request, access, "studies/study_form.html",
                          {"form": form, "title": title, "cancel_url": cancel_url, **_form_context(access, form)},
                          status=status)


@studies_page
def study_new(request, access):
    access.require_change()
    study = Study(cluster=access.obj, created_by=request.user)
    form = StudyForm(request.POST or None, instance=study, access=access)
    return _study_form(request, access, form, title="Plan a study", cancel_url=_index_url(access))


@studies_page
def study_edit(request, access, study_id: int):
    study = sacc.study_for_user(access, study_id).require_change()
    study.revised_by = request.user
    form = StudyForm(request.POST or None, instance=study, access=access)
    return _study_form(request, access, form, title=f"Edit {study}", cancel_url=_study_url(study))


@studies_page
def power_panel(request, access):
    """The power panel alone, for the form's fields as they stand (htmx asks for it as they change)."""
    form = StudyForm(request.GET or None, instance=Study(cluster=access.obj), access=access)
    # htmx swaps the panel alone into the form; an address opened directly gets a whole page around it.
    template = "studies/_power.html" if request.headers.get("HX-Request") else "studies/power.html"
    return render_cluster(request, access, template, {
        "power": _panel_answer(form), "fields": PowerFields(request.GET or None),
        "smallest_effect": request.GET.get("smallest_effect", ""),
    })


@published_study_page
def study_page(request, access, study_id: int):
    study = sacc.study_for_user(access, study_id).obj
    details = sacc.may_read_details(access)
    publication = publishing.open_publication(study)
    latest = study.results.first()
    context = {
        "publication": publication,
        # A reader admitted by the publication alone reads this page and its published copy, not the live statement.
        "by_publication": request.reads_only_this_page
        and not study.shared_with.filter(roles__user=request.user).exists(),
        "can_publish": access.can_change and latest is not None
        and (publication is None or publication.result_id != latest.pk),
        "ended_publications": study.publications.exclude(ended_on__isnull=True).select_related(
            "published_by", "withdrawn_by") if access.can_change else [],
        "study": study, "details": details, "power": services.study_power(study),
        "primary": outcome_label(study.primary_outcome),
        "secondary": [outcome_label(key) for key in study.secondary_outcomes],
        "revisions": study.revisions.select_related("edited_by") if details else [],
        "allocation": study.current_allocation() if details else None,
        "result": study.results.first() if details else None,
    }
    return render_cluster(request, access, "studies/study.html", context)


@require_POST
@studies_page
def study_register(request, access, study_id: int):
    study = sacc.study_for_user(access, study_id).require_change()
    try:
        with transaction.atomic():
            study.register(request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Registered {study} on {study.registered_at:%B %-d, %Y}: its design is locked; "
                                  "later changes are kept and shown.")
    return redirect(_study_url(study))


def _allocation_form(request, study: Study, current):
    """The allocation form of the study's unit, starting from the current allocation's choices."""
    data = request.POST or None
    if study.assignment_level in (Study.Level.STUDENT, Study.Level.CLASSROOM):
        selection = current.selection if current and current.level == study.assignment_level else {}
        grades = selection.get("grades") or [None, None]
        initial = {"schools": selection.get("schools", []), "proportion": current.proportion if current else 0.5,
                   "school_year": selection.get("school_year") or school_year_of(study.starts_on),
                   "lowest_grade": grades[0], "highest_grade": grades[1],
                   "baseline": bool(current and current.balance_rule.get("baseline")),
                   "match_pairs": bool(current and current.balance_rule.get("matched_on")),
                   "acceptance": current.balance_rule.get("acceptance") if current else None}
        if study.assignment_level == Study.Level.CLASSROOM:
            return ClassroomAllocationForm(data, initial=initial)
        return StudentAllocationForm(data, initial=initial)
    clusters = None
    if study.assignment_level == Study.Level.CLUSTER:
        clusters = Cluster.objects.filter(pk__in=[study.cluster_id, *study.shared_with.values_list("pk", flat=True)])
    field = "clusters" if clusters is not None else "schools"
    initial = {field: [int(unit["unit"]) for unit in current.units], "proportion": current.proportion} \
        if current and current.level == study.assignment_level else {}
    return AllocationForm(data, initial=initial, clusters=clusters)


def _draw(request, access, study: Study, form):
    """The draw the form asks for: of the study's schools or clusters, or of its schools' students."""
    data = form.cleaned_data
    if isinstance(form, StudentAllocationForm):
        return services.draw_student_allocation(
            request.user, sacc.district_access(access), study, list(data["schools"]), data["school_year"],
            data["grades"], data["proportion"], data["baseline"], data["match_pairs"], data["acceptance"],
            data["seed"], channel=AuditEvent.Channel.WEB)
    return services.draw_allocation(
        study, list(data[form.units_field]), data["proportion"], data["baseline_name"], data["baseline_values"],
        data["match_pairs"], data["acceptance"], data["seed"])


def _saved_allocations(study: Study) -> list[dict]:
    """The study's allocations as the page lists them: a student allocation by its suppressed counts per block and
    arm and the schools whose students it assigned, never a student."""
    shown = []
    for allocation in study.allocations.order_by("number"):
        entry = {"allocation": allocation, "counts": None, "schools": [],
                 "sections": allocation.level == Study.Level.CLASSROOM}
        if allocation.has_roster:
            entry["counts"] = rosters.suppressed_counts(allocation.counts)
            entry["schools"] = list(School.objects.filter(pk__in=allocation.selection.get("schools", []))
                                    .order_by("name").values_list("name", flat=True))
        shown.append(entry)
    return shown


@studies_page
def allocation_page(request, access, study_id: int):
    """Choose the units (schools, the study's clusters, or the students of schools) and the procedure, preview the
    draw with its balance, then save it."""
    study_access = sacc.study_for_user(access, study_id)
    study = study_access.obj
    if not sacc.may_read_details(access):
        raise PermissionDenied("The allocation is for the cluster's team members, researchers and leads.")
    allocations = _saved_allocations(study)
    # A new allocation starts from the current one's choices.
    form = _allocation_form(request, study, allocations[-1]["allocation"] if allocations else None)
    draw = None
    if request.method == "POST":
        study_access.require_change()
        if form.is_valid():
            try:
                draw = _draw(request, access, study, form)
                if "save" in request.POST:
                    save = services.save_student_allocation if isinstance(draw, services.StudentDraw) \
                        else services.save_allocation
                    with transaction.atomic():
                        saved = save(study, draw, request.user, AuditEvent.Channel.WEB, form.cleaned_data["reason"])
                    messages.success(request, f"Saved allocation {saved.number} (seed {saved.seed}).")
                    return redirect(reverse("studies:allocation", args=[access.obj.slug, study.pk]))
            except ValidationError as refused:
                form.add_error("reason" if "reason" in refused.message_dict else None, " ".join(refused.messages))
                draw = None
            except (PermissionDenied, DataSetupError, ValueError, OSError) as refused:
                # The store's refusals: the agreement, the store itself, what it holds, or the roster's folder.
                form.add_error(None, f"The students could not be drawn: {refused}")
                draw = None
            if draw is not None:
                # The preview shows the accepted seed in the form, so that saving keeps exactly this draw.
                shown = request.POST.copy()
                shown["seed"] = str(draw.drawn.seed)
                form = type(form)(shown, **({"clusters": form.fields["clusters"].queryset}
                                            if "clusters" in form.fields else {}))
                form.is_valid()
    students = isinstance(draw, services.StudentDraw)
    rows = list(zip(draw.units, draw.drawn.treated, strict=True)) if draw and not students else []
    context = {"study": study, "form": form, "draw": draw, "draw_rows": rows,
               "draw_counts": draw.shown_counts if students else None, "allocations": allocations,
               "draw_sections": study.assignment_level == Study.Level.CLASSROOM, "min_n": DEFAULT_MIN_N,
               "can_allocate": study_access.can_change and study.is_registered
               and study.design == Study.Design.RANDOMIZED}
    return render_cluster(request, access, "studies/allocation.html", context, status=422 if form.errors else 200)


def _detailed_study(request, access, study_id: int):
    study_access = sacc.study_for_user(access, study_id)
    if not sacc.may_read_details(access):
        raise PermissionDenied("A study's impact is for the cluster's team members, researchers and leads.")
    return study_access


def _chart(study: Study, result: StudyResult) -> dict:
    cr2 = result.impact
    # The interval of g: the estimate's interval on the scale of g.
    scale = result.g_per_outcome_unit
    low, high = sorted((cr2.ci_low * scale, cr2.ci_high * scale))
    return sites_spec(result.sites, cr2.hedges_g, low, high, f"{study.title}: effect by site")


@studies_page
def impact_page(request, access, study_id: int):
    """The latest impact estimate of the study, and (for its writers) estimating it from the store."""
    study_access = _detailed_study(request, access, study_id)
    study = study_access.obj
    if request.method == "POST":
        study_access.require_change()
        try:
            with transaction.atomic():
                analysis.analyse(study, request.user, sacc.district_access(access), channel=AuditEvent.Channel.WEB)
        except (ValidationError, PermissionDenied, DataSetupError, ValueError) as refused:
            text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
            messages.error(request, f"The impact could not be estimated: {text}")
        else:
            messages.success(request, "Estimated the impact from the store; the read is in the audit log.")
        return redirect(reverse("studies:impact", args=[access.obj.slug, study.pk]))
    result = study.results.first()
    context = {"study": study, "result": result, "outcome": outcome_label(study.primary_outcome)}
    if result is not None:
        context |= {
            "attrition": [judge(attrition) for attrition in (result.school_attrition, result.student_attrition)
                          if attrition is not None],
            "chart_spec": _chart(study, result) if result.sites else None,
        }
    return render_cluster(request, access, "studies/impact.html", context)


@studies_page
def impact_chart(request, access, study_id: int):
    study = _detailed_study(request, access, study_id).obj
    result = study.results.first()
    if result is None or not result.sites:
        raise Http404("This study has no estimates by site yet.")
    response = HttpResponse(to_svg(_chart(study, result)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-sites.svg"'
    return response


@study_summary_page
def statement_page(request, access, study_id: int):
    """The evidence statement of the study's latest result, in plain words."""
    study = sacc.study_for_user(access, study_id).obj
    result = study.results.first()
    statement = analysis.evidence_statement(result) if result is not None else None
    return render_cluster(request, access, "studies/statement.html",
                          {"study": study, "result": result, "statement": statement})


@require_POST
@studies_page
def study_publish(request, access, study_id: int):
    """Publish the finished study to the network's library, or its new result in place of the published one."""
    study = sacc.study_for_user(access, study_id).require_change()
    try:
        publication = publishing.publish(study, request.user, channel=AuditEvent.Channel.WEB)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, f"Published {study} to the library of {access.obj.network}: every cluster of the "
                                  f"network reads this copy of its results, frozen on "
                                  f"{publication.published_at:%B %-d, %Y}.")
    return redirect(_study_url(study))


@require_POST
@studies_page
def study_withdraw(request, access, study_id: int):
    study = sacc.study_for_user(access, study_id).require_change()
    publication = publishing.open_publication(study)
    if publication is None:
        messages.error(request, f"{study} is not published to the network's library; there is nothing to withdraw.")
        return redirect(_study_url(study))
    try:
        publishing.withdraw(publication, request.user, request.POST.get("reason", ""), channel=AuditEvent.Channel.WEB)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Withdrew {study} from the library of {access.obj.network}; the earlier "
                                  "publication is kept, marked withdrawn, with your reason.")
    return redirect(_study_url(study))
