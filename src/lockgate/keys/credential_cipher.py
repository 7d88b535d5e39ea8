"""Encryption of provider credentials at rest (deployments added through the admin API).

AES-256-GCM with a key derived (HKDF-SHA256) from the server secret, separately from the
HMAC key of virtual keys, so the raw secret serves no two purposes. A ciphertext is stored
as ``"<key id>:<base64 of nonce + ciphertext>"``; the key id is a short fingerprint of the
derived key (not secret), so a row written under another secret is recognised as such
instead of failing with a bare authentication error. The row id is bound as associated
data: a ciphertext copied into another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from typing import TYPE_CHECKING, Final

from lockgate.security.secret import Secret

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CredentialCipher",
    "CredentialDecryptError",
    "UnknownKeyIdError",
    "split_key_id",
]

_ENCRYPTION_INFO: Final = b"lockgate/credential-encryption/v1"
_KEY_ID_INFO: Final = b"lockgate/credential-key-id/v1"
_AAD_PREFIX: Final = b"lockgate/model-deployment/"
_NONCE_BYTES: Final = 12
_KEY_ID_HEX: Final = 12


class CredentialDecryptError(ValueError):
    """A stored value does not decrypt: malformed, tampered with or moved to another row."""


class UnknownKeyIdError(CredentialDecryptError):
    """A stored value was encrypted under another server secret (another key id)."""

    def __init__(self, key_id: str, expected: str) -> None:
        super().__init__(
            f"are encrypted with key id {key_id!r}; this server secret's key id is {expected!r}"
        )
        self.key_id = key_id
        self.expected = expected


def _derive(secret: Secret, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret.reveal().encode("utf-8")
    )


def split_key_id(token: str) -> str:
    """The key id a stored value names (empty when it names none)."""
    key_id, sep, _ = token.partition(":")
    return key_id if sep else ""


class CredentialCipher:
    """The keys are derived on first use: the gateway builds one at start-up, and a store
    without API-added deployments never needs it (nor loads ``cryptography``)."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    @functools.cached_property
    def _aead(self) -> AESGCM:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM(_derive(self._secret, _ENCRYPTION_INFO))

    @functools.cached_property
    def key_id(self) -> str:
        # A separate derivation: the fingerprint says nothing about the encryption key.
        return _derive(self._secret, _KEY_ID_INFO).hex()[:_KEY_ID_HEX]

    def encrypt(self, row_id: str, plaintext: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _AAD_PREFIX + row_id.encode("utf-8"))
        return f"{self.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, row_id: str, token: str) -> bytes:
        key_id, sep, body = token.partition(":")
        if not sep:
            raise CredentialDecryptError("are not an encrypted value (no key id)")
        if key_id != self.key_id:
            raise UnknownKeyIdError(key_id, self.key_id)
        try:
            raw = base64.b64decode(body.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise CredentialDecryptError("are not an encrypted value (bad base64)") from None
        if len(raw) <= _NONCE_BYTES:
            raise CredentialDecryptError("are not an encrypted value (too short)")
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD_PREFIX + row_id.encode("utf-8")
            )
        except InvalidTag:
            raise CredentialDecryptError(
                "cannot be decrypted (tampered with, or copied from another row)"
            ) from None

    def __repr__(self) -> str:
        return f"CredentialCipher(key_id={self.key_id!r})"
