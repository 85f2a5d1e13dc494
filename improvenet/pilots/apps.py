from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "improvenet.pilots"
    label = "pilots"
    verbose_name = "Product pilots"
