"""Spend tracking: per-request records written in batches, daily aggregates, retention."""

from lockgate.spend.record import SpendRecord
from lockgate.spend.retention import delete_old_spend_logs
from lockgate.spend.writer import SpendWriter

__all__ = ["SpendRecord", "SpendWriter", "delete_old_spend_logs"]
