from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "improvenet.signin"
    verbose_name = "Sign-in"
    # The sign-in pages keep the addresses they had in the accounts app (/accounts/login/).
    url_prefix = "accounts/"
    # In English at /accounts/…, in Spanish at /es/accounts/… (the password reset e-mail follows the page).
    translated_urls = True

    def ready(self) -> None:
        from improvenet.signin import signals  # noqa: F401 (connects the sign-in log to Django's signals)
