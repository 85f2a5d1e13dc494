from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "improvenet.network"
    verbose_name = "Network, clusters, schools and teams"
