from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "improvenet.archive"
    label = "archive"
    verbose_name = "Open archive"
