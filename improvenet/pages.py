"""The page kit: what every app's pages share, beside the API kit (improvenet.resources).

A cluster's page is a view decorated with `cluster_page`: it is given the signed-in user's `Access`
to the cluster named in the address, inside that cluster's scope (404 for a cluster the user may not
read). It renders through `render_cluster`, which adds the cluster, the access and whether the user
may change the cluster's records. Forms are saved with `save_form` (one transaction, conflicts shown
as form errors, 422 while a problem is left) or shown with `form_page`, on the one `form.html`
template, whose problems are summarized by `_form_errors.html`, as on every other form.

    @cluster_page
    def school_list(request, access):
        return render_cluster(request, access, "network/schools.html", {"schools": cluster_schools()})
"""

import datetime
import inspect
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import timezone
from django.utils.translation import get_language, get_language_info

from improvenet.lib.errors import Conflict
from improvenet.network.access import in_cluster


def languages(request) -> list[dict]:
    """The page in each language of the site, for the language switcher (families/_languages.html)."""
    current = get_language()
    return [{"code": code, "name": get_language_info(code)["name_local"], "url": translate_url(request.path, code),
             "current": code == current} for code, _name in settings.LANGUAGES]


def cluster_page(view: Callable | None = None, *, enter: Callable = in_cluster) -> Callable:
    """Resolve the cluster named in the address for the signed-in user and open its scope.

    `enter(user, slug, ...)` is the context manager that opens it: by default the cluster's own scope;
    the sharing pages pass one that opens the network's library too (`@cluster_page(enter=...)`). It is
    given, by name, the parts of the address it takes beyond the cluster (a study's summary is entered
    with its `study_id`). It yields the access to the cluster, or the pair (access, True) for an outside
    reader of this one page, who may open it and nothing else of the cluster (a member of a cluster a
    study is shared with, a person of the company a pilot reports to). The kit then sets
    `request.reads_only_this_page`: the cluster menu is left out and the breadcrumbs lead only where
    the reader may go.
    """
    # Keyword-only parameters are the entering's own options (bound with functools.partial), not address parts.
    address_parts = [name for name, parameter in list(inspect.signature(enter).parameters.items())[2:]
                     if parameter.kind is not parameter.KEYWORD_ONLY]

    def decorate(page: Callable) -> Callable:
        @login_required
        @wraps(page)
        def within_cluster(request, cluster: str, *args, **kwargs):
            with enter(request.user, cluster, **{name: kwargs[name] for name in address_parts}) as entered:
                access, reads_only_this_page = entered if isinstance(entered, tuple) else (entered, False)
                # The kit's form pages read it to give every form the cluster's breadcrumbs.
                request.cluster_access = access
                request.reads_only_this_page = reads_only_this_page
                return page(request, access, *args, **kwargs)

        return within_cluster

    return decorate(view) if view is not None else decorate


def cluster_context(access) -> dict:
    """What every cluster page's template needs: the cluster, the access, whether the user may change it."""
    return {"cluster": access.obj, "access": access, "can_change": access.can_change}


def render_cluster(request, access, template: str, context: dict | None = None, *, status: int = 200):
    """Render a cluster's page with the cluster's common context (`cluster_context`)."""
    return render(request, template, cluster_context(access) | (context or {}), status=status)


def posted(request):
    """The form data of a post, even an empty one (an empty post is still checked and answered 422)."""
    return request.POST if request.method == "POST" else None


def form_page(request, form, *, title: str, cancel_url: str, status: int | None = None, **context):
    """The one form page: the title, the summary of problems, the fields, Save and Cancel.

    It answers 422 while the form has errors, so scripts and tests see a refusal for what it is.
    On a cluster's page the form has the cluster's common context (its breadcrumbs name the cluster);
    extra context (`intro`, `submit_label`) is passed to the template.
    """
    status = status or (422 if form.errors else 200)
    access = getattr(request, "cluster_access", None)
    common = cluster_context(access) if access is not None else {}
    page = common | {"form": form, "title": title, "cancel_url": cancel_url, **context}
    return render(request, "form.html", page, status=status)


def save_form(request, form, *, title: str, cancel_url: str, next_url: Callable, context: dict | None = None):
    """Validate and save a model form in one transaction; conflicts become form errors."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                record = form.save(commit=False)
                if hasattr(record, "check_conflicts"):
                    record.check_conflicts()
                record.save()
                form.save_m2m()
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Saved {record}.")
            return redirect(next_url(record))
    return form_page(request, form, title=title, cancel_url=cancel_url, **(context or {}))


def end_record(request, record, form, back_url: str, *, stays_in: str = "the history"):
    """End a record on the posted day (today when left out) and go back, saying what happened."""
    if not form.is_valid():
        messages.error(request, "The end date is not a valid date.")
        return redirect(back_url)
    try:
        with transaction.atomic():
            record.end(form.cleaned_data["ended_on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back_url)
    messages.success(request, f"Ended {record} on {record.ended_on:%B %-d, %Y}. It stays in {stays_in}.")
    return redirect(back_url)


def day_asked(request, name: str = "on") -> tuple[datetime.date, str]:
    """The day in the query (`?on=`; today when left out), and a message when it is not a date."""
    raw = request.GET.get(name, "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return today, f"“{raw[:20]}” is not a date: write it as YYYY-MM-DD, e.g. {today.isoformat()}. Showing today."
