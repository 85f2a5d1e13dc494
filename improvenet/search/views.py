"""Search pages: one cluster's records, or every cluster the user may read. Live results through htmx."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_scopes import scope

from improvenet.network.access import visible_clusters
from improvenet.pages import cluster_page, render_cluster
from improvenet.search.forms import SearchForm
from improvenet.search.results import find


def _page_number(request) -> int:
    number = request.GET.get("page", "")
    # isdigit() alone accepts "²"; a page past 10,000 is no page a person reads.
    if not (number.isascii() and number.isdigit()) or len(number) > 5:
        return 1
    return min(max(int(number), 1), 10_000)


def _results(request, form: SearchForm) -> tuple[str, dict]:
    """The template and context of a search: the whole page, or only the results for htmx."""
    page = find(form.filters(), _page_number(request)) if form.is_valid() else None
    template = "search/_results.html" if request.headers.get("HX-Request") == "true" else "search/search.html"
    query = request.GET.copy()
    query.pop("page", None)
    return template, {"form": form, "page": page, "query": query.urlencode()}


@cluster_page
def cluster_search(request, access):
    template, context = _results(request, SearchForm(request.GET or None))
    return render_cluster(request, access, template, context)


@login_required
def network_search(request):
    clusters = visible_clusters(request.user)
    with scope(cluster=list(clusters)):
        template, context = _results(request, SearchForm(request.GET or None, clusters=clusters))
        return render(request, template, {"clusters": clusters, **context})
