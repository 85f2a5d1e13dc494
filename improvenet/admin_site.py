"""Django's admin: the platform operator's tool, reading across networks and clusters on purpose.

Because it sees every cluster, it is open only to superusers (the demo's `admin` is one); network
admins who are not superusers run their network through the pages and the HTTP API, where the
access rules of improvenet.network.access apply.
"""

from functools import wraps

from django.contrib import admin
from django_scopes import scopes_disabled


class NetworkAdminSite(admin.AdminSite):
    site_header = "improvenet administration"
    site_title = "improvenet admin"
    index_title = "Network administration"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_superuser)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def unscoped(request, *args, **kwargs):
            with scopes_disabled():
                response = guarded(request, *args, **kwargs)
                # The admin's pages render after the view returns, and their forms query then (an inline
                # formset's blank form): rendered here, they still read across clusters.
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return unscoped
