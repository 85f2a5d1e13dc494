"""The cluster menu in base.html: shown on every page served inside a cluster (see improvenet.pages)."""

from django import template
from django_scopes import scope

from improvenet.home.menu import cluster_menu as menu_of

register = template.Library()


@register.inclusion_tag("home/_cluster_menu.html", takes_context=True)
def cluster_menu(context) -> dict:
    request = context.get("request")
    access = getattr(request, "cluster_access", None)
    # An outside reader of one page (improvenet.pages.cluster_page) has no other page of the cluster to go to.
    if access is None or getattr(request, "reads_only_this_page", False):
        return {"menu": None}
    match = request.resolver_match
    # Error pages (403, 404) render after the view has left the cluster's scope: enter it again.
    with scope(cluster=access.obj):
        return {"menu": menu_of(request.user, access, match.namespace, match.url_name, request.path)}
