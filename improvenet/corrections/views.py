"""Pages of corrections: the cluster's withdrawn records, and the withdraw or restore form of one record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from improvenet.corrections import services
from improvenet.corrections.forms import ReasonForm
from improvenet.corrections.kinds import CANNOT_CORRECT, KINDS, kind_named
from improvenet.data.models import AuditEvent
from improvenet.pages import cluster_page, render_cluster


@cluster_page
def withdrawn_index(request, access):
    groups = []
    for kind in KINDS.values():
        records = [r for r in kind.model.with_withdrawn.filter(withdrawn_at__isnull=False).select_related(
            "withdrawn_by").order_by("-withdrawn_at")]
        groups.append({"kind": kind, "records": [(record, kind.page(access.obj, record)) for record in records]})
    return render_cluster(request, access, "corrections/index.html", {"groups": groups})


@cluster_page
def correct(request, access, kind: str, record_id: int):
    """The record's correction: withdraw it (when it counts) or restore it (when withdrawn), with a reason."""
    found_kind = kind_named(kind)
    found = found_kind.find(request.user, access, record_id)
    record = found.obj
    if request.method == "POST" and not found.can_change:
        raise PermissionDenied(CANNOT_CORRECT)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        act = services.restore if record.is_withdrawn else services.withdraw
        try:
            act(found_kind, record, request.user, access, form.cleaned_data["reason"], AuditEvent.Channel.WEB)
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error("reason", message)
        else:
            messages.success(request, f"{found_kind.label.capitalize()} "
                                      f"{'withdrawn' if record.is_withdrawn else 'restored'}.")
            return redirect(reverse("corrections:correct", args=[access.obj.slug, kind, record.pk]))
    context = {"kind": found_kind, "record": record, "record_url": found_kind.page(access.obj, record), "form": form,
               "history": services.history(found_kind, record), "can_correct": found.can_change}
    return render_cluster(request, access, "corrections/correct.html", context, status=422 if form.errors else 200)
