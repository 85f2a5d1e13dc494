from django.contrib import admin

from improvenet.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "shown_start", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["shown_start", "digest", "created_at", "last_used_at"]
