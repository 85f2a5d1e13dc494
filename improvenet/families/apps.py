from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "improvenet.families"
    label = "families"
    verbose_name = "Families"
    # The family pages are public and translated: /families/... in English, /es/families/... in Spanish.
    translated_urls = True
