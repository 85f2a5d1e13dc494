from django.apps import AppConfig


class InductionConfig(AppConfig):
    name = "improvenet.induction"
    label = "induction"
    verbose_name = "Induction"
