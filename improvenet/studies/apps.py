from django.apps import AppConfig


class StudiesConfig(AppConfig):
    name = "improvenet.studies"
    label = "studies"
    verbose_name = "Studies"

    def ready(self) -> None:
        from improvenet.studies.ledger import SOURCE, study_estimates
        from improvenet.synthesis.sources import register_estimate_source

        register_estimate_source(SOURCE, study_estimates)
