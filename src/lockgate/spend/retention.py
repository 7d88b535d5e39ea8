"""Retention: spend log rows older than ``spend_log_retention_days`` are deleted (the daily
aggregates are kept: they are small and answer the reports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lockgate.store import Store
from lockgate.store.spend_tables import SpendLogRow

__all__ = ["delete_old_spend_logs"]


async def delete_old_spend_logs(store: Store, days: int, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await store.delete_where(SpendLogRow, SpendLogRow.started_at < cutoff)
