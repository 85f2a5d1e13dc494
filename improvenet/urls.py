"""Every app's pages, found from the installed apps (see improvenet.apps), then the API and the admin.

An app whose pages are addressed below a prefix names it as `url_prefix` on its AppConfig; one whose
pages are translated sets `translated_urls`: they are served at /… in English and /es/… in Spanish.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from improvenet.api import api
from improvenet.apps import app_modules
from improvenet.health import health

pages = [(getattr(config, "url_prefix", ""), getattr(config, "translated_urls", False), module)
         for config, module in app_modules("urls")]

urlpatterns = [path(prefix, include(module)) for prefix, translated, module in pages if not translated]
urlpatterns += [
    path("health", health, name="health"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    *[path(prefix, include(module)) for prefix, translated, module in pages if translated],
    prefix_default_language=False,
)
