from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "improvenet.pilots"
    label = "pilots"
    verbose_name = "Product pilots"

    def ready(self) -> None:
        from improvenet.pilots.estimates import SOURCE, finished_pilot_estimates
        from improvenet.synthesis.sources import register_estimate_source

        register_estimate_source(SOURCE, finished_pilot_estimates)
