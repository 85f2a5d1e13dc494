from django.contrib import admin

from improvenet.network import models


@admin.register(models.Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ended_on"]
    filter_horizontal = ["admins"]


@admin.register(models.Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "status", "region", "shares_with_network", "ended_on"]
    list_filter = ["network", "status"]


@admin.register(models.ClusterRole)
class ClusterRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "cluster", "role"]
    list_filter = ["cluster", "role"]


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cluster", "ended_on"]
    list_filter = ["cluster", "kind"]
    search_fields = ["name"]


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "role", "feeds_into", "cluster", "nces_id"]
    list_select_related = ["feeds_into", "cluster"]  # the nullable feeds_into is not joined by default: N+1
    list_filter = ["cluster", "level", "role"]
    search_fields = ["name", "nces_id", "state_id"]
    exclude = ["kind"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "title", "cluster", "ended_on"]
    list_filter = ["cluster"]
    search_fields = ["family_name", "given_name", "email"]


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cluster", "school", "ended_on"]
    list_filter = ["cluster", "kind"]
    inlines = [MembershipInline]
