from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "improvenet.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from improvenet.search.index import connect_signals

        connect_signals()
