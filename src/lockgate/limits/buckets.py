"""What one request is checked against: a bucket per key, user, team, organisation, end
user, per-model key limit and the proxy-wide budget; and the backend's verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = ["NANO", "Bucket", "LimitBackend", "Verdict", "to_nano"]

NANO: Final = 1_000_000_000  # budgets and costs are counted in nano-USD (exact integers)


def to_nano(usd: float | None) -> int:
    return 0 if usd is None or usd <= 0 else round(usd * NANO)


@dataclass(frozen=True, slots=True)
class Bucket:
    scope: str  # "key:<id>", "team:<id>", "user:<id>", "org:<id>", "end_user:<id>", ...
    label: str  # for messages: "key 'my-key'", "team 'research'"
    budget_nano: int | None = None
    window: int = 0  # budget window id (see windows.budget_window)
    window_end: float = float("inf")  # when the budget window ends (epoch seconds)
    rpm: int | None = None
    tpm: int | None = None
    parallel: int | None = None


@dataclass(slots=True)  # not frozen: a frozen dataclass costs ~3x as much to build
class Verdict:
    ok: bool
    # When refused: which bucket and why ("budget", "rpm", "tpm", "parallel").
    bucket: int = -1
    reason: str = ""
    # Per bucket, after this request: requests and tokens counted this minute.
    requests: tuple[int, ...] = ()
    tokens: tuple[int, ...] = ()
    # When refused for budget: settled spend and reserved amount (nano-USD).
    spent_nano: int = 0
    reserved_nano: int = 0


class LimitBackend(Protocol):
    """Counters shared by whoever uses the same backend (a process, or a Redis server).

    ``reserve`` checks every bucket and, only if all pass, records the request in all of
    them, atomically. A reservation not settled within ``hold_seconds`` expires by itself.
    """

    async def reserve(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict: ...

    async def settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None: ...

    async def seed(self, windows: Sequence[tuple[str, int, int, float]]) -> None:
        """Settled spend known from the store: (scope, window, nano, seconds left)."""
        ...

    async def aclose(self) -> None: ...
