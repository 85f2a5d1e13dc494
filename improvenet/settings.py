"""Django settings, read from the environment through improvenet.conf (see docs/settings.md)."""

from pathlib import Path

import dj_database_url

from improvenet import conf

PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = conf.secret_key()
DEBUG = conf.flag("IMPROVENET_DEBUG")
DEMO_MODE = conf.flag("IMPROVENET_DEMO")
ALLOWED_HOSTS = conf.items("IMPROVENET_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = conf.items("IMPROVENET_CSRF_TRUSTED_ORIGINS")
# Browser hardening (docs/security.md): SecurityMiddleware sends nosniff and the referrer policy,
# XFrameOptionsMiddleware the frame denial, improvenet.security.SecurityHeaders the CSP and HSTS.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = conf.secure_cookies()
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
IMPROVENET_HSTS_SECONDS = conf.hsts_seconds()
IMPROVENET_DECISION_REOPEN_DAYS = conf.whole_days("IMPROVENET_DECISION_REOPEN_DAYS")

INSTALLED_APPS = [
    "improvenet.apps.ImprovenetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API's Swagger UI from its own static files instead of a CDN, as the CSP requires.
    "ninja",
    "improvenet.accounts",
    "improvenet.signin",
    "improvenet.network",
    "improvenet.design",
    "improvenet.measures",
    "improvenet.cycles",
    "improvenet.learning",
    "improvenet.convenings",
    "improvenet.search",
    "improvenet.sharing",
    "improvenet.archive",
    "improvenet.data",
    "improvenet.engagement",
    "improvenet.families",
    "improvenet.governance",
    "improvenet.partners",
    "improvenet.induction",
    "improvenet.partnership",
    "improvenet.pyramids",
    "improvenet.studies",
    "improvenet.home",
    "improvenet.corrections",
    "improvenet.notifications",
    "improvenet.pilots",
]

MIDDLEWARE = [
    # The browser-hardening headers first, so that static files and every refusal carry them too.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "improvenet.security.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions signed out everywhere or idle too long (docs/sign-in.md); needs the user and messages.
    "improvenet.signin.middleware.SessionGuard",
    # Last, so that it wraps the view alone, after the checks of the middleware above.
    "improvenet.middleware.AtomicWrites",
]

ROOT_URLCONF = "improvenet.urls"
WSGI_APPLICATION = "improvenet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "improvenet.context_processors.site",
            ],
        },
    },
]

try:
    DATABASES = {"default": dj_database_url.parse(conf.database_url(), conn_max_age=60)}
except ValueError as error:
    raise conf.ConfigurationError(
        f"IMPROVENET_DATABASE_URL is not a database address improvenet understands ({error}); "
        "use sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/NAME."
    ) from error
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when their transaction begins and wait for it up to the timeout (seconds);
        # readers, outside transactions (improvenet.middleware.AtomicWrites), never wait for a writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Every request that may write is one transaction (improvenet.middleware.AtomicWrites), so a failed
# write never leaves half its data behind.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "signin:login"
LOGIN_REDIRECT_URL = "home:mine"
LOGOUT_REDIRECT_URL = "signin:login"
# Passwords are checked behind the sign-in guard (lock-outs, passwords off with single sign-on: docs/sign-in.md).
AUTHENTICATION_BACKENDS = ["improvenet.signin.backends.GuardedPasswordBackend"]
SIGNIN_OIDC = conf.oidc_settings()
SIGNIN_SSO_ONLY = conf.flag("IMPROVENET_SSO_ONLY")
SIGNIN_IDLE_TIMEOUT = 60 * conf.whole_number("IMPROVENET_IDLE_TIMEOUT_MINUTES")  # seconds; 0: no timeout

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = conf.read("IMPROVENET_TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the package's static folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Mail: SMTP configured from the environment (conf.email_settings, docs/settings.md); with no
# IMPROVENET_EMAIL_HOST the backend stays SMTP without a host, and `improvenet reminders send` refuses.
globals().update(conf.email_settings())
IMPROVENET_INVITATION_DAYS = conf.invitation_days()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404) is logged in one line, without the traceback of its exception.
    "filters": {"refusals_in_one_line": {"()": "improvenet.lib.logfilters.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}},
    "root": {"handlers": ["console"], "level": conf.read("IMPROVENET_LOG_LEVEL") or "INFO"},
    # WeasyPrint narrates every step of every PDF at INFO; its warnings (a refused fetch) still show.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The public family pages' rate limits, per client address and per cluster: ((requests, seconds) of one
# address, of all addresses together), counted in the database so every server process shares them.
FAMILY_RATE_LIMITS = {
    "opt-out": (conf.rate("IMPROVENET_RATE_OPT_OUT"), conf.rate("IMPROVENET_RATE_OPT_OUT_CLUSTER")),
    "pages": (conf.rate("IMPROVENET_RATE_FAMILY_PAGES"), conf.rate("IMPROVENET_RATE_FAMILY_PAGES_CLUSTER")),
}
# Form fields and JSON bodies over 2 MB are refused; an uploaded file over 1 MB is spooled to a temporary
# file, so no upload sits in memory whole. Each kind of upload has its own limit on top (docs/measures.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
