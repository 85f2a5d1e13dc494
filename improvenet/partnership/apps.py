from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "improvenet.partnership"
    label = "partnership"
    verbose_name = "Partnership health"
