from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "improvenet.sharing"
    label = "sharing"
    verbose_name = "Sharing"
