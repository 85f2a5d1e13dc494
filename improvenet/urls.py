"""Every app's pages, found from the installed apps (see improvenet.apps), then the API and the admin.

An app whose pages are addressed below a prefix names it as `url_prefix` on its AppConfig; one whose
pages are translated sets `translated_urls`: they are served at /… in English and /es/… in Spanish.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLResolver, include, path
from django.urls.resolvers import RoutePattern
from django.utils.translation import get_language

from improvenet.apps import app_modules
from improvenet.health import health


class ResolverOnDemand(URLResolver):
    """A namespaced include whose module is imported when it is first needed (a request below its prefix, or a
    reverse() of one of its names), not when the root's names are first read.

    Django's root resolver fills in every include's names when any name is first reversed; a namespaced
    include's names are only looked up through its namespace, so they can wait until one is.
    """

    def _populate(self) -> None:
        """Called by the root resolver: nothing to do yet."""

    def _fill(self, names: dict) -> dict:
        language_code = get_language()
        if language_code not in names:
            super()._populate()
        return names[language_code]

    @property
    def reverse_dict(self):
        return self._fill(self._reverse_dict)

    @property
    def namespace_dict(self):
        return self._fill(self._namespace_dict)

    @property
    def app_dict(self):
        return self._fill(self._app_dict)


pages = [(getattr(config, "url_prefix", ""), getattr(config, "translated_urls", False), module)
         for config, module in app_modules("urls")]

urlpatterns = [path(prefix, include(module)) for prefix, translated, module in pages if not translated]
urlpatterns += [
    path("health", health, name="health"),
    # Building the API's operations and their schemas takes about a second, which a command that only reverses a
    # page's address (`improvenet reminders`) need not wait for; `improvenet serve` builds it before serving.
    ResolverOnDemand(RoutePattern("api/", is_endpoint=False), "improvenet.api", app_name="ninja", namespace="api"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    *[path(prefix, include(module)) for prefix, translated, module in pages if translated],
    prefix_default_language=False,
)
