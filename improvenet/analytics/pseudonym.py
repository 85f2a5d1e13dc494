"""Keyed pseudonyms for student and staff ids, the pseudonym key, and optional encryption of identifiers.

A pseudonym is HMAC-SHA256(key, kind + id), shortened to 20 hex characters (80 bits) behind a prefix
telling its kind: `s_` for students, `t_` for staff. The same key always gives the same pseudonym, so
loads made months apart link up; without the key nobody can recompute the district's id from the
store. The key lives outside the store: in `IMPROVENET_PSEUDONYM_KEY` or in the file named by
`IMPROVENET_PSEUDONYM_KEY_FILE` (docs/data.md, "The pseudonym key").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_VARIABLE = "IMPROVENET_PSEUDONYM_KEY"
KEY_FILE_VARIABLE = "IMPROVENET_PSEUDONYM_KEY_FILE"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
MIN_PASSPHRASE_CHARS = 32
PSEUDONYM_HEX_CHARS = 20
PREFIXES = {"student": "s_", "staff": "t_"}
# A passphrase is stretched so a guessable one costs an attacker time per guess; the salt only separates uses.
PASSPHRASE_SALT = b"improvenet pseudonym key v1"
PASSPHRASE_ITERATIONS = 200_000
HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
NONCE_BYTES = 12
CIPHER_VERSION = b"\x01"
HOW_TO_SET_A_KEY = (
    f"Set {KEY_FILE_VARIABLE} to a key file (create one with `improvenet data keygen PATH`, readable by its "
    f"owner only), or set {KEY_VARIABLE} to 64 hex characters (e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_hex(32))'`), 32 bytes in base64, or a passphrase "
    f"of at least {MIN_PASSPHRASE_CHARS} characters. Keep the key: the same key must be used for every "
    "load, or the loads will not link up."
)


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing, unreadable or too weak; the message says how to set one."""


class IdentityDecryptError(ValueError):
    """An encrypted identity does not decrypt: a wrong key, another record's ciphertext, or tampering."""


class Pseudonymizer:
    """Keyed pseudonyms: deterministic for one key, unlinkable to the raw id without it."""

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(f"A pseudonym key needs at least {MIN_KEY_BYTES} bytes, not {len(key)}.")
        self._key = bytes(key)

    def __repr__(self) -> str:
        return f"Pseudonymizer(fingerprint={self.fingerprint!r})"

    def pseudonym(self, kind: str, raw_id: str) -> str:
        """The pseudonym of one id of `kind` ("student" or "staff")."""
        prefix = PREFIXES[kind]
        digest = hmac.new(self._key, f"improvenet/{kind}\x00{raw_id}".encode(), hashlib.sha256).hexdigest()
        return prefix + digest[:PSEUDONYM_HEX_CHARS]

    def student(self, raw_id: str) -> str:
        return self.pseudonym("student", raw_id)

    def staff(self, raw_id: str) -> str:
        return self.pseudonym("staff", raw_id)

    def many(self, kind: str, raw_ids: Iterable[str]) -> list[str]:
        """Pseudonyms of several ids, in order (one HMAC each: ~1 µs, so 100,000 ids take a fraction of a second)."""
        prefix = PREFIXES[kind]
        base = hmac.new(self._key, digestmod=hashlib.sha256)
        label = f"improvenet/{kind}\x00"
        out = []
        for raw_id in raw_ids:
            mac = base.copy()
            mac.update(f"{label}{raw_id}".encode())
            out.append(prefix + mac.hexdigest()[:PSEUDONYM_HEX_CHARS])
        return out

    @property
    def fingerprint(self) -> str:
        """A check value of the key (not the key, and not usable to make pseudonyms): tells two keys apart."""
        return hmac.new(self._key, b"improvenet/key-check", hashlib.sha256).hexdigest()[:16]

    def identity_cipher(self) -> IdentifierCipher:
        """The cipher for direct identifiers, under a key derived from this one (one key to keep, two uses)."""
        return IdentifierCipher(hmac.new(self._key, b"improvenet/identity-encryption", hashlib.sha256).digest())


class IdentifierCipher:
    """AES-256-GCM for a student's direct identifiers (names, birth date), bound to the record's pseudonym.

    The pseudonym is the associated data, so a ciphertext moved to another student's row fails to decrypt.
    Each encryption draws a fresh random 96-bit nonce, stored in front of the ciphertext.
    """

    def __init__(self, key: bytes):
        if len(key) != KEY_BYTES:
            raise PseudonymKeyError(f"An identifier encryption key has {KEY_BYTES} bytes, not {len(key)}.")
        self._aead = AESGCM(key)

    def encrypt(self, pseudonym: str, identity: Mapping[str, str]) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        plaintext = json.dumps(dict(identity), sort_keys=True, separators=(",", ":")).encode()
        return CIPHER_VERSION + nonce + self._aead.encrypt(nonce, plaintext, pseudonym.encode())

    def decrypt(self, pseudonym: str, ciphertext: bytes) -> dict[str, str]:
        version, nonce, body = ciphertext[:1], ciphertext[1:1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES:]
        if version != CIPHER_VERSION:
            raise IdentityDecryptError(f"Unknown identity ciphertext version for {pseudonym}.")
        try:
            return json.loads(self._aead.decrypt(nonce, body, pseudonym.encode()))
        except InvalidTag:
            raise IdentityDecryptError(
                f"The identity of {pseudonym} does not decrypt: another key, another record's ciphertext, "
                "or the ciphertext was changed."
            ) from None


def parse_key(text: str, *, origin: str) -> bytes:
    """The key written as 64 hex characters, 32 bytes in base64, or a passphrase of at least 32 characters."""
    text = text.strip()
    if HEX_KEY.fullmatch(text):
        return bytes.fromhex(text)
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) == KEY_BYTES:
        return decoded
    if len(text) >= MIN_PASSPHRASE_CHARS:
        return hashlib.pbkdf2_hmac("sha256", text.encode(), PASSPHRASE_SALT, PASSPHRASE_ITERATIONS)
    raise PseudonymKeyError(
        f"The pseudonym key in {origin} is too weak: it is neither 64 hex characters, nor 32 bytes in base64, "
        f"nor a passphrase of at least {MIN_PASSPHRASE_CHARS} characters. {HOW_TO_SET_A_KEY}"
    )


def load_key(environ: Mapping[str, str]) -> bytes:
    """The pseudonym key from `environ` (usually os.environ): the variable or the key file, not both."""
    text = environ.get(KEY_VARIABLE, "")
    file_name = environ.get(KEY_FILE_VARIABLE, "")
    if text and file_name:
        raise PseudonymKeyError(f"Both {KEY_VARIABLE} and {KEY_FILE_VARIABLE} are set: set only one.")
    if text:
        return parse_key(text, origin=KEY_VARIABLE)
    if file_name:
        return read_key_file(Path(file_name))
    raise PseudonymKeyError(f"No pseudonym key. {HOW_TO_SET_A_KEY}")


def read_key_file(path: Path) -> bytes:
    """The key in `path`, refused when the file is readable by its group or by others (like ssh's keys)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PseudonymKeyError(f"The pseudonym key file {path} does not exist. {HOW_TO_SET_A_KEY}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PseudonymKeyError(f"The pseudonym key file {path} cannot be read: {error}.") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PseudonymKeyError(
            f"The pseudonym key file {path} can be read by other users (mode {stat.S_IMODE(mode):o}): "
            f"run `chmod 600 {path}`."
        )
    return parse_key(text, origin=str(path))


def generate_key_file(path: Path) -> Path:
    """Write a new random key (64 hex characters) to `path`, readable by its owner only; never overwrites."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PseudonymKeyError(
            f"{path} already exists: a key is not replaced, since data loaded under it would no longer link up."
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path
