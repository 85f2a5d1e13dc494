from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "improvenet.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits' counters"
