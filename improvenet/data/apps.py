from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "improvenet.data"
    label = "data"
    verbose_name = "Longitudinal data"
