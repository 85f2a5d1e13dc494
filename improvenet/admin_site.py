"""Django's admin, open to network admins only, reading across clusters on purpose."""

from functools import wraps

from django.contrib import admin
from django_scopes import scopes_disabled


class NetworkAdminSite(admin.AdminSite):
    site_header = "improvenet administration"
    site_title = "improvenet admin"
    index_title = "Network administration"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.administered_networks.exists())

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def unscoped(request, *args, **kwargs):
            with scopes_disabled():
                return guarded(request, *args, **kwargs)

        return unscoped
