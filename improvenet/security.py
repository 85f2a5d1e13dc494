"""The headers that tell browsers what a page may do: a strict Content-Security-Policy on every answer and,
once the site is on HTTPS for good, Strict-Transport-Security (docs/security.md).

Django's SecurityMiddleware and XFrameOptionsMiddleware add the others (X-Content-Type-Options,
Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options; see settings.py); Django 5.2 has no
Content-Security-Policy of its own.
"""

from urllib.parse import urlsplit

from django.conf import settings

# Every script and stylesheet is a file the site serves itself (improvenet/static, vendored: no CDN), and
# no page carries inline script, event handlers, <style> blocks or style attributes, so nothing here needs
# 'unsafe-inline'. Charts need no 'unsafe-eval': static/improvenet/js/charts.js draws them with Vega's
# expression interpreter instead of compiling expressions into functions. data: images are the convening
# packets' charts.
DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
]


def content_security_policy(single_sign_on: dict | None) -> str:
    """The policy; with single sign-on, a form may also end at the provider: the invitation page's "Sign in
    with single sign-on" posts, and browsers hold the redirects that follow a form to `form-action`."""
    form_action = "form-action 'self'"
    if single_sign_on:
        issuer = urlsplit(single_sign_on["issuer"])
        form_action += f" {issuer.scheme}://{issuer.netloc}"
    return "; ".join([*DIRECTIVES, form_action])


class SecurityHeaders:
    """Before WhiteNoise in MIDDLEWARE, so static files and every refusal carry the headers too."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy(settings.SIGNIN_OIDC)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Sent over plain HTTP too, because behind a proxy that ends TLS the request looks like HTTP here
        # (Django's own HSTS only answers requests it sees as secure); browsers ignore it outside HTTPS.
        if settings.IMPROVENET_HSTS_SECONDS:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={settings.IMPROVENET_HSTS_SECONDS}")
        return response
