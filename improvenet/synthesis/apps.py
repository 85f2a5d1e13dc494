from django.apps import AppConfig


class SynthesisConfig(AppConfig):
    name = "improvenet.synthesis"
    label = "synthesis"
    verbose_name = "Evidence across sites"

    def ready(self) -> None:
        from improvenet.synthesis.services import register_sources

        register_sources()
