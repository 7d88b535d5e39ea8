"""Where spend batches go: a SQLite file gets its own writer thread and connection, any other
database (PostgreSQL) the store's SQLAlchemy engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lockgate.spend.record import SpendRecord
from lockgate.spend.sqlite_sink import SqliteSink
from lockgate.spend.sums import BatchSums
from lockgate.store import Store

__all__ = ["SpendSink", "sink_for"]


class SpendSink(Protocol):
    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        """The spend-log parameters of ``records``, in this sink's own form; called on the
        event loop a slice at a time, the slices' lists concatenated for :meth:`write`."""
        ...

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        """Write the logs and add the sums, in one transaction; raise if nothing was."""
        ...

    async def aclose(self) -> None: ...


def sink_for(store: Store) -> SpendSink:
    database = store.engine.url.database
    if store.dialect == "sqlite" and database and database != ":memory:":
        return SqliteSink(database)
    # Imported here: it loads SQLAlchemy's PostgreSQL dialect, which a SQLite gateway never uses.
    from lockgate.spend.engine_sink import EngineSink

    return EngineSink(store)  # an in-memory SQLite database exists only in the engine's pool
