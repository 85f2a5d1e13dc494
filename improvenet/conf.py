"""Every environment setting improvenet reads, with its default and meaning.

This list is the single source for `improvenet.settings` and for the table in docs/settings.md;
a test fails when a setting is read anywhere without being declared and documented here.
"""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "IMPROVENET_DATABASE_URL",
        "sqlite:///<IMPROVENET_VAR_DIR>/improvenet.sqlite3",
        "Where the web database lives: a `sqlite:///PATH` file or a `postgres://USER:PASSWORD@HOST:PORT/NAME` server.",
    ),
    Setting(
        "IMPROVENET_VAR_DIR",
        "var",
        "Folder for the embedded database, the generated demo secret and other local state; "
        "relative paths are taken from the current directory.",
    ),
    Setting(
        "IMPROVENET_SECRET_KEY",
        "(none)",
        "Secret used to sign sessions and password-reset links. Required to serve outside demo mode.",
    ),
    Setting(
        "IMPROVENET_SECRET_KEY_FILE",
        "(none)",
        "Path of a file holding the secret key, instead of `IMPROVENET_SECRET_KEY` "
        "(for container secrets). Surrounding white space is ignored.",
    ),
    Setting(
        "IMPROVENET_DEMO",
        "0",
        "`1` runs in demo mode: a secret key is generated under the var folder when none is set. "
        "`make demo` turns it on. Never use it for real data.",
    ),
    Setting("IMPROVENET_DEBUG", "0", "`1` shows Django's debug pages with tracebacks. Development only."),
    Setting(
        "IMPROVENET_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names the site answers to.",
    ),
    Setting(
        "IMPROVENET_CSRF_TRUSTED_ORIGINS",
        "(empty)",
        "Comma-separated origins (`https://improve.example.org`) allowed to post forms when the site "
        "runs behind a proxy on another origin.",
    ),
    Setting(
        "IMPROVENET_SECURE_COOKIES",
        "(1 when IMPROVENET_SITE_URL is https)",
        "`1` sends session and CSRF cookies over HTTPS only; `0` lets them travel over plain HTTP too "
        "(a test server without TLS). Only needed to override what the site's address implies.",
    ),
    Setting(
        "IMPROVENET_HSTS_SECONDS",
        "0",
        "How long (seconds) browsers must reach the site over HTTPS only (the `Strict-Transport-Security` "
        "header); `0` sends no such header. Try `300` first, then a year (`31536000`): browsers keep it, "
        "so turning HTTPS off again locks people out until it expires.",
    ),
    Setting("IMPROVENET_TIME_ZONE", "UTC", "Time zone for dates shown on pages, e.g. `America/Chicago`."),
    Setting("IMPROVENET_LOG_LEVEL", "INFO", "Log level of the server: DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "IMPROVENET_ANALYTICS_STORE",
        "<IMPROVENET_VAR_DIR>/analytics",
        "The folder of the longitudinal data stores, one DuckDB file per cluster (`<cluster>.duckdb`), "
        "kept apart from the web database (docs/data.md).",
    ),
    Setting(
        "IMPROVENET_PSEUDONYM_KEY",
        "(none)",
        "Secret key for the keyed (HMAC-SHA256) pseudonyms that replace student and staff ids on load. "
        "Loading student data is refused until it, or `IMPROVENET_PSEUDONYM_KEY_FILE`, is set. "
        "Keep it outside both databases; losing it means new loads no longer match old pseudonyms.",
    ),
    Setting(
        "IMPROVENET_PSEUDONYM_KEY_FILE",
        "(none)",
        "Path of a file (owner-only permissions) holding the pseudonym key, instead of `IMPROVENET_PSEUDONYM_KEY`. "
        "Demo mode generates one under the var folder.",
    ),
    Setting(
        "IMPROVENET_ENCRYPT_IDENTIFIERS",
        "0",
        "`1` keeps direct identifiers (names, birth dates) from the loaded files, encrypted with AES-GCM under "
        "the pseudonym key. By default they are not kept at all.",
    ),
    Setting(
        "IMPROVENET_SPARK_MASTER",
        "local[2]",
        "The Apache Spark master for `--engine spark` (e.g. `spark://spark-master:7077`); see docs/metrics.md.",
    ),
    Setting(
        "IMPROVENET_EMAIL_HOST",
        "(none)",
        "The SMTP server that sends improvenet's e-mail (agreement reminders, password resets). "
        "Until it is set, `improvenet reminders send` refuses to run and says so.",
    ),
    Setting("IMPROVENET_EMAIL_PORT", "587", "The SMTP server's port: usually 587 (STARTTLS) or 465 (TLS)."),
    Setting(
        "IMPROVENET_EMAIL_SECURITY",
        "starttls",
        "How the connection to the SMTP server is protected: `starttls`, `tls` (implicit TLS, port 465) or "
        "`none` (only for a relay on the same machine).",
    ),
    Setting("IMPROVENET_EMAIL_USER", "(none)", "The SMTP account name, when the server asks for one."),
    Setting("IMPROVENET_EMAIL_PASSWORD", "(none)", "The SMTP account's password."),
    Setting(
        "IMPROVENET_EMAIL_PASSWORD_FILE",
        "(none)",
        "Path of a file holding the SMTP password, instead of `IMPROVENET_EMAIL_PASSWORD` (for container secrets).",
    ),
    Setting(
        "IMPROVENET_EMAIL_FROM",
        "improvenet@localhost",
        "The sender of improvenet's e-mail, e.g. `Riverside improvement network <improvenet@rusd.example.org>`.",
    ),
    Setting(
        "IMPROVENET_SITE_URL",
        "(none)",
        "The site's address as people open it (`https://improve.example.org`), for links in e-mails. "
        "Without it, e-mails name the pages' paths only. An `https://` address makes cookies secure.",
    ),
    Setting(
        "IMPROVENET_INVITATION_DAYS",
        "7",
        "How many days the link in an invitation e-mail works (1 to 90); sending it again starts the days "
        "anew (docs/accounts.md).",
    ),
    Setting(
        "IMPROVENET_RATE_OPT_OUT",
        "20/10min",
        "How many opt-out requests one client address may send through one cluster's family pages "
        "(`COUNT/PERIOD`, the period in `s`, `min`, `hour` or `day`, e.g. `20/hour`); beyond it the form answers "
        "429 until the period ends (docs/families.md).",
    ),
    Setting(
        "IMPROVENET_RATE_OPT_OUT_CLUSTER",
        "300/hour",
        "How many opt-out requests one cluster's family pages accept from all addresses together.",
    ),
    Setting(
        "IMPROVENET_RATE_FAMILY_PAGES",
        "600/min",
        "How many times one client address may read one cluster's public family pages (and "
        "`GET /api/families/{cluster}`).",
    ),
    Setting(
        "IMPROVENET_RATE_FAMILY_PAGES_CLUSTER",
        "6000/min",
        "How many reads of one cluster's public family pages are answered from all addresses together.",
    ),
    Setting(
        "IMPROVENET_IDLE_TIMEOUT_MINUTES",
        "0",
        "Sign a person out after this many minutes without a request from them (counted to the minute); "
        "`0` keeps sessions until the browser closes or two weeks pass (docs/sign-in.md).",
    ),
    Setting(
        "IMPROVENET_OIDC_ISSUER",
        "(none)",
        "Single sign-on: the OpenID Connect provider's issuer address, e.g. `https://accounts.google.com`; "
        "its settings are read from `<issuer>/.well-known/openid-configuration`. Unset: no single sign-on.",
    ),
    Setting("IMPROVENET_OIDC_CLIENT_ID", "(none)", "Single sign-on: the client id the provider gave improvenet."),
    Setting(
        "IMPROVENET_OIDC_CLIENT_SECRET", "(none)", "Single sign-on: the client secret the provider gave improvenet."
    ),
    Setting(
        "IMPROVENET_OIDC_CLIENT_SECRET_FILE",
        "(none)",
        "Path of a file holding the client secret, instead of `IMPROVENET_OIDC_CLIENT_SECRET` (for container secrets).",
    ),
    Setting(
        "IMPROVENET_OIDC_ALLOWED_DOMAINS",
        "(none)",
        "Comma-separated e-mail domains whose people may sign in with single sign-on (`rusd.example.org`); "
        "required with `IMPROVENET_OIDC_ISSUER`.",
    ),
    Setting(
        "IMPROVENET_OIDC_BUTTON_LABEL",
        "Sign in with your district account",
        "The single sign-on button's text on the sign-in page, e.g. `Sign in with Google`.",
    ),
    Setting(
        "IMPROVENET_SSO_ONLY",
        "0",
        "`1` turns passwords off for everyone but superusers: people sign in with single sign-on only.",
    ),
    Setting(
        "IMPROVENET_DECISION_REOPEN_DAYS",
        "14",
        "How many days after a PDSA cycle's decision its team may reopen the decision, giving a reason "
        "(docs/pdsa.md, Corrections).",
    ),
    Setting(
        "IMPROVENET_TEST_POSTGRES_URL",
        "(none)",
        "Tests only: a PostgreSQL server for `make test`. When unset, `make test` starts a throwaway "
        "server of its own.",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}

# Placeholder secret used when none is configured, so that commands which never sign anything
# (migrate, --help, tests) still work; `serve` refuses to run with it outside demo mode.
UNSET_SECRET_KEY = "improvenet-unset-secret-key"


class ConfigurationError(Exception):
    """A setting is missing or invalid; the message says which one and what to do."""


def read(name: str) -> str | None:
    """The raw value of a declared setting, or None when it is not set."""
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a declared improvenet setting")
    value = os.environ.get(name, "").strip()
    return value or None


def flag(name: str) -> bool:
    return (read(name) or "0").lower() in {"1", "true", "yes", "on"}


def items(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in (read(name) or default).split(",") if part.strip()]


def var_dir() -> Path:
    return Path(read("IMPROVENET_VAR_DIR") or "var").resolve()


def database_url() -> str:
    configured = read("IMPROVENET_DATABASE_URL")
    if configured:
        return configured
    var_dir().mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir() / 'improvenet.sqlite3'}"


def secret_key() -> str:
    """The configured secret, a generated one in demo mode, or the unset placeholder."""
    direct = read("IMPROVENET_SECRET_KEY")
    if direct:
        return direct
    path = read("IMPROVENET_SECRET_KEY_FILE")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(
                f"IMPROVENET_SECRET_KEY_FILE names {path}, which cannot be read: {error.strerror}."
            ) from error
        if not value:
            raise ConfigurationError(f"IMPROVENET_SECRET_KEY_FILE names {path}, which is empty.")
        return value
    if flag("IMPROVENET_DEMO"):
        return _demo_secret_key()
    return UNSET_SECRET_KEY


def _demo_secret_key() -> str:
    import secrets

    path = var_dir() / "demo-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


EMAIL_SECURITY = ("starttls", "tls", "none")


def email_settings() -> dict:
    """Django's mail settings from the environment; SMTP when a host is set (see docs/settings.md)."""
    port_text = read("IMPROVENET_EMAIL_PORT") or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigurationError(f"IMPROVENET_EMAIL_PORT is “{port_text}”; it must be a port number, e.g. 587.")
    security = (read("IMPROVENET_EMAIL_SECURITY") or "starttls").lower()
    if security not in EMAIL_SECURITY:
        raise ConfigurationError(
            f"IMPROVENET_EMAIL_SECURITY is “{security}”; it must be one of {', '.join(EMAIL_SECURITY)}."
        )
    password = read("IMPROVENET_EMAIL_PASSWORD") or ""
    path = read("IMPROVENET_EMAIL_PASSWORD_FILE")
    if path and not password:
        try:
            password = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(
                f"IMPROVENET_EMAIL_PASSWORD_FILE names {path}, which cannot be read: {error.strerror}."
            ) from error
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": read("IMPROVENET_EMAIL_HOST") or "",
        "EMAIL_PORT": int(port_text),
        "EMAIL_USE_TLS": security == "starttls",
        "EMAIL_USE_SSL": security == "tls",
        "EMAIL_HOST_USER": read("IMPROVENET_EMAIL_USER") or "",
        "EMAIL_HOST_PASSWORD": password,
        # A scheduler's run must not hang on an unreachable server.
        "EMAIL_TIMEOUT": 30,
        "DEFAULT_FROM_EMAIL": read("IMPROVENET_EMAIL_FROM") or "improvenet@localhost",
        "SERVER_EMAIL": read("IMPROVENET_EMAIL_FROM") or "improvenet@localhost",
        "IMPROVENET_SITE_URL": (read("IMPROVENET_SITE_URL") or "").rstrip("/"),
    }


def secure_cookies() -> bool:
    """Cookies travel over HTTPS only when the site's address is https, unless said otherwise."""
    if read("IMPROVENET_SECURE_COOKIES") is not None:
        return flag("IMPROVENET_SECURE_COOKIES")
    return (read("IMPROVENET_SITE_URL") or "").lower().startswith("https://")


def whole_number(name: str, unit: str, low: int = 0, high: int | None = None) -> int:
    """A declared setting that counts something in `unit` (days, minutes, seconds), from `low` to `high`
    (no upper bound when None); a missing setting takes its declared default."""
    text = (read(name) or _BY_NAME[name].default).strip()
    allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        raise ConfigurationError(
            f"{name} is “{text}”; it must be a whole number of {unit} {allowed}, e.g. {_BY_NAME[name].default}."
        )
    return int(text)


MIN_SECRET_LENGTH = 32


def ensure_secret_for_serving() -> None:
    """Refuse to serve real traffic with no secret, the placeholder one, or a guessable one."""
    secret = secret_key()
    if secret != UNSET_SECRET_KEY and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"The secret key is {len(secret)} characters long; use at least {MIN_SECRET_LENGTH} random "
            "characters (for example `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    if secret == UNSET_SECRET_KEY:
        raise ConfigurationError(
            "No secret key is set, and the server will not start without one outside demo mode. "
            "Set IMPROVENET_SECRET_KEY to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or "
            "IMPROVENET_SECRET_KEY_FILE to a file that holds it. "
            "To try improvenet with demo data, run `make demo` instead."
        )


def oidc_settings() -> dict | None:
    """Single sign-on's settings (docs/sign-in.md), or None when no provider is configured."""
    issuer = (read("IMPROVENET_OIDC_ISSUER") or "").rstrip("/")
    if flag("IMPROVENET_SSO_ONLY") and not issuer:
        raise ConfigurationError(
            "IMPROVENET_SSO_ONLY is on but IMPROVENET_OIDC_ISSUER is not set: nobody but a superuser could sign in. "
            "Set the provider's issuer, or turn IMPROVENET_SSO_ONLY off."
        )
    if not issuer:
        return None
    secret = read("IMPROVENET_OIDC_CLIENT_SECRET") or ""
    path = read("IMPROVENET_OIDC_CLIENT_SECRET_FILE")
    if path and not secret:
        try:
            secret = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(
                f"IMPROVENET_OIDC_CLIENT_SECRET_FILE names {path}, which cannot be read: {error.strerror}."
            ) from error
    domains = [domain.lower().lstrip("@") for domain in items("IMPROVENET_OIDC_ALLOWED_DOMAINS")]
    missing = [name for name, value in (("IMPROVENET_OIDC_CLIENT_ID", read("IMPROVENET_OIDC_CLIENT_ID")),
                                        ("IMPROVENET_OIDC_CLIENT_SECRET", secret),
                                        ("IMPROVENET_OIDC_ALLOWED_DOMAINS", domains)) if not value]
    if missing:
        raise ConfigurationError(
            f"IMPROVENET_OIDC_ISSUER is set but {', '.join(missing)} is not: single sign-on needs the client id and "
            "secret the provider gave improvenet, and the e-mail domains allowed to sign in (docs/sign-in.md)."
        )
    return {
        "issuer": issuer,
        "client_id": read("IMPROVENET_OIDC_CLIENT_ID"),
        "client_secret": secret,
        "allowed_domains": domains,
        "button_label": read("IMPROVENET_OIDC_BUTTON_LABEL") or _BY_NAME["IMPROVENET_OIDC_BUTTON_LABEL"].default,
    }


RATE_PERIODS = {"s": 1, "min": 60, "hour": 3600, "day": 86400}


def rate(name: str) -> tuple[int, int]:
    """A declared rate limit, `COUNT/PERIOD` (`20/hour`, `10/10min`), as (requests, seconds)."""
    text = read(name) or _BY_NAME[name].default
    count, _, period = text.replace(" ", "").lower().partition("/")
    unit = period.lstrip("0123456789")
    times = period[: len(period) - len(unit)] or "1"
    if not count.isdigit() or int(count) < 1 or unit not in RATE_PERIODS or int(times) < 1:
        raise ConfigurationError(
            f"{name} is “{text}”; write it as COUNT/PERIOD with a period in {', '.join(RATE_PERIODS)}, "
            "for example 20/hour or 10/10min."
        )
    return int(count), int(times) * RATE_PERIODS[unit]
