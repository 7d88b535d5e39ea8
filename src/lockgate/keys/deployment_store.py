"""Deployments added through the admin API, as stored: ``litellm_params`` encrypted (see
:mod:`lockgate.keys.credential_cipher`), ``model_info`` in clear.

Plaintext parameters exist only in memory. A row that cannot be decrypted (another server
secret's key id, tampering) or no longer validates is skipped at load with one log line
naming the row and the reason, never its contents: the gateway keeps serving the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select

from lockgate.config.api_deployment import ApiDeploymentError, deployment_from_json
from lockgate.config.model import DeploymentConfig
from lockgate.keys.credential_cipher import CredentialCipher, CredentialDecryptError
from lockgate.store import Store
from lockgate.store.admin_tables import ModelDeploymentRow
from lockgate.store.base import utc_now

__all__ = ["DeploymentStore", "StoredDeployment", "to_deployment_config"]

_log = logging.getLogger(__name__)


@dataclass
class StoredDeployment:
    id: str
    model_name: str
    litellm_params: dict[str, Any] = field(repr=False)  # credentials in clear: never logged
    model_info: dict[str, Any]
    created_by: str | None = None
    created_at: datetime | None = None


def to_deployment_config(stored: StoredDeployment) -> DeploymentConfig:
    """The router's view: validated like a config entry, ``model_info.id`` the row id."""
    info = {**stored.model_info, "id": stored.id, "db_model": True}
    deployment, _ = deployment_from_json(stored.model_name, stored.litellm_params, info)
    return deployment


class DeploymentStore:
    def __init__(self, store: Store, cipher: CredentialCipher) -> None:
        self._store = store
        self.cipher = cipher

    def _row(self, deployment: StoredDeployment) -> ModelDeploymentRow:
        return ModelDeploymentRow(
            id=deployment.id,
            model_name=deployment.model_name,
            params_encrypted=self.cipher.encrypt(
                deployment.id, orjson.dumps(deployment.litellm_params)
            ),
            encryption_key_id=self.cipher.key_id,
            model_info=deployment.model_info,
            created_by=deployment.created_by,
            created_at=deployment.created_at or utc_now(),
        )

    def _decrypt(self, row: ModelDeploymentRow) -> StoredDeployment:
        params = orjson.loads(self.cipher.decrypt(row.id, row.params_encrypted))
        if not isinstance(params, dict):
            raise CredentialDecryptError("are not a JSON object once decrypted")
        return StoredDeployment(
            id=row.id,
            model_name=row.model_name,
            litellm_params=params,
            model_info=dict(row.model_info or {}),
            created_by=row.created_by,
            created_at=row.created_at,
        )

    async def load(self) -> list[DeploymentConfig]:
        """Every row this gateway can use, in creation order; the others are logged."""
        rows = await self._store.find(ModelDeploymentRow, order_by=ModelDeploymentRow.created_at)
        out: list[DeploymentConfig] = []
        for row in rows:
            try:
                out.append(to_deployment_config(self._decrypt(row)))
            except CredentialDecryptError as error:
                _log.error(
                    "deployment %s (model_name %r) skipped: its credentials %s; start with the "
                    "server secret they were written with, or re-encrypt them with "
                    "`lockgate keys rotate-encryption`",
                    row.id,
                    row.model_name,
                    error,
                )
            except (ApiDeploymentError, orjson.JSONDecodeError) as error:
                _log.error(
                    "deployment %s (model_name %r) skipped: %s",
                    row.id,
                    row.model_name,
                    error if isinstance(error, ApiDeploymentError) else "not JSON",
                )
        return out

    async def get(self, ident: str) -> StoredDeployment | None:
        """The row decrypted; :class:`CredentialDecryptError` if it cannot be."""
        row = await self._store.get(ModelDeploymentRow, ident)
        return None if row is None else self._decrypt(row)

    async def summary(self, ident: str) -> dict[str, Any] | None:
        """A row without its parameters (for a row that cannot be decrypted)."""
        row = await self._store.get(ModelDeploymentRow, ident)
        if row is None:
            return None
        return {
            "model_id": row.id,
            "model_name": row.model_name,
            "model_info": {**(row.model_info or {}), "id": row.id, "db_model": True},
            "encryption_key_id": row.encryption_key_id,
        }

    async def exists(self, ident: str) -> bool:
        return await self._store.get(ModelDeploymentRow, ident) is not None

    async def add(self, deployment: StoredDeployment) -> None:
        await self._store.add(self._row(deployment))

    async def replace(self, deployment: StoredDeployment) -> bool:
        """Overwrite a row (re-encrypted with a fresh nonce); False if it is gone."""
        async with self._store.session() as session, session.begin():
            row = await session.get(ModelDeploymentRow, deployment.id)
            if row is None:
                return False
            fresh = self._row(deployment)
            row.model_name = fresh.model_name
            row.params_encrypted = fresh.params_encrypted
            row.encryption_key_id = fresh.encryption_key_id
            row.model_info = fresh.model_info
        return True

    async def delete(self, ident: str) -> bool:
        return await self._store.delete(ModelDeploymentRow, ident) is not None

    async def ids(self) -> list[str]:
        async with self._store.session() as session:
            return list((await session.scalars(select(ModelDeploymentRow.id))).all())
