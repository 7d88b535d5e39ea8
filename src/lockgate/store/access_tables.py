"""Who may call and how much: organisations, teams, users, memberships, keys, budgets and
end users (the ``user`` field of a request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lockgate.store.base import Base, JsonValue, UtcDateTime, utc_now

__all__ = [
    "BudgetRow",
    "EndUserRow",
    "KeyRow",
    "LimitColumns",
    "MembershipRow",
    "OrganizationRow",
    "TeamRow",
    "UserRow",
]


class LimitColumns:
    """Budget and rate limits, as LiteLLM names them. ``None``: no limit at this level."""

    max_budget: Mapped[float | None] = mapped_column(Float, default=None)
    soft_budget: Mapped[float | None] = mapped_column(Float, default=None)
    budget_duration: Mapped[str | None] = mapped_column(String(16), default=None)
    tpm_limit: Mapped[int | None] = mapped_column(BigInteger, default=None)
    rpm_limit: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_parallel_requests: Mapped[int | None] = mapped_column(Integer, default=None)
    # Lifetime spend in USD (the current budget window is in lockgate_budget_windows).
    spend: Mapped[float] = mapped_column(Float, default=0.0)
    models: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class OrganizationRow(LimitColumns, Base):
    __tablename__ = "lockgate_organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str | None] = mapped_column(String(256), default=None)


class TeamRow(LimitColumns, Base):
    __tablename__ = "lockgate_teams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str | None] = mapped_column(String(256), default=None)
    organization_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("lockgate_organizations.id", ondelete="SET NULL"), default=None
    )
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class UserRow(LimitColumns, Base):
    __tablename__ = "lockgate_users"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    alias: Mapped[str | None] = mapped_column(String(256), default=None)
    # proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer
    role: Mapped[str] = mapped_column(String(32), default="internal_user")
    organization_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("lockgate_organizations.id", ondelete="SET NULL"), default=None
    )


class MembershipRow(Base):
    """A user in a team or organisation, with a role there (``admin`` or ``user``)."""

    __tablename__ = "lockgate_memberships"
    __table_args__ = (UniqueConstraint("scope", "scope_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))  # "team" or "organization"
    scope_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("lockgate_users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="user")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class KeyRow(LimitColumns, Base):
    """A virtual key. Only its keyed hash (HMAC-SHA256 with the server secret) is stored."""

    __tablename__ = "lockgate_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the non-secret key id
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    key_name: Mapped[str] = mapped_column(String(32))  # "sk-...abcd", a hint for humans
    key_alias: Mapped[str | None] = mapped_column(String(256), unique=True, default=None)
    user_id: Mapped[str | None] = mapped_column(String(128), index=True, default=None)
    team_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    organization_id: Mapped[str | None] = mapped_column(String(64), default=None)
    aliases: Mapped[dict[str, str]] = mapped_column(JsonValue, default=dict)
    tags: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    model_rpm_limit: Mapped[dict[str, int]] = mapped_column(JsonValue, default=dict)
    model_tpm_limit: Mapped[dict[str, int]] = mapped_column(JsonValue, default=dict)
    expires: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(128), default=None)


class BudgetRow(Base):
    """A reusable budget (LiteLLM's budget table), referenced by end users."""

    __tablename__ = "lockgate_budgets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    max_budget: Mapped[float | None] = mapped_column(Float, default=None)
    soft_budget: Mapped[float | None] = mapped_column(Float, default=None)
    budget_duration: Mapped[str | None] = mapped_column(String(16), default=None)
    tpm_limit: Mapped[int | None] = mapped_column(BigInteger, default=None)
    rpm_limit: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_parallel_requests: Mapped[int | None] = mapped_column(Integer, default=None)
    # Stored and shown (LiteLLM's per-model budgets); not enforced.
    model_max_budget: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[str | None] = mapped_column(String(128), default=None)
    updated_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, default=utc_now, onupdate=utc_now
    )
    updated_by: Mapped[str | None] = mapped_column(String(128), default=None)


class EndUserRow(Base):
    """A caller's own customer, named by the request's ``user`` field."""

    __tablename__ = "lockgate_end_users"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    alias: Mapped[str | None] = mapped_column(String(256), default=None)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    budget_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("lockgate_budgets.id", ondelete="SET NULL"), default=None
    )
    spend: Mapped[float] = mapped_column(Float, default=0.0)
    # LiteLLM's region routing fields: stored and shown, routing does not use them.
    allowed_model_region: Mapped[str | None] = mapped_column(String(16), default=None)
    default_model: Mapped[str | None] = mapped_column(String(256), default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
