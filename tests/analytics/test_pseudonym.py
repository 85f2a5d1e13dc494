"""Pseudonyms, the pseudonym key and the encryption of direct identifiers."""

import base64
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.analytics.pseudonym import (
    KEY_FILE_VARIABLE,
    KEY_VARIABLE,
    IdentifierCipher,
    IdentityDecryptError,
    Pseudonymizer,
    PseudonymKeyError,
    generate_key_file,
    load_key,
)

ids = st.text(min_size=1, max_size=30)
keys = st.binary(min_size=16, max_size=64)


@given(key=keys, raw_id=ids)
def test_a_pseudonym_is_deterministic_prefixed_and_short(key, raw_id):
    first, second = Pseudonymizer(key), Pseudonymizer(bytes(key))

    assert first.student(raw_id) == second.student(raw_id)
    assert first.student(raw_id).startswith("s_") and len(first.student(raw_id)) == 22
    assert first.staff(raw_id).startswith("t_")
    assert first.many("student", [raw_id]) == [first.student(raw_id)]


@given(key=keys, raw_ids=st.lists(ids, min_size=2, max_size=50, unique=True))
def test_distinct_ids_get_distinct_pseudonyms(key, raw_ids):
    pseudonyms = Pseudonymizer(key).many("student", raw_ids)

    assert len(set(pseudonyms)) == len(raw_ids)


@given(key=keys, other=keys, raw_id=ids)
def test_another_key_gives_other_pseudonyms(key, other, raw_id):
    if key == other:
        return
    assert Pseudonymizer(key).student(raw_id) != Pseudonymizer(other).student(raw_id)
    assert Pseudonymizer(key).fingerprint != Pseudonymizer(other).fingerprint


def test_a_student_and_a_staff_member_with_the_same_id_get_unrelated_pseudonyms(pseudonymizer):
    assert pseudonymizer.student("1234")[2:] != pseudonymizer.staff("1234")[2:]


def test_a_short_key_is_refused():
    with pytest.raises(PseudonymKeyError, match="at least 16 bytes"):
        Pseudonymizer(b"short")


def test_no_key_says_how_to_set_one():
    with pytest.raises(PseudonymKeyError) as caught:
        load_key({})

    message = str(caught.value)
    assert message.startswith("No pseudonym key.")
    assert KEY_VARIABLE in message and KEY_FILE_VARIABLE in message and "64 hex characters" in message


def test_the_key_as_hex_base64_or_passphrase():
    raw = bytes(range(32))

    assert load_key({KEY_VARIABLE: raw.hex()}) == raw
    assert load_key({KEY_VARIABLE: base64.b64encode(raw).decode()}) == raw
    passphrase = "correct horse battery staple and then some"
    assert load_key({KEY_VARIABLE: passphrase}) == load_key({KEY_VARIABLE: f"  {passphrase}\n"})
    assert len(load_key({KEY_VARIABLE: passphrase})) == 32
    assert load_key({KEY_VARIABLE: passphrase}) != passphrase.encode()[:32]


def test_a_weak_key_is_refused():
    with pytest.raises(PseudonymKeyError, match="too weak"):
        load_key({KEY_VARIABLE: "hunter2"})


def test_both_the_key_and_a_key_file_is_refused(tmp_path):
    with pytest.raises(PseudonymKeyError, match="set only one"):
        load_key({KEY_VARIABLE: "a" * 64, KEY_FILE_VARIABLE: str(tmp_path / "key")})


def test_a_generated_key_file_is_private_and_loads(tmp_path):
    path = generate_key_file(tmp_path / "keys" / "pseudonym.key")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_key({KEY_FILE_VARIABLE: str(path)})
    assert len(key) == 32
    assert path.read_text().strip() == key.hex()


def test_a_key_file_is_never_overwritten(tmp_path):
    path = generate_key_file(tmp_path / "pseudonym.key")
    before = path.read_bytes()

    with pytest.raises(PseudonymKeyError, match="already exists"):
        generate_key_file(path)
    assert path.read_bytes() == before


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = generate_key_file(tmp_path / "pseudonym.key")
    os.chmod(path, 0o644)

    with pytest.raises(PseudonymKeyError, match=f"chmod 600 {path}"):
        load_key({KEY_FILE_VARIABLE: str(path)})


def test_a_missing_key_file_is_named(tmp_path):
    with pytest.raises(PseudonymKeyError, match="pseudonym.key does not exist"):
        load_key({KEY_FILE_VARIABLE: str(tmp_path / "pseudonym.key")})


def test_identities_round_trip_and_bind_to_their_pseudonym(pseudonymizer):
    cipher = pseudonymizer.identity_cipher()
    identity = {"given_name": "Ana", "family_name": "López", "birth_date": "2010-04-02"}

    ciphertext = cipher.encrypt("s_aaaa", identity)

    assert cipher.decrypt("s_aaaa", ciphertext) == identity
    assert b"Ana" not in ciphertext and "López".encode() not in ciphertext
    assert cipher.encrypt("s_aaaa", identity) != ciphertext  # a fresh nonce each time
    with pytest.raises(IdentityDecryptError, match="another record's ciphertext"):
        cipher.decrypt("s_bbbb", ciphertext)


def test_a_changed_ciphertext_or_another_key_does_not_decrypt(pseudonymizer):
    cipher = pseudonymizer.identity_cipher()
    ciphertext = bytearray(cipher.encrypt("s_aaaa", {"given_name": "Ana"}))
    ciphertext[-1] ^= 1

    with pytest.raises(IdentityDecryptError, match="changed"):
        cipher.decrypt("s_aaaa", bytes(ciphertext))
    with pytest.raises(IdentityDecryptError):
        IdentifierCipher(bytes(32)).decrypt("s_aaaa", cipher.encrypt("s_aaaa", {"given_name": "Ana"}))
