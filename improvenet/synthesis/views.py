"""Pages of the evidence ledger: per change idea and innovation, its estimates, their pooling and forest plot."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify

from improvenet.data import services as data_services
from improvenet.design.access import change_idea_for_user, innovation_for_user
from improvenet.design.models import ChangeIdea, Innovation
from improvenet.measures.upload import UploadFileError, read_table
from improvenet.network.access import member_of_cluster
from improvenet.network.models import current_on
from improvenet.pages import cluster_page, render_cluster, save_form
from improvenet.pilots.access import product_for_user
from improvenet.pilots.models import Product
from improvenet.spc.vega import to_pdf, to_svg
from improvenet.synthesis import services, store
from improvenet.synthesis.forms import (
    ComputedEstimatesForm,
    ExternalStudyForm,
    SchoolEstimateForm,
    StudiesUploadForm,
    chosen_schools,
)
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate

KINDS = {"change_idea": ("change idea", change_idea_for_user), "innovation": ("innovation", innovation_for_user),
         "product": ("product", product_for_user)}
URL_NAMES = {"change_idea": "synthesis:idea", "innovation": "synthesis:innovation", "product": "synthesis:product"}
DOWNLOADS = {"svg": "image/svg+xml", "pdf": "application/pdf"}


def _subject(access, kind: str, subject_id: int):
    return KINDS[kind][1](access, subject_id).obj


def ledger_url(kind: str, subject) -> str:
    return reverse(URL_NAMES[kind], args=[subject.cluster.slug, subject.pk])


def _method(request) -> str:
    method = request.GET.get("method", "REML")
    return method if method in services.RANDOM_METHODS else "REML"


@cluster_page
def ledger_index(request, access):
    ideas = list(ChangeIdea.objects.filter(current_on()).order_by("title"))
    innovations = list(Innovation.objects.filter(current_on()).order_by("name"))
    products = list(Product.objects.filter(current_on()).order_by("name", "version"))
    rows = [{"kind": kind, "kind_label": KINDS[kind][0], "subject": subject, "url": ledger_url(kind, subject),
             "ledger": services.ledger(kind, subject, access.obj, with_moderators=False)}
            for kind, subjects in (("change_idea", ideas), ("innovation", innovations), ("product", products))
            for subject in subjects]
    return render_cluster(request, access, "synthesis/index.html", {"rows": rows})


@cluster_page
def ledger_page(request, access, subject_id: int, kind: str):
    subject = _subject(access, kind, subject_id)
    method = _method(request)
    found = services.ledger(kind, subject, access.obj, method)
    with_subject = {f"{kind}_id": subject.pk}
    context = {
        "kind": kind, "kind_label": KINDS[kind][0], "subject": subject, "ledger": found, "method": method,
        "methods": [(name, services.meta.METHOD_NAMES[name]) for name in services.RANDOM_METHODS],
        "charts": [(f"forest-{p.scale}", p, p.spec(f"{subject}: effect at each site ({p.unit})"))
                   for p in found.poolings if p.random is not None],
        "studies": ExternalStudy.objects.filter(current_on(), **with_subject),
        "school_estimates": SchoolEstimate.objects.filter(current_on(), **with_subject).select_related("school"),
        "url": ledger_url(kind, subject), "can_compute": store.may_compute(request.user, access),
    }
    return render_cluster(request, access, "synthesis/ledger.html", context)


@cluster_page
def forest_download(request, access, subject_id: int, kind: str, scale: str, fmt: str):
    subject = _subject(access, kind, subject_id)
    found = services.ledger(kind, subject, access.obj, _method(request), with_moderators=False)
    pooling = next((p for p in found.poolings if p.scale == scale and p.random is not None), None)
    if pooling is None or fmt not in DOWNLOADS:
        raise Http404("This ledger has no pooled estimates on that scale.")
    spec = pooling.spec(f"{subject}: effect at each site ({pooling.unit})")
    body = to_svg(spec) if fmt == "svg" else to_pdf(spec)
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="forest-{slugify(str(subject))}-{scale}.{fmt}"'
    return response


def _new_study(access, kind: str, subject, user) -> ExternalStudy:
    return ExternalStudy(cluster=access.obj, entered_by=user, **{kind: subject})


@cluster_page
def study_new(request, access, subject_id: int, kind: str):
    access.require_change()
    subject = _subject(access, kind, subject_id)
    form = ExternalStudyForm(request.POST or None, instance=_new_study(access, kind, subject, request.user))
    url = ledger_url(kind, subject)
    return save_form(request, form, title=f"Add an external study of {subject}", cancel_url=url,
                     next_url=lambda study: url)


@cluster_page
def studies_upload(request, access, subject_id: int, kind: str):
    access.require_change()
    subject = _subject(access, kind, subject_id)
    url = ledger_url(kind, subject)
    form = StudiesUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_table(upload.file, upload.name, what="a file of studies")
        except UploadFileError as error:
            form.add_error("file", str(error))
        else:
            studies, problems = services.import_studies(
                rows, lambda: _new_study(access, kind, subject, request.user))
            if studies:
                messages.success(request, f"Added {len(studies)} external stud{'y' if len(studies) == 1 else 'ies'}.")
                return redirect(url)
    context = {"form": form, "problems": problems, "columns": services.STUDY_COLUMNS, "cancel_url": url,
               "title": f"Add external studies of {subject} from a file"}
    return render_cluster(request, access, "synthesis/upload.html", context,
                          status=422 if (form.errors or problems) else 200)


@cluster_page
def study_edit(request, access, study_id: int):
    study = member_of_cluster(ExternalStudy, access, study_id, "external study").require_change()
    url = ledger_url(study.subject_kind, study.subject)
    form = ExternalStudyForm(request.POST or None, instance=study)
    return save_form(request, form, title=f"Edit {study}", cancel_url=url, next_url=lambda saved: url)


@cluster_page
def school_estimate_new(request, access, subject_id: int, kind: str):
    access.require_change()
    subject = _subject(access, kind, subject_id)
    estimate = SchoolEstimate(cluster=access.obj, entered_by=request.user, **{kind: subject})
    form = SchoolEstimateForm(request.POST or None, instance=estimate)
    url = ledger_url(kind, subject)
    return save_form(request, form, title=f"Add a school's difference-in-differences estimate for {subject}",
                     cancel_url=url, next_url=lambda saved: url)


@cluster_page
def school_estimate_edit(request, access, estimate_id: int):
    estimate = member_of_cluster(SchoolEstimate, access, estimate_id, "school estimate").require_change()
    url = ledger_url(estimate.subject_kind, estimate.subject)
    form = SchoolEstimateForm(request.POST or None, instance=estimate)
    return save_form(request, form, title=f"Edit the estimate of {estimate}", cancel_url=url,
                     next_url=lambda saved: url)


@cluster_page
def school_estimates_from_store(request, access, subject_id: int, kind: str):
    """Each innovation school's estimate computed from the store (GET with a rate and a start year), and the
    choice of which to include (POST, computed again: the posted numbers are never trusted)."""
    try:
        store.require_compute(request.user, access)
    except PermissionDenied as refused:
        return render_cluster(request, access, "data/refused.html", {"message": str(refused)}, status=403)
    subject = _subject(access, kind, subject_id)
    url = ledger_url(kind, subject)
    form = ComputedEstimatesForm(request.POST if request.method == "POST" else (request.GET or None))
    context = {"form": form, "subject": subject, "kind_label": KINDS[kind][0], "url": url, "problems": {}}
    if form.is_bound and form.is_valid():
        metric, start_year = form.cleaned_data["metric"], form.cleaned_data["start_year"]
        try:
            estimates = store.per_school_estimates(request.user, access, metric, start_year, channel="web")
        except (ValueError, *data_services.compute_errors()) as problem:
            form.add_error(None, str(problem))
        else:
            if request.method == "POST":
                chosen, context["problems"] = chosen_schools(request.POST, estimates)
                if not context["problems"]:
                    records = store.include(chosen, cluster=access.obj, subject_kind=kind, subject=subject,
                                            metric=metric, start_year=start_year, user=request.user)
                    messages.success(request, f"Included {len(records)} computed estimate"
                                              f"{'s' if len(records) != 1 else ''} in the ledger.")
                    return redirect(url)
            context.update(estimates=estimates, metric=metric, start_year=start_year,
                           included=store.already_in_ledger(kind, subject, metric, start_year))
    failed = form.errors or context["problems"]
    return render_cluster(request, access, "synthesis/from_store.html", context, status=422 if failed else 200)
