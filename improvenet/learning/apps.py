from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "improvenet.learning"
    label = "learning"
    verbose_name = "Learning across the network"
