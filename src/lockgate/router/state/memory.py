"""Router state held in this process: plain counters on one record per deployment."""

from __future__ import annotations

import time
from collections.abc import Callable

from lockgate.router.state.base import LatencyUpdate, Needs, Snapshot, current_minute

__all__ = ["InMemoryRouterState"]


class _Record:
    __slots__ = (
        "cooldown_until",
        "fails",
        "fails_reset_at",
        "in_flight",
        "latency",
        "latency_until",
        "minute",
        "rpm",
        "tpm",
    )

    def __init__(self) -> None:
        self.cooldown_until = 0.0
        self.fails = 0
        self.fails_reset_at = 0.0
        self.in_flight = 0
        self.latency: float | None = None
        self.latency_until = 0.0
        self.minute = 0
        self.rpm = 0
        self.tpm = 0

    def roll(self, minute: int) -> None:
        if minute != self.minute:
            self.minute = minute
            self.rpm = 0
            self.tpm = 0


class InMemoryRouterState:
    """One process's view. Records are created on first use; there is one per deployment
    id, and ids come from the configuration, so the table does not grow with traffic.

    ``clock`` (monotonic seconds) times cooldowns, failure windows and latency expiry;
    ``wall_clock`` decides the usage minute. Tests inject both.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._records: dict[str, _Record] = {}
        # The record lists of each group read, so a read is one dictionary probe.
        self._groups: dict[tuple[str, ...], list[_Record]] = {}

    def _record(self, deployment_id: str) -> _Record:
        record = self._records.get(deployment_id)
        if record is None:
            record = self._records[deployment_id] = _Record()
        return record

    def _group(self, ids: tuple[str, ...]) -> list[_Record]:
        records = self._groups.get(ids)
        if records is None:
            records = self._groups[ids] = [self._record(i) for i in ids]
        return records

    async def read(self, ids: tuple[str, ...], needs: Needs) -> Snapshot:
        records = self._group(ids)
        now = self._clock()
        snapshot = Snapshot([max(0.0, r.cooldown_until - now) for r in records])
        if needs.in_flight:
            snapshot.in_flight = [r.in_flight for r in records]
        if needs.usage:
            minute = current_minute(self._wall_clock())
            for r in records:
                r.roll(minute)
            snapshot.rpm = [r.rpm for r in records]
            snapshot.tpm = [r.tpm for r in records]
        if needs.latency:
            snapshot.latency = [r.latency if r.latency_until > now else None for r in records]
        return snapshot

    async def begin(self, deployment_id: str) -> None:
        record = self._record(deployment_id)
        record.roll(current_minute(self._wall_clock()))
        record.in_flight += 1
        record.rpm += 1

    async def end(self, deployment_id: str, *, tokens: int, latency: LatencyUpdate | None) -> None:
        record = self._record(deployment_id)
        record.in_flight = max(0, record.in_flight - 1)
        if tokens:
            record.roll(current_minute(self._wall_clock()))
            record.tpm += tokens
        if latency is not None:
            now = self._clock()
            old = record.latency if record.latency_until > now else None
            record.latency = (
                latency.seconds
                if old is None
                else old * (1.0 - latency.alpha) + latency.seconds * latency.alpha
            )
            record.latency_until = now + latency.ttl

    async def record_failure(
        self, deployment_id: str, *, allowed_fails: int, window: float, cooldown: float
    ) -> bool:
        record = self._record(deployment_id)
        now = self._clock()
        if now >= record.fails_reset_at:
            record.fails = 0
            record.fails_reset_at = now + window
        record.fails += 1
        if record.fails <= allowed_fails:
            return False
        record.fails = 0
        record.fails_reset_at = 0.0
        record.cooldown_until = max(record.cooldown_until, now + cooldown)
        return True

    async def start_cooldown(self, deployment_id: str, seconds: float) -> None:
        record = self._record(deployment_id)
        record.cooldown_until = max(record.cooldown_until, self._clock() + seconds)

    async def aclose(self) -> None:
        return None
