"""What was spent: one row per request, daily aggregates and the budget windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lockgate.store.base import Base, JsonValue, UtcDateTime

__all__ = ["BudgetWindowRow", "DailySpendRow", "DailyTagSpendRow", "SpendLogRow"]


class SpendLogRow(Base):
    __tablename__ = "lockgate_spend_logs"
    __table_args__ = (
        Index("ix_lockgate_spend_logs_started_at", "started_at"),
        Index("ix_lockgate_spend_logs_key_started", "key_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    route: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[str] = mapped_column(String(128), default="")
    team_id: Mapped[str] = mapped_column(String(64), default="")
    organization_id: Mapped[str] = mapped_column(String(64), default="")
    end_user: Mapped[str] = mapped_column(String(256), default="")
    model: Mapped[str] = mapped_column(String(256), default="")  # as the caller named it
    model_group: Mapped[str] = mapped_column(String(256), default="")
    deployment: Mapped[str] = mapped_column(String(256), default="")
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    total_tokens: Mapped[int] = mapped_column(Integer, default=0)
    spend: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    # Only with lockgate_settings.log_payloads: true.
    request_body: Mapped[Any] = mapped_column(JsonValue, nullable=True, default=None)


class DailySpendRow(Base):
    """Spend per UTC day, key, user, team and model ('' where there is none)."""

    __tablename__ = "lockgate_daily_spend"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    spend: Mapped[float] = mapped_column(Float, default=0.0)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    completion_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    failed_requests: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyTagSpendRow(Base):
    __tablename__ = "lockgate_daily_tag_spend"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    tag: Mapped[str] = mapped_column(String(256), primary_key=True)
    spend: Mapped[float] = mapped_column(Float, default=0.0)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)


class BudgetWindowRow(Base):
    """Settled spend of one budget scope (``key:<id>``, ``team:<id>``, ...) in one window,
    in nano-USD: what an instance seeds its counters with when it starts."""

    __tablename__ = "lockgate_budget_windows"

    scope: Mapped[str] = mapped_column(String(320), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    spend_nano: Mapped[int] = mapped_column(BigInteger, default=0)
