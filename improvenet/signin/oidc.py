"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), `state` and `nonce`.

The provider's endpoints come from its discovery document and its signing keys from its JWKS, both read
when first needed and kept for an hour (the keys are read again when a token names an unknown key). An ID
token is accepted only when its signature verifies with the provider's key and its issuer, audience,
expiry and nonce are right, and then only for a verified e-mail address in an allowed domain (taken from the
ID token, or from the UserInfo endpoint for the same subject when the token does not carry it).
"""

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

SCOPES = "openid email profile"
# Signatures accepted in ID tokens: asymmetric only, so that a token signed with the client secret
# (HS256) or unsigned ("none") is never taken.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CACHE_SECONDS = 3600
TIMEOUT_SECONDS = 10
# Clocks of the provider and of this server may differ by this many seconds.
LEEWAY_SECONDS = 60


class SignInRefused(Exception):
    """The provider's answer cannot sign anyone in; the message says why, for the person signing in."""


@dataclass(frozen=True)
class Start:
    """What the sign-in's start keeps in the session and where it sends the browser."""

    url: str
    state: str
    nonce: str
    verifier: str


_cache: dict[str, tuple[float, dict]] = {}


def _fetch_json(url: str, data: dict | None = None, auth: tuple[str, str] | None = None,
                bearer: str | None = None) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if bearer is not None:
        request.add_header("Authorization", f"Bearer {bearer}")
    if data is not None:
        request.data = urllib.parse.urlencode(data).encode()
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if auth is not None:
        # RFC 6749 2.3.1: the client id and secret are form-encoded before the Basic encoding.
        pair = ":".join(urllib.parse.quote(part, safe="") for part in auth)
        request.add_header("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        body = error.read()[:500].decode("utf-8", "replace")
        raise SignInRefused(f"The sign-in provider answered {error.code} at {url}: {body}") from error
    except (OSError, ValueError) as error:
        raise SignInRefused(f"The sign-in provider could not be reached at {url} ({error}).") from error


def _cached(url: str, fresh: bool = False) -> dict:
    kept = _cache.get(url)
    if kept is None or fresh or time.monotonic() - kept[0] > CACHE_SECONDS:
        kept = (time.monotonic(), _fetch_json(url))
        _cache[url] = kept
    return kept[1]


def discovery(config: dict) -> dict:
    document = _cached(config["issuer"] + "/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != config["issuer"]:
        raise SignInRefused(
            f"The provider's discovery document names the issuer “{document.get('issuer')}”, not the configured "
            f"“{config['issuer']}”: check IMPROVENET_OIDC_ISSUER."
        )
    return document


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def start(config: dict, redirect_uri: str) -> Start:
    """The provider's sign-in address for a new attempt, with fresh state, nonce and PKCE verifier."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": config["client_id"], "redirect_uri": redirect_uri, "scope": SCOPES,
        "state": state, "nonce": nonce, "code_challenge": _challenge(verifier), "code_challenge_method": "S256",
    })
    endpoint = discovery(config)["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return Start(url=f"{endpoint}{separator}{query}", state=state, nonce=nonce, verifier=verifier)


def _signing_key(config: dict, token: str):
    import jwt  # PyJWT and its cryptography load when an ID token is checked: commands reversing addresses need neither

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise SignInRefused(f"The provider's ID token is not a signed token ({error}).") from error
    jwks_uri = discovery(config)["jwks_uri"]
    for fresh in (False, True):
        keys = jwt.PyJWKSet.from_dict(_cached(jwks_uri, fresh=fresh)).keys
        matching = [key for key in keys if header.get("kid") in (None, key.key_id)]
        if matching:
            return matching[0]
    raise SignInRefused("The provider's ID token is signed with a key the provider does not publish.")


def verify_id_token(config: dict, token: str, nonce: str) -> dict:
    """The claims of an ID token that passes every check; SignInRefused naming the first that fails."""
    import jwt

    key = _signing_key(config, token)
    try:
        claims = jwt.decode(
            token, key=key.key, algorithms=ALGORITHMS, audience=config["client_id"], issuer=config["issuer"],
            leeway=LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise SignInRefused("The provider's ID token has expired. Sign in again.") from error
    except jwt.InvalidAudienceError as error:
        raise SignInRefused("The provider's ID token was issued for another application (wrong audience).") from error
    except jwt.InvalidIssuerError as error:
        raise SignInRefused("The provider's ID token comes from another issuer than the configured one.") from error
    except jwt.PyJWTError as error:
        raise SignInRefused(f"The provider's ID token was refused: {error}.") from error
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("The provider's ID token does not answer this sign-in (its nonce differs). Sign in again.")
    return claims


def finish(config: dict, code: str, redirect_uri: str, verifier: str, nonce: str) -> dict:
    """Exchange the authorization code for tokens and return the verified ID token's claims."""
    tokens = _fetch_json(
        discovery(config)["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
              "code_verifier": verifier},
        auth=(config["client_id"], config["client_secret"]),
    )
    if "id_token" not in tokens:
        raise SignInRefused("The provider answered without an ID token: is the `openid` scope allowed for improvenet?")
    claims = verify_id_token(config, tokens["id_token"], nonce)
    userinfo_endpoint = discovery(config).get("userinfo_endpoint")
    if "email" not in claims and userinfo_endpoint and tokens.get("access_token"):
        # Providers may keep the scopes' claims out of the ID token and answer them at the UserInfo endpoint.
        userinfo = _fetch_json(userinfo_endpoint, bearer=tokens["access_token"])
        if userinfo.get("sub") != claims["sub"]:
            raise SignInRefused("The provider's UserInfo answer is about another person than its ID token.")
        claims |= {name: userinfo[name] for name in ("email", "email_verified", "xms_edov") if name in userinfo}
    return claims


def verified_email(config: dict, claims: dict) -> str:
    """The verified e-mail address of the claims, in one of the allowed domains."""
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SignInRefused("The provider did not share your e-mail address, which improvenet needs to find "
                            "your account.")
    # Microsoft Entra ID says it with its own claim: the address's domain is verified by the tenant's owner.
    if claims.get("email_verified") is not True and claims.get("xms_edov") is not True:
        raise SignInRefused(f"The provider has not verified the e-mail address {email}, so it cannot sign you in.")
    domain = email.rpartition("@")[2]
    if domain not in config["allowed_domains"]:
        raise SignInRefused(
            f"Addresses at {domain} may not sign in here with single sign-on; allowed: "
            f"{', '.join(config['allowed_domains'])}."
        )
    return email
