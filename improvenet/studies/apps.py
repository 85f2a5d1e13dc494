from django.apps import AppConfig


class StudiesConfig(AppConfig):
    name = "improvenet.studies"
    label = "studies"
    verbose_name = "Studies"
