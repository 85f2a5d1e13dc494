"""Pages of partnership health: the report, the rubric, rounds and partners' self-assessments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from improvenet.lib.errors import Conflict
from improvenet.network.access import partner_organizations
from improvenet.pages import cluster_page, render_cluster, save_form
from improvenet.partnership import access as pa
from improvenet.partnership import services
from improvenet.partnership.forms import AssessmentForm, RoundForm, RubricForm
from improvenet.partnership.models import Round, Rubric, SelfAssessment


def _round_url(round_: Round) -> str:
    return reverse("partnership:round", args=[round_.cluster.slug, round_.pk])


@cluster_page
def report_page(request, access):
    report = services.health_report(access.obj)
    trends = {t.dimension: t for t in report.health.trends}
    dimensions = [
        {"dimension": d, "spec_id": f"spec-{d.key}",
         "spec": services.ratings_spec(report, d) if report.rounds else None,
         "table": report.table(d), "medians": report.medians(d), "summary": trends[d.key].summary,
         "gaps": [g for g in report.health.gaps if g.dimension == d.key]}
        for d in report.lib_rubric.dimensions
    ]
    outcomes = [(f"outcome-{chart.measure.slug}", chart) for chart in services.outcome_charts(report)]
    context = {"report": report, "dimensions": dimensions, "outcomes": outcomes,
               "medians_spec": services.medians_spec(report) if report.rounds else None}
    return render_cluster(request, access, "partnership/report.html", context)


@cluster_page
def rubric_page(request, access):
    versions = list(Rubric.objects.order_by("-version"))
    current = versions[0] if versions else Rubric.current_for(access.obj)
    context = {"rubric": current, "lib_rubric": current.as_rubric(), "versions": versions}
    return render_cluster(request, access, "partnership/rubric.html", context)


@cluster_page
def rubric_edit(request, access):
    access.require_change()
    rubric = Rubric.current_for(access.obj).next_version(request.user)
    form = RubricForm(request.POST or None, instance=rubric)
    intro = (f"Saving makes version {rubric.version} the current rubric. Self-assessments already recorded keep "
             "the version they were made with; the report reads them with the current version.")
    return save_form(request, form, title="Edit the partnership rubric", cancel_url=reverse(
        "partnership:rubric", args=[access.obj.slug]), next_url=lambda r: reverse(
        "partnership:rubric", args=[access.obj.slug]), context={"intro": intro,
                                                                "submit_label": "Save as a new version"})


@cluster_page
def round_list(request, access):
    return render_cluster(request, access, "partnership/rounds.html", {"rounds": Round.objects.order_by("held_on")})


@cluster_page
def round_new(request, access):
    access.require_change()
    form = RoundForm(request.POST or None, instance=Round(cluster=access.obj))
    return save_form(request, form, title="Plan a round of self-assessment",
                      cancel_url=reverse("partnership:rounds", args=[access.obj.slug]), next_url=_round_url)


@cluster_page
def round_edit(request, access, round_id: int):
    round_ = pa.round_for_user(access, round_id).require_change()
    form = RoundForm(request.POST or None, instance=round_)
    return save_form(request, form, title=f"Edit {round_}",
                      cancel_url=_round_url(round_), next_url=_round_url)


@cluster_page
def round_page(request, access, round_id: int):
    round_ = pa.round_for_user(access, round_id).obj
    assessments = {a.organization_id: a for a in SelfAssessment.objects.filter(round=round_)
                   .select_related("organization", "rubric").prefetch_related("ratings")}
    ratable = set(pa.organizations_user_rates(request.user, access).values_list("pk", flat=True))
    rows = [(o, assessments.get(o.pk), o.pk in ratable) for o in partner_organizations().order_by("kind", "name")
            if o.pk in assessments or o.is_current]
    return render_cluster(request, access, "partnership/round.html", {"round": round_, "rows": rows})


def _assessment_form(request, access, assessment: SelfAssessment, organizations, title: str, cancel_url: str,
                     initial=None):
    rubric = assessment.rubric if assessment.rubric_id else Rubric.current_for(access.obj)
    lib_rubric = rubric.as_rubric()
    initial_fields = initial
    initial = {r.dimension: (r.level, r.evidence) for r in assessment.ratings.all()} if assessment.pk else {}
    form = AssessmentForm(request.POST or None, rubric=lib_rubric, organizations=organizations,
                          initial_ratings=initial, notes=assessment.notes, initial=initial_fields)
    if request.method == "POST" and form.is_valid():
        if organizations is not None:
            assessment.organization = form.cleaned_data["organization"]
        assessment.notes = form.cleaned_data["notes"]
        try:
            services.save_assessment(assessment, form.ratings())
        except ValidationError as error:
            form.add_problems(error)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Saved {assessment}.")
            return redirect("partnership:assessment", access.obj.slug, assessment.pk)
    context = {"form": form, "title": title, "cancel_url": cancel_url, "rubric": rubric, "round": assessment.round}
    return render_cluster(request, access, "partnership/assessment_form.html", context,
                          status=422 if form.errors else 200)


@cluster_page
def assessment_new(request, access, round_id: int):
    round_ = pa.round_for_user(access, round_id).obj
    organizations = pa.organizations_user_rates(request.user, access)
    if not organizations.exists():
        raise PermissionDenied("Only the cluster lead, or people of a partner organization, record self-assessments.")
    assessment = SelfAssessment(round=round_, recorded_by=request.user)
    chosen = request.GET.get("organization", "")
    return _assessment_form(request, access, assessment, organizations, f"Self-assessment for {round_}",
                            _round_url(round_), initial={"organization": chosen} if chosen.isdigit() else None)


@cluster_page
def assessment_page(request, access, assessment_id: int):
    found = pa.assessment_for_user(request.user, access, assessment_id)
    assessment = found.obj
    rubric = assessment.rubric.as_rubric()
    ratings = {r.dimension: r for r in assessment.ratings.all()}
    rows = []
    for dimension in rubric.dimensions:
        rating = ratings.get(dimension.key)
        level = dimension.number(rating.level) if rating and rating.level in {lv.key for lv in dimension.levels} \
            else None
        rows.append((dimension, rating, level, dimension.label_of(level) if level else ""))
    # Partners' people change their own organization's self-assessment: not the cluster's can_change.
    context = {"assessment": assessment, "rows": rows, "can_change": found.can_change,
               "round_number": assessment.round.number}
    return render_cluster(request, access, "partnership/assessment.html", context)


@cluster_page
def assessment_edit(request, access, assessment_id: int):
    assessment = pa.assessment_for_user(request.user, access, assessment_id).require_change()
    url = reverse("partnership:assessment", args=[access.obj.slug, assessment.pk])
    return _assessment_form(request, access, assessment, None, f"Edit {assessment}", url)
