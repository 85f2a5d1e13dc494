from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "improvenet.engagement"
    label = "engagement"
    verbose_name = "Engagement"
