from django.contrib import admin

from improvenet.signin.models import SignInEvent


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in log, for the platform operator: read-only, as it is append-only."""

    list_display = ["at", "kind", "username", "client", "method", "detail"]
    list_filter = ["kind", "method"]
    search_fields = ["username", "client"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
