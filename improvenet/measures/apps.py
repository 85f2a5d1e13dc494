from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "improvenet.measures"
    verbose_name = "Measures and their data"
