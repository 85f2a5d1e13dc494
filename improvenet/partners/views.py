"""Pages of the agreement registry: the list, the expiring agreements, an agreement, its documents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from improvenet.network.forms import EndForm
from improvenet.pages import cluster_page, end_record, render_cluster, save_form
from improvenet.partners import access as partners_access
from improvenet.partners import dates, registry
from improvenet.partners.documents import attach, download_response, read_upload
from improvenet.partners.forms import AgreementForm, DocumentForm
from improvenet.partners.models import Agreement


def _url(agreement: Agreement) -> str:
    return reverse("partners:agreement", args=[agreement.cluster.slug, agreement.pk])


def window_days(text: str | None) -> int | None:
    """The number of days asked for in the address, or None when it is not a whole number from 0 to 730."""
    if text is None or text == "":
        return dates.DEFAULT_WINDOW_DAYS
    return int(text) if text.isdigit() and int(text) <= dates.MAX_WINDOW_DAYS else None


@cluster_page
def registry_page(request, access):
    today = timezone.localdate()
    entries = registry.entries(access.obj, today)
    context = {
        "today": today,
        "current": [e for e in entries if e.status not in (dates.Status.ENDED, dates.Status.EXPIRED)],
        "past": [e for e in entries if e.status in (dates.Status.ENDED, dates.Status.EXPIRED)],
        "window": dates.DEFAULT_WINDOW_DAYS,
    }
    return render_cluster(request, access, "partners/registry.html", context)


@cluster_page
def expiring_page(request, access):
    today = timezone.localdate()
    days = window_days(request.GET.get("days"))
    problem = None
    if days is None:
        problem = f"The number of days must be a whole number from 0 to {dates.MAX_WINDOW_DAYS}; showing 90 days."
        days = dates.DEFAULT_WINDOW_DAYS
    due = [(entry, deadline, deadline.days_left(today))
           for entry, deadline in registry.expiring(access.obj, today, days)]
    context = {"today": today, "days": days, "due": due, "problem": problem}
    return render_cluster(request, access, "partners/expiring.html", context, status=400 if problem else 200)


@cluster_page
def agreement_page(request, access, agreement_id: int):
    agreement = partners_access.agreement_for_user(access, agreement_id).obj
    today = timezone.localdate()
    may_read_documents = partners_access.may_read_documents(request.user, access)
    context = {
        "agreement": agreement,
        "entry": registry.agreement_entry(agreement, today), "today": today,
        "deadlines": dates.deadlines(agreement.renews_on, agreement.expires_on, agreement.ended_on, today),
        "may_read_documents": may_read_documents,
        "documents": agreement.documents.defer("content").select_related("uploaded_by") if may_read_documents else [],
        "reminders": agreement.reminders.all(),
    }
    return render_cluster(request, access, "partners/agreement.html", context)


@cluster_page
def agreement_new(request, access):
    access.require_change()
    agreement = Agreement(cluster=access.obj, created_by=request.user)
    form = AgreementForm(request.POST or None, instance=agreement)
    return save_form(request, form, title="Record an agreement",
                      cancel_url=reverse("partners:registry", args=[access.obj.slug]), next_url=_url)


@cluster_page
def agreement_edit(request, access, agreement_id: int):
    agreement = partners_access.agreement_for_user(access, agreement_id).require_change()
    form = AgreementForm(request.POST or None, instance=agreement)
    return save_form(request, form, title=f"Edit {agreement}",
                      cancel_url=_url(agreement), next_url=_url)


@require_POST
@cluster_page
def agreement_end(request, access, agreement_id: int):
    agreement = partners_access.agreement_for_user(access, agreement_id).require_change()
    return end_record(request, agreement, EndForm(request.POST), _url(agreement), stays_in="the registry")


@cluster_page
def document_new(request, access, agreement_id: int):
    agreement = partners_access.agreement_for_user(access, agreement_id).require_change()
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                document = attach(agreement, upload.name, read_upload(upload),
                                  form.cleaned_data["description"], request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, f"Attached {document.name} ({document.size:,} bytes) to {agreement}.")
            return redirect(_url(agreement))
    context = {"agreement": agreement, "form": form, "title": f"Attach a document to {agreement}",
               "cancel_url": _url(agreement)}
    return render_cluster(request, access, "partners/document_form.html", context, status=422 if form.errors else 200)


@cluster_page
def document_download(request, access, agreement_id: int, document_id: int):
    agreement = partners_access.agreement_for_user(access, agreement_id).obj
    return download_response(partners_access.document_for_user(request.user, access, agreement, document_id).obj)
