from django.contrib import admin
from django.urls import include, path

from improvenet.api import api

urlpatterns = [
    path("", include("improvenet.network.urls")),
    path("", include("improvenet.design.urls")),
    path("", include("improvenet.measures.urls")),
    path("", include("improvenet.cycles.urls")),
    path("", include("improvenet.learning.urls")),
    path("", include("improvenet.convenings.urls")),
    path("", include("improvenet.search.urls")),
    path("", include("improvenet.sharing.urls")),
    path("", include("improvenet.archive.urls")),
    path("", include("improvenet.data.urls")),
    path("accounts/", include("improvenet.accounts.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
