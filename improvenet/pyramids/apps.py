from django.apps import AppConfig


class PyramidsConfig(AppConfig):
    name = "improvenet.pyramids"
    label = "pyramids"
    verbose_name = "Pyramids"
