"""Pages of product pilots: the products and pilots of a cluster, a pilot's stages, its usage and its report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from improvenet.measures.upload import UploadFileError
from improvenet.pages import cluster_page, render_cluster, save_form
from improvenet.pilots.access import in_pilot_report, pilot_for_user, pilots_access, product_for_user
from improvenet.pilots.forms import DecideForm, PilotForm, ProductForm, UsageUploadForm, stage_form
from improvenet.pilots.models import Pilot, Product
from improvenet.pilots.report import pilot_report
from improvenet.pilots.services import import_usage

EXAMPLE_PER_SCHOOL = "school,week,active_students,minutes\nLincoln Elementary,2026-01-05,84,6120"
EXAMPLE_PER_STUDENT = "student,school,week,minutes\nS-1042,Lincoln Elementary,2026-01-05,75"


def _pilot_url(pilot: Pilot) -> str:
    return reverse("pilots:pilot", args=[pilot.cluster.slug, pilot.pk])


def _product_url(product: Product) -> str:
    return reverse("pilots:product", args=[product.cluster.slug, product.pk])


@cluster_page
def index(request, access):
    access = pilots_access(request.user, access)
    pilots = Pilot.objects.select_related("product", "product__company").prefetch_related("schools")
    context = {"pilots": pilots, "products": Product.objects.select_related("company", "privacy_agreement")}
    return render_cluster(request, access, "pilots/index.html", context)


@cluster_page
def product_page(request, access, product_id: int):
    access = pilots_access(request.user, access)
    product = product_for_user(access, product_id).obj
    return render_cluster(request, access, "pilots/product.html",
                          {"product": product, "pilots": product.pilots.all()})


@cluster_page
def product_new(request, access):
    access = pilots_access(request.user, access)
    access.require_change()
    form = ProductForm(request.POST or None, instance=Product(cluster=access.obj, created_by=request.user))
    return save_form(request, form, title="Add a product", cancel_url=reverse("pilots:index", args=[access.obj.slug]),
                     next_url=_product_url)


@cluster_page
def product_edit(request, access, product_id: int):
    product = product_for_user(pilots_access(request.user, access), product_id).require_change()
    form = ProductForm(request.POST or None, instance=product)
    return save_form(request, form, title=f"Edit {product}", cancel_url=_product_url(product), next_url=_product_url)


@cluster_page
def pilot_new(request, access):
    access = pilots_access(request.user, access)
    access.require_change()
    pilot = Pilot(cluster=access.obj, created_by=request.user)
    product = request.GET.get("product", "")
    form = PilotForm(request.POST or None, instance=pilot,
                     initial={"product": int(product)} if product.isdigit() else None)
    return save_form(request, form, title="Start a product pilot",
                     cancel_url=reverse("pilots:index", args=[access.obj.slug]), next_url=_pilot_url)


@cluster_page
def pilot_page(request, access, pilot_id: int):
    access = pilots_access(request.user, access)
    pilot = pilot_for_user(access, pilot_id).obj
    usage = list(pilot.usage_weeks.select_related("school"))
    context = {
        "pilot": pilot, "product": pilot.product, "stages": _stages(pilot), "step": pilot.next_step(),
        "schools": pilot.schools.order_by("name"), "usage": usage, "totals": pilot.usage_totals(),
        "uploads": pilot.uploads.select_related("uploaded_by")[:10], "moves": pilot.moves.select_related("moved_by"),
        "cost": pilot.cost_per_student(), "cost_per_tenth": pilot.cost_per_tenth_sd(),
        "decide_form": DecideForm() if pilot.stage == Pilot.Stage.DECIDE else None,
        "study_estimates": pilot.study_estimates() if pilot.stage == Pilot.Stage.ANALYZE else [],
    }
    return render_cluster(request, access, "pilots/pilot.html", context)


def _stages(pilot: Pilot) -> list[dict]:
    order = list(Pilot.Stage)
    reached = order.index(pilot.stage)
    return [{"label": stage.label, "state": "done" if index < reached else "current" if index == reached else "ahead"}
            for index, stage in enumerate(order[:-1])]


@cluster_page
def pilot_edit(request, access, pilot_id: int):
    pilot = pilot_for_user(pilots_access(request.user, access), pilot_id).require_change()
    form = stage_form(pilot, request.POST or None)
    return save_form(request, form, title=f"{pilot.get_stage_display()}: {pilot}", cancel_url=_pilot_url(pilot),
                     next_url=_pilot_url)


@require_POST
@cluster_page
def pilot_advance(request, access, pilot_id: int):
    pilot = pilot_for_user(pilots_access(request.user, access), pilot_id).require_change()
    try:
        with transaction.atomic():
            pilot.advance(request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"The pilot moved on to {pilot.get_stage_display()}.")
    return redirect(_pilot_url(pilot))


@require_POST
@cluster_page
def pilot_use_study(request, access, pilot_id: int):
    """Take a finished study's overall estimate as the pilot's effect (the Analyze stage), in one action."""
    pilot = pilot_for_user(pilots_access(request.user, access), pilot_id).require_change()
    study_id = request.POST.get("study", "")
    try:
        with transaction.atomic():
            pilot.take_study_estimate(int(study_id) if study_id.isdigit() else 0)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"The pilot's effect is now the study's estimate: {pilot.effect_size:.2f} SD "
                                  f"(standard error {pilot.effect_standard_error:.2f}).")
    return redirect(_pilot_url(pilot))


@require_POST
@cluster_page
def pilot_decide(request, access, pilot_id: int):
    pilot = pilot_for_user(pilots_access(request.user, access), pilot_id).require_change()
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                pilot.decide(data["decision"], data["decision_reason"], request.user, data["on"])
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"Decided: {pilot.get_decision_display().lower()}.")
    else:
        messages.error(request, "Choose adopt, adapt or abandon and say why.")
    return redirect(_pilot_url(pilot))


@cluster_page
def usage_upload(request, access, pilot_id: int):
    pilot = pilot_for_user(pilots_access(request.user, access), pilot_id).require_change()
    form = UsageUploadForm(request.POST or None, request.FILES or None)
    checked, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    checked, saved = import_usage(pilot, upload.file, upload.name, request.user)
            except (UploadFileError, ValidationError) as error:
                form.add_error("file", error.messages[0] if isinstance(error, ValidationError) else str(error))
            else:
                if saved is not None:
                    weeks = f"{saved.weeks} school-week{'' if saved.weeks == 1 else 's'}"
                    messages.success(request, f"Saved {weeks} of usage from {saved.filename}.")
                    return redirect(_pilot_url(pilot))
        status = 422
    context = {"pilot": pilot, "form": form, "checked": checked, "window": pilot.usage_window(),
               "example_per_school": EXAMPLE_PER_SCHOOL, "example_per_student": EXAMPLE_PER_STUDENT}
    return render_cluster(request, access, "pilots/upload.html", context, status=status)


@cluster_page(enter=in_pilot_report)
def report_page(request, access, pilot_id: int):
    """The pilot's report as its company reads it; the cluster's readers see the same page."""
    pilot = pilot_for_user(access, pilot_id).obj
    return render_cluster(request, access, "pilots/report.html", {"pilot": pilot, "report": pilot_report(pilot)})
