from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "improvenet.search"
    label = "search"
    verbose_name = "Search"
