from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "improvenet.partners"
    label = "partners"
    verbose_name = "Partners"
