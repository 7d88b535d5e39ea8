"""What this instance did that a Redis read may not show yet.

Writes to Redis are queued, and reads are shared by the requests that ask at the same
time, so a read's figures can miss this instance's own latest begins, ends and cooldowns.
Each deployment keeps running totals of them here; a read notes the totals when it is
queued (the script runs it after every write queued before it), and each request that uses
the read adds what changed since. Within one instance the figures are then as exact as the
in-process state's; other instances' figures are as old as the read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from lockgate.router.state.base import Needs, Snapshot

__all__ = ["Local", "LocalView", "Mark", "apply"]

_MAX_GROUPS: Final = 4096  # groups whose record lists are kept (then all are dropped)


class Local:
    """Running totals of one deployment in this instance (they only grow)."""

    __slots__ = ("cooldown_until", "ended", "started", "tokens")

    def __init__(self) -> None:
        self.started = 0
        self.ended = 0
        self.tokens = 0
        self.cooldown_until = 0.0  # monotonic; a cooldown this instance started


class Mark:
    """A group's totals when a read was queued."""

    __slots__ = ("ended", "records", "started", "tokens")

    def __init__(self, records: list[Local]) -> None:
        self.records = records
        self.started = [r.started for r in records]
        self.ended = [r.ended for r in records]
        self.tokens = [r.tokens for r in records]


class LocalView:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._records: dict[str, Local] = {}
        self._groups: dict[tuple[str, ...], list[Local]] = {}

    def record(self, deployment_id: str) -> Local:
        record = self._records.get(deployment_id)
        if record is None:
            record = self._records[deployment_id] = Local()
        return record

    def group(self, ids: tuple[str, ...]) -> list[Local]:
        records = self._groups.get(ids)
        if records is None:
            if len(self._groups) >= _MAX_GROUPS:
                self._groups.clear()
            records = self._groups[ids] = [self.record(i) for i in ids]
        return records

    def cool(self, deployment_id: str, seconds: float) -> None:
        record = self.record(deployment_id)
        record.cooldown_until = max(record.cooldown_until, self.clock() + seconds)

    def cooldown_left(self, deployment_id: str) -> float:
        record = self._records.get(deployment_id)
        return 0.0 if record is None else max(0.0, record.cooldown_until - self.clock())


def apply(snapshot: Snapshot, mark: Mark, needs: Needs, now: float) -> Snapshot:
    """``snapshot`` (read from Redis after ``mark``) plus what this instance did since."""
    records = mark.records
    left = snapshot.cooldown_left
    for i, record in enumerate(records):
        own = record.cooldown_until - now
        if own > left[i]:
            left[i] = own
    if needs.in_flight:
        in_flight = snapshot.in_flight
        assert in_flight is not None
        for i, record in enumerate(records):
            in_flight[i] = max(
                0,
                in_flight[i] + (record.started - mark.started[i]) - (record.ended - mark.ended[i]),
            )
    if needs.usage:
        rpm, tpm = snapshot.rpm, snapshot.tpm
        assert rpm is not None and tpm is not None
        for i, record in enumerate(records):
            rpm[i] += record.started - mark.started[i]
            tpm[i] += record.tokens - mark.tokens[i]
    return snapshot
