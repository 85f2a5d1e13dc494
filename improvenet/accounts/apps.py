from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "improvenet.accounts"
    verbose_name = "Accounts and API tokens"
