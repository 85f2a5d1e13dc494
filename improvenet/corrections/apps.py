from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "improvenet.corrections"
    label = "corrections"
    verbose_name = "Corrections"
