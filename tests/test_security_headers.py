"""Browser hardening (docs/security.md): the headers every answer carries, the settings behind HSTS and secure
cookies, and templates that keep the Content-Security-Policy possible.

Every page and API operation is also checked for these headers, for every demo user, by the permission table
(tests/test_permissions.py calls `assert_hardened`); tests/browser/test_csp_in_browser.py opens the pages that
run scripts in Chromium and fails on any violation of the policy.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from improvenet import conf
from improvenet.security import content_security_policy

TEMPLATES = Path(__file__).resolve().parent.parent / "improvenet" / "templates"
# Rendered for WeasyPrint into a PDF, never served to a browser (improvenet/convenings/pdf.py).
PDF_ONLY = {TEMPLATES / "convenings" / "packet_print.html"}


def assert_hardened(answer) -> None:
    where = f"{answer.request['REQUEST_METHOD']} {answer.request['PATH_INFO']} ({answer.status_code})"
    policy = answer.headers.get("Content-Security-Policy", "")
    # A view may send a stricter policy of its own: an uploaded agreement document may load nothing at all.
    assert policy == content_security_policy(None) or directives(policy).get("default-src") == ["'none'"], where
    assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
    assert answer.headers.get("Referrer-Policy") == "same-origin", where
    assert answer.headers.get("X-Frame-Options") == "DENY", where


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


def test_the_policy_runs_only_the_sites_own_scripts_and_styles():
    policy = directives(content_security_policy(None))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == policy["form-action"] == ["'self'"]
    assert "unsafe" not in content_security_policy(None) and "http" not in content_security_policy(None)


def test_every_kind_of_answer_carries_the_headers(world, client, api_as):
    lead, outsider, viewer = world.users.lead, world.users.outsider, world.users.viewer
    admin = get_user_model().objects.create_superuser("operator", "operator@example.org", "correct horse battery")
    alpha = "/clusters/alpha"
    answers = {
        "sign-in page": client.get("/accounts/login/"),
        "redirect to sign in": client.get(f"{alpha}/"),
        "static file": client.get("/static/improvenet/js/charts.js"),
        "API refusal": client.get(f"/api/clusters/alpha/schools/{world.high.pk}"),
        "API answer": api_as(lead).get(f"/clusters/alpha/schools/{world.high.pk}"),
        "API documentation": client.get("/api/docs"),
    }
    client.force_login(lead)
    answers |= {
        "page": client.get(f"{alpha}/schools/{world.high.pk}/"),
        "download": client.get(f"{alpha}/archive/export.zip"),
        "form refused (CSRF)": _without_csrf_token(client, f"{alpha}/edit/"),
    }
    client.force_login(viewer)
    answers["forbidden"] = client.get(f"{alpha}/edit/")
    client.force_login(outsider)
    answers["not found"] = client.get(f"{alpha}/")
    client.force_login(admin)
    answers["administration"] = client.get("/admin/")
    expected = {"redirect to sign in": 302, "API refusal": 401, "forbidden": 403, "not found": 404,
                "form refused (CSRF)": 403}
    for kind, answer in answers.items():
        assert answer.status_code == expected.get(kind, 200), kind
        assert_hardened(answer)
        assert "Strict-Transport-Security" not in answer.headers, kind


def _without_csrf_token(client, path: str):
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = client.cookies
    return checked.post(path, {"name": "Renamed"})


def test_the_api_documentation_loads_nothing_from_another_site(client):
    page = client.get("/api/docs").content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert addresses and all(address.startswith("/static/") for address in addresses), addresses


@pytest.mark.parametrize(("seconds", "header"), [(0, None), (300, "max-age=300")])
def test_strict_transport_security_follows_its_setting_even_behind_a_proxy(client, settings, seconds, header):
    settings.IMPROVENET_HSTS_SECONDS = seconds
    # Plain HTTP here, as a request looks behind a proxy that ends TLS.
    assert client.get("/accounts/login/").headers.get("Strict-Transport-Security") == header


def settings_in_a_fresh_process(**environment) -> list[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPROVENET_")}
    env |= {"DJANGO_SETTINGS_MODULE": "improvenet.settings", **environment}
    script = ("from django.conf import settings as s; "
              "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.IMPROVENET_HSTS_SECONDS)")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    return (result.stdout + result.stderr).split()


def test_cookies_are_secure_when_the_sites_address_is_https(tmp_path):
    var = {"IMPROVENET_VAR_DIR": str(tmp_path)}
    assert settings_in_a_fresh_process(**var) == ["False", "False", "0"]
    https = {**var, "IMPROVENET_SITE_URL": "https://improve.example.org", "IMPROVENET_HSTS_SECONDS": "31536000"}
    assert settings_in_a_fresh_process(**https) == ["True", "True", "31536000"]
    # An explicit setting wins: a test server without TLS that still names its public address.
    assert settings_in_a_fresh_process(**https, IMPROVENET_SECURE_COOKIES="0")[:2] == ["False", "False"]
    assert settings_in_a_fresh_process(**var, IMPROVENET_SECURE_COOKIES="1")[:2] == ["True", "True"]


def test_an_hsts_duration_that_is_not_a_number_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("IMPROVENET_HSTS_SECONDS", "one year")
    with pytest.raises(conf.ConfigurationError, match="IMPROVENET_HSTS_SECONDS is “one year”"):
        conf.whole_number("IMPROVENET_HSTS_SECONDS", "seconds")


# What the Content-Security-Policy would refuse in a served template: inline script (a <script> without src),
# event handler attributes, javascript: addresses, <style> elements and style attributes, or an asset from
# another site.
REFUSED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "asset from another site": re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I),
}


def test_no_served_template_has_what_the_policy_refuses():
    found = []
    for template in sorted(set(TEMPLATES.rglob("*.html")) - PDF_ONLY):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.relative_to(TEMPLATES)}: {what}" for what, pattern in REFUSED.items()
                  if pattern.search(text)]
    assert found == []


def test_with_single_sign_on_a_form_may_end_at_the_provider_only():
    assert content_security_policy(None).endswith("form-action 'self'")
    policy = content_security_policy({"issuer": "https://login.example.org/tenant/v2.0"})
    assert policy.endswith("form-action 'self' https://login.example.org")
