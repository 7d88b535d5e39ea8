"""Deployments added through the API (credentials encrypted) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lockgate.store.base import Base, JsonValue, UtcDateTime, utc_now

__all__ = ["AuditRow", "ModelDeploymentRow"]


class ModelDeploymentRow(Base):
    __tablename__ = "lockgate_model_deployments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_name: Mapped[str] = mapped_column(String(256), index=True)
    # litellm_params as JSON, encrypted with AES-GCM ("<key id>:<base64 nonce+ciphertext>").
    params_encrypted: Mapped[str] = mapped_column(Text)
    encryption_key_id: Mapped[str] = mapped_column(String(32))
    model_info: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class AuditRow(Base):
    __tablename__ = "lockgate_audit_log"
    __table_args__ = (Index("ix_lockgate_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(128))  # key id of the caller ("master" ...)
    action: Mapped[str] = mapped_column(String(64))  # "key.generate", "team.update", ...
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(256))
    before: Mapped[Any] = mapped_column(JsonValue, nullable=True, default=None)
    after: Mapped[Any] = mapped_column(JsonValue, nullable=True, default=None)
    request_id: Mapped[str] = mapped_column(String(128), default="")
