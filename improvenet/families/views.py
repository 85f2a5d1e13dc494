"""The public family pages (in the family's language) and the staff pages behind them.

Public: a cluster's family page listing its schools, and each school's page with the opt-out request
form; both 404 until the cluster's lead publishes them, and 429 to a client over a rate limit. Staff:
the family pages setting (read by the cluster, changed by its lead) and the data team's list of
opt-out requests, under the data pages.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from improvenet.data import services as data_services
from improvenet.data.models import AuditEvent
from improvenet.families import access as fam_access
from improvenet.families import services
from improvenet.families.forms import ConfirmRequestForm, FamilyPagesForm, NotMatchedForm, OptOutRequestForm
from improvenet.families.models import OptOutRequest
from improvenet.network.models import School
from improvenet.pages import cluster_page, languages, posted, render_cluster, save_form

ROLE_ORDER = [School.Role.INNOVATION, School.Role.AT_LARGE, School.Role.FEEDER, School.Role.COMPARISON]


# Public pages ------------------------------------------------------------------------------------


def _public(request, template: str, context: dict, status: int = 200):
    # base.html writes <html lang> from LANGUAGE_CODE: given here so the family pages name their language.
    page = {"LANGUAGE_CODE": get_language(), "languages": languages(request), **context}
    return render(request, f"families/{template}", page, status=status)


def _over_limit(request, found, kind: str):
    """The 429 page when this request is over one of the public pages' rate limits, else None."""
    refused = services.refusal(request, found, kind)
    if refused is None:
        return None
    response = _public(request, "limited.html", {"cluster": found, "settings": found.family_pages,
                                                 "refusal": refused}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    # One client's refusal: no cache between it and the site may hand it to another.
    add_never_cache_headers(response)
    return response


def cluster_home(request, cluster: str):
    with fam_access.published_cluster(cluster) as found:
        if refused := _over_limit(request, found, services.PAGES):
            return refused
        schools = list(fam_access.family_schools())
        roles = sorted({school.role for school in schools}, key=ROLE_ORDER.index)
        return _public(request, "cluster.html", {
            "cluster": found, "settings": found.family_pages, "roles": roles,
            "schools_by_role": [(role, [s for s in schools if s.role == role]) for role in roles],
        })


# Never cached: the answer carries the reference, or the student's id and date of birth sent back with an error.
# Left out of error reports (mailed to admins, or logged) should the page ever fail: they identify a student.
@never_cache
@sensitive_post_parameters("student_id", "date_of_birth", "guardian_name", "contact")
def school_page(request, cluster: str, school: int):
    with fam_access.published_cluster(cluster) as found:
        if refused := _over_limit(request, found, services.OPT_OUT if request.method == "POST" else services.PAGES):
            return refused
        page_school = fam_access.family_school(found, school)
        form = OptOutRequestForm(posted(request), school=page_school)
        context = {"cluster": found, "school": page_school, "settings": found.family_pages}
        if request.method == "POST" and form.is_valid():
            reference = services.receive(found, form.cleaned_data, get_language(), spam=form.is_spam)
            return _public(request, "received.html", {**context, "reference": reference})
        return _public(request, "school.html", {**context, "form": form}, 422 if form.errors else 200)


# Staff: the family pages setting -----------------------------------------------------------------


@cluster_page
def settings_page(request, access):
    context = {"settings": fam_access.settings_for(access), "schools": fam_access.family_schools(),
               "may_handle_requests": fam_access.may_handle_requests(request.user, access)}
    return render_cluster(request, access, "families/settings.html", context)


@cluster_page
def settings_edit(request, access):
    access.require_change()
    form = FamilyPagesForm(request.POST or None, instance=fam_access.settings_for(access))
    return save_form(
        request, form, title=f"Family pages of {access.obj}", cancel_url=reverse("families:settings",
                                                                                 args=[access.obj.slug]),
        next_url=lambda record: reverse("families:settings", args=[access.obj.slug]), context={
            "submit_label": "Save the family pages setting",
            "intro": "Published family pages are public: anyone may read them and send an opt-out request. They "
                     "carry no personal data; give an office, not a person, for questions.",
        },
    )


# Staff: the data team's opt-out requests ---------------------------------------------------------


@cluster_page
def request_list(request, access):
    fam_access.require_requests(request.user, access)
    requests = OptOutRequest.objects.select_related("school", "resolved_by")
    return render_cluster(request, access, "families/requests.html", {
        "pending": requests.filter(status=OptOutRequest.Status.PENDING).order_by("submitted_at"),
        "handled": requests.exclude(status=OptOutRequest.Status.PENDING)[:100],
    })


def _request_page(request, access, record, *, confirm_form=None, not_matched_form=None, status=200):
    problem = None
    if request.method == "POST" and not record.is_pending:
        problem = f"Request {record.reference} was already handled ({record.get_status_display()}); nothing changed."
    return render_cluster(request, access, "families/request.html", {
        "record": record, "problem": problem,
        "confirm_form": confirm_form or ConfirmRequestForm(), "not_matched_form": not_matched_form or NotMatchedForm(),
    }, status=status)


@cluster_page
def request_detail(request, access, pk: int):
    return _request_page(request, access, fam_access.request_for_user(request.user, access, pk).obj)


@cluster_page
@require_POST
def request_confirm(request, access, pk: int):
    record = fam_access.request_for_user(request.user, access, pk).obj
    form = ConfirmRequestForm(request.POST)
    if form.is_valid():
        try:
            removed = services.confirm(request.user, access, record, channel=AuditEvent.Channel.WEB,
                                       note=form.cleaned_data["note"])
        except (data_services.DataSetupError, ValidationError) as problem:
            form.add_error(None, " ".join(getattr(problem, "messages", [str(problem)])))
        else:
            messages.success(request, f"Request {record.reference} confirmed: {removed} rows of the student were "
                                      "removed from the store, and later loads leave the student out.")
            return redirect("families:requests", access.obj.slug)
    return _request_page(request, access, record, confirm_form=form, status=422)


@cluster_page
@require_POST
def request_not_matched(request, access, pk: int):
    record = fam_access.request_for_user(request.user, access, pk).obj
    form = NotMatchedForm(request.POST)
    if form.is_valid():
        try:
            record.mark_not_matched(request.user, form.cleaned_data["note"])
        except ValidationError as problem:
            form.add_error(None, " ".join(problem.messages))
        else:
            messages.success(request, f"Request {record.reference} marked as not matched.")
            return redirect("families:requests", access.obj.slug)
    return _request_page(request, access, record, not_matched_form=form, status=422)
