from django.apps import AppConfig


class ConveningsConfig(AppConfig):
    name = "improvenet.convenings"
    label = "convenings"
    verbose_name = "Convenings"
