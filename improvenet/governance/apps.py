from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "improvenet.governance"
    label = "governance"
    verbose_name = "Governance"
