"""Limits and budgets counted in this process (one gateway instance, no Redis).

Every method runs without awaiting anything, so a reservation is atomic on the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lockgate.limits.buckets import Bucket, Verdict
from lockgate.limits.windows import minute_of

__all__ = ["InMemoryLimitBackend"]


@dataclass(slots=True)
class _Scope:
    spent: dict[int, int] = field(default_factory=dict)  # window -> settled nano-USD
    reservations: dict[str, tuple[int, float]] = field(default_factory=dict)  # id -> (nano, expiry)
    reserved: int = 0
    minute: int = -1
    requests: int = 0
    tokens: int = 0
    # No reservation expires before this: until then purge() is one comparison, not a scan
    # of every request in flight (settled reservations leave it early, never late).
    earliest_expiry: float = float("inf")

    def hold(self, reservation_id: str, nano: int, until: float) -> None:
        self.reservations[reservation_id] = (nano, until)
        self.reserved += nano
        if until < self.earliest_expiry:
            self.earliest_expiry = until

    def purge(self, now: float) -> None:
        if now < self.earliest_expiry:
            return
        expired = [rid for rid, (_, until) in self.reservations.items() if until <= now]
        for rid in expired:
            amount, _ = self.reservations.pop(rid)
            self.reserved -= amount
        self.earliest_expiry = min(
            (until for _, until in self.reservations.values()), default=float("inf")
        )

    def usage(self, minute: int) -> tuple[int, int]:
        return (self.requests, self.tokens) if self.minute == minute else (0, 0)


class InMemoryLimitBackend:
    def __init__(self) -> None:
        self._scopes: dict[str, _Scope] = {}

    def _scope(self, name: str) -> _Scope:
        scope = self._scopes.get(name)
        if scope is None:
            scope = self._scopes[name] = _Scope()
        return scope

    async def reserve(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict:
        minute = minute_of(now)
        scopes = [self._scope(b.scope) for b in buckets]
        for i, (bucket, scope) in enumerate(zip(buckets, scopes, strict=True)):
            scope.purge(now)
            if bucket.parallel is not None and len(scope.reservations) >= bucket.parallel:
                return Verdict(False, i, "parallel")
            requests, used_tokens = scope.usage(minute)
            if bucket.rpm is not None and requests + 1 > bucket.rpm:
                return Verdict(False, i, "rpm")
            if bucket.tpm is not None and used_tokens + tokens > bucket.tpm:
                return Verdict(False, i, "tpm")
            if bucket.budget_nano is not None:
                spent = scope.spent.get(bucket.window, 0)
                total = spent + scope.reserved
                if total >= bucket.budget_nano or total + cost_nano > bucket.budget_nano:
                    return Verdict(
                        False, i, "budget", spent_nano=spent, reserved_nano=scope.reserved
                    )
        requests_after: list[int] = []
        tokens_after: list[int] = []
        for scope in scopes:
            scope.hold(reservation_id, cost_nano, now + hold_seconds)
            if scope.minute != minute:
                scope.minute, scope.requests, scope.tokens = minute, 0, 0
            scope.requests += 1
            scope.tokens += tokens
            requests_after.append(scope.requests)
            tokens_after.append(scope.tokens)
        return Verdict(True, requests=tuple(requests_after), tokens=tuple(tokens_after))

    async def settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None:
        for bucket in buckets:
            scope = self._scope(bucket.scope)
            held = scope.reservations.pop(reservation_id, None)
            if held is not None:
                scope.reserved -= held[0]
            if actual_nano:
                if bucket.window not in scope.spent:  # a new window: forget older ones
                    scope.spent = {w: n for w, n in scope.spent.items() if w > bucket.window}
                scope.spent[bucket.window] = scope.spent.get(bucket.window, 0) + actual_nano
            if token_delta and scope.minute == minute:
                scope.tokens = max(0, scope.tokens + token_delta)

    async def seed(self, windows: Sequence[tuple[str, int, int, float]]) -> None:
        for scope_name, window, nano, _ in windows:
            scope = self._scope(scope_name)
            scope.spent[window] = max(scope.spent.get(window, 0), nano)

    async def aclose(self) -> None:
        self._scopes.clear()
