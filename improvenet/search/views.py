"""Search pages: one cluster's records, or every cluster the user may read. Live results through htmx."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_scopes import scope

from improvenet.network.access import visible_clusters
from improvenet.pages import cluster_page
from improvenet.search.forms import SearchForm
from improvenet.search.results import find


def _page_number(request) -> int:
    number = request.GET.get("page", "")
    # isdigit() alone accepts "²"; a page past 10,000 is no page a person reads.
    if not (number.isascii() and number.isdigit()) or len(number) > 5:
        return 1
    return min(max(int(number), 1), 10_000)


def _render(request, form: SearchForm, context: dict):
    page = find(form.filters(), _page_number(request)) if form.is_valid() else None
    template = "search/_results.html" if request.headers.get("HX-Request") == "true" else "search/search.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {**context, "form": form, "page": page, "query": query.urlencode()})


@cluster_page
def cluster_search(request, access):
    return _render(request, SearchForm(request.GET or None), {"cluster": access.obj, "access": access})


@login_required
def network_search(request):
    clusters = visible_clusters(request.user)
    with scope(cluster=list(clusters)):
        form = SearchForm(request.GET or None, clusters=clusters)
        return _render(request, form, {"clusters": clusters})
