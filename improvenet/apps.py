from django.contrib.admin.apps import AdminConfig


class ImprovenetAdminConfig(AdminConfig):
    default_site = "improvenet.admin_site.NetworkAdminSite"
