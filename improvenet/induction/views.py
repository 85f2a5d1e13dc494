"""Pages of teacher induction: the outcomes for everyone in the cluster, the records for its lead."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from improvenet.induction import access as ind_access
from improvenet.induction.forms import FORMS, RosterForm
from improvenet.induction.models import Cohort, Induction, Mentor, NewTeacher
from improvenet.induction.outcomes import cluster_outcomes, curve_spec
from improvenet.induction.roster import COLUMNS, import_roster
from improvenet.pages import cluster_page, day_asked, render_cluster, save_form


def as_of_date(request) -> tuple[datetime.date, str]:
    """The as-of date asked for (`?as_of=`, today when left out) and a message when it is not a date. A future
    day gives today: a teacher still employed would count as followed until then, overstating retention."""
    day, problem = day_asked(request, "as_of")
    return min(day, timezone.localdate()), problem


@cluster_page
def outcomes_page(request, access):
    as_of, problem = as_of_date(request)
    outcomes = cluster_outcomes(as_of)
    context = {
        "outcomes": outcomes, "problem": problem,
        "cohort_spec": curve_spec(outcomes.cohort_curves, "Retention by induction cohort"),
        "comparison_spec": curve_spec(outcomes.comparison, "Inducted and other new teachers"),
    }
    return render_cluster(request, access, "induction/outcomes.html", context)


@cluster_page
def records_page(request, access):
    ind_access.require_records(access)
    context = {
        "cohorts": Cohort.objects.all(),
        "mentors": Mentor.objects.select_related("person", "school"),
        "inductions": Induction.objects.select_related("person", "cohort", "school", "mentor__person",
                                                        "new_teacher", "placement"),
        "others": NewTeacher.objects.filter(induction__isnull=True).select_related("first_school"),
    }
    return render_cluster(request, access, "induction/records.html", context)


@cluster_page
def cohort_page(request, access, cohort_id: int):
    cohort = ind_access.cohort_for_user(access, cohort_id).obj
    inductions = cohort.inductions.select_related("person", "school", "mentor__person").prefetch_related("progress")
    context = {"cohort": cohort, "milestones": cohort.milestones.all(), "inductions": inductions}
    return render_cluster(request, access, "induction/cohort.html", context)


@cluster_page
def induction_page(request, access, induction_id: int):
    induction = ind_access.induction_for_user(access, induction_id).obj
    done = {p.milestone_id: p for p in induction.progress.all()}
    plan = [(milestone, done.get(milestone.pk)) for milestone in induction.cohort.milestones.all()]
    context = {"induction": induction, "plan": plan, "logs": induction.logs.select_related("mentor__person"),
               "placement": getattr(induction, "placement", None)}
    return render_cluster(request, access, "induction/induction.html", context)


def _next_url(cluster, record) -> str:
    """The induction's page for records about one teacher, the cohort's for a plan, else the records page."""
    slug = cluster.slug
    if isinstance(record, Induction) or hasattr(record, "induction_id"):
        return reverse("induction:induction", args=[slug, getattr(record, "induction_id", record.pk)])
    if isinstance(record, Cohort) or hasattr(record, "cohort_id"):
        return reverse("induction:cohort", args=[slug, getattr(record, "cohort_id", record.pk)])
    return reverse("induction:records", args=[slug])


@cluster_page
def record_new(request, access, kind: str):
    record_kind = ind_access.kind_or_404(kind)
    cluster = ind_access.require_records(access).require_change()
    initial = {key: value for key, value in request.GET.items() if key in FORMS[kind].base_fields}
    form = FORMS[kind](request.POST or None, instance=record_kind.model(cluster=cluster), initial=initial)
    return save_form(request, form, title=f"Add a {record_kind.label}",
                      cancel_url=reverse("induction:records", args=[cluster.slug]),
                      next_url=lambda record: _next_url(cluster, record))


@cluster_page
def record_edit(request, access, kind: str, record_id: int):
    record = ind_access.record_for_user(access, kind, record_id).require_change()
    url = _next_url(access.obj, record)
    form = FORMS[kind](request.POST or None, instance=record)
    return save_form(request, form, title=f"Edit {record}",
                      cancel_url=url, next_url=lambda r: url)


@cluster_page
def roster_import(request, access):
    """All-or-nothing import of the district's new-teacher roster (improvenet.induction.roster)."""
    cluster = ind_access.require_records(access).require_change()
    form = RosterForm(request.POST, request.FILES) if request.method == "POST" else RosterForm()
    report = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            report = import_roster(cluster, form.cleaned_data["file"].read())
        if report.ok:
            messages.success(request, report.summary)
            return redirect("induction:records", cluster.slug)
    status = 422 if form.errors or (report and not report.ok) else 200
    context = {"form": form, "report": report, "columns": COLUMNS}
    return render_cluster(request, access, "induction/roster.html", context, status=status)
