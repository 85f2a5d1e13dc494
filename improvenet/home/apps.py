from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "improvenet.home"
    label = "home"
    verbose_name = "Each person's home and the cluster menu"
