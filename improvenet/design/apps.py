from django.apps import AppConfig


class DesignConfig(AppConfig):
    name = "improvenet.design"
    verbose_name = "Shared design: challenges, aims, driver diagrams, innovations"
