"""Re-encrypt every stored deployment under the current server secret.

All rows change in one transaction, or none: a row that the old secret cannot decrypt
(a wrong old secret, a row written under a third secret, a tampered row) stops the whole
rotation before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lockgate.keys.credential_cipher import (
    CredentialCipher,
    CredentialDecryptError,
    split_key_id,
)
from lockgate.store import Store
from lockgate.store.admin_tables import ModelDeploymentRow

__all__ = ["RotationError", "RotationResult", "rotate_encryption"]


class RotationError(RuntimeError):
    """The rotation was refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class RotationResult:
    rotated: int  # re-encrypted from the old key to the current one
    already_current: int  # already under the current key (checked, left as they were)


async def rotate_encryption(
    store: Store, old: CredentialCipher, current: CredentialCipher
) -> RotationResult:
    rotated = already = 0
    async with store.session() as session, session.begin():
        query = select(ModelDeploymentRow).order_by(ModelDeploymentRow.id)
        if store.dialect != "sqlite":  # SQLite locks the whole file on write anyway
            query = query.with_for_update()
        rows = list((await session.scalars(query)).all())
        for row in rows:
            key_id = split_key_id(row.params_encrypted)
            cipher = current if key_id == current.key_id else old
            try:
                plaintext = cipher.decrypt(row.id, row.params_encrypted)
            except CredentialDecryptError as error:
                hint = (
                    " (is the old secret right?)"
                    if key_id != current.key_id
                    else " (the row was altered)"
                )
                raise RotationError(
                    f"deployment {row.id} (model_name {row.model_name!r}): credentials "
                    f"{error}{hint}; nothing was changed"
                ) from None
            if cipher is current:
                already += 1
                continue
            row.params_encrypted = current.encrypt(row.id, plaintext)
            row.encryption_key_id = current.key_id
            rotated += 1
    return RotationResult(rotated, already)
