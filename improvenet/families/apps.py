from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "improvenet.families"
    label = "families"
    verbose_name = "Families"
