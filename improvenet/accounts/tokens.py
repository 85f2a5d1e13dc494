"""API tokens: random secrets shown once, stored only as a SHA-256 digest.

A token carries 256 random bits, so a fast digest is enough to make a stolen database useless
for authenticating, and it lets a request find its token with one indexed lookup.
"""

import hashlib
import secrets

PREFIX = "inet_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(PREFIX) and len(value) > len(PREFIX) + 20

