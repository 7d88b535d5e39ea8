"""AES-GCM encryption of stored credentials: key derivation, key ids, row binding."""

from __future__ import annotations

import base64

import pytest

from lockgate.keys.credential_cipher import (
    CredentialCipher,
    CredentialDecryptError,
    UnknownKeyIdError,
    split_key_id,
)
from lockgate.keys.key_hasher import KeyHasher
from lockgate.security.secret import Secret

PLAINTEXT = b'{"api_key": "sk-live-credential-9f8e7d"}'


def test_round_trip_with_a_fresh_nonce_each_time() -> None:
    cipher = CredentialCipher(Secret("server-secret-one"))
    first = cipher.encrypt("row-1", PLAINTEXT)
    second = cipher.encrypt("row-1", PLAINTEXT)
    assert first != second  # a new nonce every time
    for token in (first, second):
        assert split_key_id(token) == cipher.key_id
        assert b"sk-live" not in token.encode()
        assert cipher.decrypt("row-1", token) == PLAINTEXT


def test_key_id_is_a_stable_fingerprint_of_the_secret_only() -> None:
    one, again, other = (
        CredentialCipher(Secret("server-secret-one")),
        CredentialCipher(Secret("server-secret-one")),
        CredentialCipher(Secret("server-secret-two")),
    )
    assert one.key_id == again.key_id != other.key_id
    assert len(one.key_id) == 12 and int(one.key_id, 16) >= 0
    assert "server-secret" not in repr(one)
    # Neither the raw secret nor the HMAC key of virtual keys is the fingerprint's source.
    assert one.key_id not in KeyHasher(Secret("server-secret-one")).digest("x")


def test_a_ciphertext_moved_to_another_row_does_not_decrypt() -> None:
    cipher = CredentialCipher(Secret("server-secret-one"))
    token = cipher.encrypt("row-1", PLAINTEXT)
    with pytest.raises(CredentialDecryptError, match="another row"):
        cipher.decrypt("row-2", token)


def test_another_secret_is_named_by_key_id() -> None:
    old, new = CredentialCipher(Secret("old-secret")), CredentialCipher(Secret("new-secret"))
    token = old.encrypt("row-1", PLAINTEXT)
    with pytest.raises(UnknownKeyIdError) as error:
        new.decrypt("row-1", token)
    assert error.value.key_id == old.key_id and error.value.expected == new.key_id
    assert old.key_id in str(error.value)


def test_a_forged_key_id_or_tampered_body_is_refused() -> None:
    old, new = CredentialCipher(Secret("old-secret")), CredentialCipher(Secret("new-secret"))
    token = old.encrypt("row-1", PLAINTEXT)
    forged = new.key_id + token[len(old.key_id) :]
    with pytest.raises(CredentialDecryptError):
        new.decrypt("row-1", forged)
    raw = bytearray(base64.b64decode(token.split(":", 1)[1]))
    raw[-1] ^= 1
    tampered = f"{old.key_id}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(CredentialDecryptError):
        old.decrypt("row-1", tampered)
    for bad in ("no-colon", f"{old.key_id}:!!!", f"{old.key_id}:AAAA"):
        with pytest.raises(CredentialDecryptError):
            old.decrypt("row-1", bad)
