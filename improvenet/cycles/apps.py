from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "improvenet.cycles"
    verbose_name = "PDSA cycles"
