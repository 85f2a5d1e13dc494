from django.conf.urls.i18n import i18n_patterns
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
    path("", include("improvenet.engagement.urls")),
    path("", include("improvenet.governance.urls")),
    path("", include("improvenet.partners.urls")),
    path("", include("improvenet.induction.urls")),
    path("", include("improvenet.partnership.urls")),
    path("", include("improvenet.pyramids.urls")),
    path("accounts/", include("improvenet.accounts.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# The family pages are public and translated: /families/... in English, /es/families/... in Spanish.
urlpatterns += i18n_patterns(path("", include("improvenet.families.urls")), prefix_default_language=False)
