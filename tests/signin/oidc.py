"""A real OpenID Connect provider on loopback (tests/signin/oidc_provider: the `oidc-provider` package for
Node.js), and an improvenet server in another process configured to sign in through it."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import COMMAND, free_port

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "improvenet-tests", "test-only-client-secret"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def tamper(self, mode: str) -> None:
        """Make the provider re-sign its next ID token wrongly: `aud` (another audience) or `expired`."""
        request = urllib.request.Request(f"{self.issuer}/test/tamper?mode={mode}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.load(answer) == {"tamper": mode or None}


def _wait_for(url: str, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer within 60 s:\n{log.read_text()}")


def start_provider(redirect_uri: str, log: Path) -> Provider:
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("The test OpenID Connect provider is not installed: run `make install-test` "
                           "(it runs `npm ci` in tests/signin/oidc_provider).")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID,
           "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_REDIRECT_URI": redirect_uri}
    process = subprocess.Popen([node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    _wait_for(f"{issuer}/.well-known/openid-configuration", process, log, "The OpenID Connect provider")
    return Provider(issuer=issuer, process=process)


def start_server(environment: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen([*COMMAND, "serve", "--port", str(port)], env=environment, stdout=log.open("w"),
                              stderr=subprocess.STDOUT)
    _wait_for(f"http://127.0.0.1:{port}/accounts/login/", server, log, "improvenet serve")
    return server


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def account_email(environment: dict, username: str) -> str:
    """The e-mail address of one of the server's accounts."""
    script = ("import django; django.setup(); from django.contrib.auth import get_user_model; "
              f"print(get_user_model().objects.get(username={username!r}).email)")
    env = environment | {"DJANGO_SETTINGS_MODULE": "improvenet.settings"}
    return subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()
