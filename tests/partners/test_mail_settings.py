"""The mail settings read from the environment (improvenet.conf.email_settings)."""

import pytest

from improvenet import conf

NAMES = ["HOST", "PORT", "SECURITY", "USER", "PASSWORD", "PASSWORD_FILE", "FROM"]


@pytest.fixture
def environment(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(f"IMPROVENET_EMAIL_{name}", raising=False)
    monkeypatch.delenv("IMPROVENET_SITE_URL", raising=False)
    return monkeypatch


def test_defaults_are_smtp_without_a_host(environment):
    mail = conf.email_settings()
    assert mail["EMAIL_BACKEND"].endswith("smtp.EmailBackend") and mail["EMAIL_HOST"] == ""
    assert (mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (587, True, False)
    assert mail["DEFAULT_FROM_EMAIL"] == "improvenet@localhost" and mail["EMAIL_TIMEOUT"] == 30


def test_a_configured_server(environment, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(" s3cret\n")
    environment.setenv("IMPROVENET_EMAIL_HOST", "smtp.rusd.example.org")
    environment.setenv("IMPROVENET_EMAIL_PORT", "465")
    environment.setenv("IMPROVENET_EMAIL_SECURITY", "TLS")
    environment.setenv("IMPROVENET_EMAIL_USER", "improvenet")
    environment.setenv("IMPROVENET_EMAIL_PASSWORD_FILE", str(secret))
    environment.setenv("IMPROVENET_EMAIL_FROM", "Riverside <improvenet@rusd.example.org>")
    environment.setenv("IMPROVENET_SITE_URL", "https://improve.rusd.example.org/")
    mail = conf.email_settings()
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_SSL"], mail["EMAIL_USE_TLS"]) == (
        "smtp.rusd.example.org", 465, True, False)
    assert mail["EMAIL_HOST_USER"] == "improvenet" and mail["EMAIL_HOST_PASSWORD"] == "s3cret"
    assert mail["DEFAULT_FROM_EMAIL"] == "Riverside <improvenet@rusd.example.org>"
    assert mail["IMPROVENET_SITE_URL"] == "https://improve.rusd.example.org"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "smtp", "IMPROVENET_EMAIL_PORT is “smtp”; it must be a port number"),
    ("PORT", "70000", "must be a port number"),
    ("SECURITY", "ssl", "must be one of starttls, tls, none"),
    ("PASSWORD_FILE", "/nonexistent/smtp-password", "IMPROVENET_EMAIL_PASSWORD_FILE names /nonexistent"),
])
def test_bad_values_are_named(environment, name, value, message):
    environment.setenv(f"IMPROVENET_EMAIL_{name}", value)
    with pytest.raises(conf.ConfigurationError, match=message):
        conf.email_settings()
